"""Task text that never reaches disk: prompt, summary, outputTail, diffText, result, error (and the
title of a task whose title comes from task text, services/tasks.py TEXT_TITLED).

API.md "Volatile fields": this text lives in relay memory only and is lost on restart. The
store is bounded — at most `max_tasks` tasks' text or `max_bytes` bytes — and when it is full
the text of the oldest *terminal* tasks goes. The text of an unfinished task is never dropped:
a queued prompt that vanished would run as an empty one. Instead a new unfinished task is only
`admit`ted while room is left for it, and each unfinished task counts as at least its reserve
(`live_reserve`, or the one given at `admit`: the most its text can grow to — an interactive
turn's items, requests and steers make it larger), so unfinished text alone can never outgrow
the budget, whatever the agents report.

Within those relay-wide maxima a workspace keeps the text of at most `finished_per_workspace`
finished tasks, the longest finished going first. The relay passes the state view's size (100):
the view is the only place finished text is read, and it shows a workspace's 100 most recently
updated tasks, so the text of an older finished task only held memory (the soak benchmark's RSS
grew with it, bench/README.md). It also keeps one busy workspace from pushing out the others'
finished text.

Thread-safe: the poll, update and view paths run on many threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

MAX_TASKS = 5000
MAX_BYTES = 64 * 1024 * 1024
SCALAR_BYTES = 8  # what a number, bool or null counts for

EMPTY: dict[str, Any] = {"prompt": "", "summary": "", "outputTail": "", "diffText": "", "result": None, "error": ""}


def _copy(value: Any) -> Any:
    """A deep copy of JSON-shaped text (dicts, lists, scalars): what `copy.deepcopy` does for it, a
    few times faster — every state view copies up to 100 tasks' text, an interactive turn's included."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def text_size(value: Any) -> int:
    """The bytes a value holds: UTF-8 text and keys, nested lists and objects, 8 for a scalar.

    Memory is what the budget protects, so JSON escaping (a control character written as six
    bytes) is not counted: that keeps the most a result can hold close to its field budgets."""
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, dict):
        return sum(len(str(key)) + text_size(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return sum(text_size(item) for item in value)
    return SCALAR_BYTES


class VolatileText:
    def __init__(
        self, *, max_tasks: int = MAX_TASKS, max_bytes: int = MAX_BYTES, live_reserve: int = 0,
        finished_per_workspace: int | None = None,
    ):  # fmt: skip
        self.max_tasks = max_tasks
        self.max_bytes = max_bytes
        self.live_reserve = live_reserve
        self.finished_per_workspace = finished_per_workspace  # None: only the relay-wide bounds
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
        the poll's frequent small reads. `look` may flip a flag but must not change the entry's size."""
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
