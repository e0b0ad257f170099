"""Task text in this process's memory (core/task_text.py): the `memory` volatile backend's, for a single relay.

Two queues (unfinished, terminal) so eviction finds the oldest terminal task in O(1), and the
workspace's finished tasks oldest first for its cap. No TTL: what the process holds dies with it,
and retention forgets a deleted task's text. Thread-safe: the poll, update and view paths run on
many threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from mobile_codex.core.task_text import EMPTY, TextBounds, text_size


def _copy(value: Any) -> Any:
    """A deep copy of JSON-shaped text (dicts, lists, scalars): what `copy.deepcopy` does for it, a
    few times faster — every state view copies up to 100 tasks' text, an interactive turn's included."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


class MemoryTaskText:
    def __init__(self, bounds: TextBounds = TextBounds()):
        self.bounds = bounds
        self.max_tasks = bounds.max_tasks
        self.max_bytes = bounds.max_bytes
        self.live_reserve = bounds.live_reserve
        self.finished_per_workspace = bounds.finished_per_workspace  # None: only the relay-wide bounds
        self._lock = threading.Lock()
        # task_id -> entry; two queues so eviction finds the oldest terminal task in O(1).
        self._live: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._terminal: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._sizes: dict[str, int] = {}  # what each entry counts for (live: at least its reserve)
        self._reserves: dict[str, int] = {}  # a reserve other than live_reserve, given at admit
        self._bytes = 0
        self._live_bytes = 0
        self._workspace_of: dict[str, str] = {}  # task_id -> workspace, for tasks admitted with one
        self._finished_in: dict[str, OrderedDict[str, None]] = {}  # workspace -> its terminal task ids, oldest first

    def get(self, task_id: str) -> dict[str, Any]:
        """A copy of the task's text fields (empty values when unknown or dropped)."""
        with self._lock:
            entry = self._live.get(task_id) or self._terminal.get(task_id)
            return _copy(entry) if entry is not None else dict(EMPTY)

    def get_many(self, task_ids: list[str]) -> list[dict[str, Any]]:
        """`get` of each task under one acquisition of the lock (the state view reads up to 100)."""
        with self._lock:
            entries = [self._live.get(task_id) or self._terminal.get(task_id) for task_id in task_ids]
            return [_copy(entry) if entry is not None else dict(EMPTY) for entry in entries]

    def admit(self, task_id: str, *, workspace: str | None = None, reserve: int | None = None, **fields: Any) -> bool:
        """Hold a new unfinished task's text; False (nothing held) when unfinished text already
        takes `max_tasks` entries or leaves less than this task's share of `max_bytes`. `reserve`
        (default `live_reserve`) is what the task counts for while unfinished. With a `workspace`,
        the task's text counts towards that workspace's finished cap once it ends."""
        entry = {**EMPTY, **fields}
        reserve = self.live_reserve if reserve is None else reserve
        size = max(text_size(entry), reserve)
        with self._lock:
            if len(self._live) >= self.max_tasks or self._live_bytes + size > self.max_bytes:
                return False
            self._forget(task_id)
            if workspace is not None:
                self._workspace_of[task_id] = workspace
            if reserve != self.live_reserve:
                self._reserves[task_id] = reserve
            self._live[task_id] = entry
            self._account(task_id, size, live=True)
            self._evict(keep=task_id)
            return True

    def set(self, task_id: str, *, terminal: bool = False, **fields: Any) -> None:
        """Replace the given fields of a task's text (creating the entry when needed)."""
        self.update(task_id, lambda entry: entry.update(fields), terminal=terminal)

    def update(self, task_id: str, change, *, terminal: bool | None = None) -> None:
        """Apply `change(entry)` under the lock; `terminal=True` moves the task to the drop-first queue.

        A `change` that refuses (raises) must do so before it changes anything: the entry is kept
        as it is and the error goes on to the caller."""
        with self._lock:
            was_terminal = task_id in self._terminal
            known = task_id in self._sizes
            entry = self._live.get(task_id) or self._terminal.get(task_id) or dict(EMPTY)
            self._drop(task_id)
            try:
                change(entry)
            except BaseException:
                if known:
                    self._put(task_id, entry, terminal=was_terminal)
                else:
                    self._reserves.pop(task_id, None)
                raise
            is_terminal = was_terminal if terminal is None else (terminal or was_terminal)
            self._put(task_id, entry, terminal=is_terminal)
            self._evict(keep=task_id)

    def inspect(self, task_id: str, look):
        """`look(entry)` under the lock on the held entry itself (no copy; None when unknown), for
        the poll's frequent small reads; `look` must not change it (TaskText.inspect)."""
        with self._lock:
            return look(self._live.get(task_id) or self._terminal.get(task_id))

    def mark_terminal(self, task_id: str) -> None:
        with self._lock:
            entry = self._live.get(task_id)
            if entry is not None:
                self._drop(task_id)
                self._reserves.pop(task_id, None)
                self._put(task_id, entry, terminal=True)
                self._evict(keep=task_id)

    def forget(self, task_id: str) -> None:
        with self._lock:
            self._forget(task_id)

    def _forget(self, task_id: str) -> None:
        self._drop(task_id)
        self._reserves.pop(task_id, None)
        self._workspace_of.pop(task_id, None)

    def _put(self, task_id: str, entry: dict[str, Any], *, terminal: bool) -> None:
        (self._terminal if terminal else self._live)[task_id] = entry
        workspace = self._workspace_of.get(task_id)
        if terminal and workspace is not None:
            self._finished_in.setdefault(workspace, OrderedDict())[task_id] = None
        size = text_size(entry)
        if terminal:
            self._reserves.pop(task_id, None)
        live_size = max(size, self._reserves.get(task_id, self.live_reserve))
        self._account(task_id, size if terminal else live_size, live=not terminal)

    def _account(self, task_id: str, size: int, *, live: bool) -> None:
        self._sizes[task_id] = size
        self._bytes += size
        if live:
            self._live_bytes += size

    def _drop(self, task_id: str) -> None:
        """Remove the entry (its workspace and reserve stay known: update() drops and puts it back)."""
        live = self._live.pop(task_id, None) is not None
        if self._terminal.pop(task_id, None) is not None:
            self._unlist_finished(task_id)
        size = self._sizes.pop(task_id, 0)
        self._bytes -= size
        if live:
            self._live_bytes -= size

    def _unlist_finished(self, task_id: str) -> None:
        workspace = self._workspace_of.get(task_id)
        finished = self._finished_in.get(workspace) if workspace is not None else None
        if finished is not None:
            finished.pop(task_id, None)
            if not finished:
                del self._finished_in[workspace]  # no empty queue per workspace ever seen

    def _evict(self, *, keep: str) -> None:
        """Drop the oldest terminal tasks' text until the store and `keep`'s workspace are within
        bounds; never a live one."""
        finished = self._finished_in.get(self._workspace_of.get(keep))
        cap = self.finished_per_workspace
        while cap is not None and finished and len(finished) > cap:
            victim = next((k for k in finished if k != keep), None)
            if victim is None:
                break  # only with a cap of 0: the task being written stays
            self._forget(victim)
        while len(self._sizes) > self.max_tasks or self._bytes > self.max_bytes:
            victim = next((k for k in self._terminal if k != keep), None)
            if victim is None:
                return  # only unfinished text (and the task being written) is left: keep it
            self._forget(victim)

    def stats(self) -> tuple[int, int]:
        """(tasks held, bytes held) — for tests and diagnostics."""
        with self._lock:
            return len(self._sizes), self._bytes
