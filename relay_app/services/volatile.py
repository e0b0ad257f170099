"""Task text that never reaches disk: prompt, summary, outputTail, diffText, result, error (and the
title of a task whose title comes from task text, services/tasks.py TEXT_TITLED).

API.md "Volatile fields": this text lives in relay memory only and is lost on restart. The
store is bounded — at most `max_tasks` tasks' text or `max_bytes` bytes — and when it is full
the text of the oldest *terminal* tasks goes first (then, only if every task is still live,
the oldest live ones). Thread-safe: the poll, update and view paths run on many threads.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from typing import Any

MAX_TASKS = 5000
MAX_BYTES = 64 * 1024 * 1024

EMPTY: dict[str, Any] = {"prompt": "", "summary": "", "outputTail": "", "diffText": "", "result": None, "error": ""}


def _size(entry: dict[str, Any]) -> int:
    size = 0
    for key, value in entry.items():
        if isinstance(value, str):
            size += len(value.encode("utf-8"))
        elif value is not None:
            size += len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
        size += len(key)
    return size


class VolatileText:
    def __init__(self, *, max_tasks: int = MAX_TASKS, max_bytes: int = MAX_BYTES):
        self.max_tasks = max_tasks
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        # task_id -> entry; two queues so eviction finds the oldest terminal task in O(1).
        self._live: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._terminal: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._sizes: dict[str, int] = {}
        self._bytes = 0

    def get(self, task_id: str) -> dict[str, Any]:
        """A copy of the task's text fields (empty values when unknown or dropped)."""
        with self._lock:
            entry = self._live.get(task_id) or self._terminal.get(task_id)
            return copy.deepcopy(entry) if entry is not None else dict(EMPTY)

    def set(self, task_id: str, *, terminal: bool = False, **fields: Any) -> None:
        """Replace the given fields of a task's text (creating the entry when needed)."""
        self.update(task_id, lambda entry: entry.update(fields), terminal=terminal)

    def update(self, task_id: str, change, *, terminal: bool | None = None) -> None:
        """Apply `change(entry)` under the lock; `terminal=True` moves the task to the drop-first queue."""
        with self._lock:
            entry = self._live.pop(task_id, None)
            was_terminal = entry is None and task_id in self._terminal
            if entry is None:
                entry = self._terminal.pop(task_id, None) or dict(EMPTY)
            change(entry)
            is_terminal = was_terminal if terminal is None else (terminal or was_terminal)
            (self._terminal if is_terminal else self._live)[task_id] = entry
            self._bytes += _size(entry) - self._sizes.get(task_id, 0)
            self._sizes[task_id] = _size(entry)
            self._evict(keep=task_id)

    def mark_terminal(self, task_id: str) -> None:
        with self._lock:
            entry = self._live.pop(task_id, None)
            if entry is not None:
                self._terminal[task_id] = entry

    def forget(self, task_id: str) -> None:
        with self._lock:
            self._drop(task_id)

    def _drop(self, task_id: str) -> None:
        self._live.pop(task_id, None)
        self._terminal.pop(task_id, None)
        self._bytes -= self._sizes.pop(task_id, 0)

    def _evict(self, *, keep: str) -> None:
        while len(self._sizes) > self.max_tasks or self._bytes > self.max_bytes:
            victim = next((k for k in self._terminal if k != keep), None)
            if victim is None:
                victim = next((k for k in self._live if k != keep), None)
            if victim is None:
                return  # only the task being written is left: keep it
            self._drop(victim)

    def stats(self) -> tuple[int, int]:
        """(tasks held, bytes held) — for tests and diagnostics."""
        with self._lock:
            return len(self._sizes), self._bytes
