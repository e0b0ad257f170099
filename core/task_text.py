"""Task text: what a task holds that never reaches disk, kept by the shared volatile store.

API.md "Volatile fields": prompt, summary, outputTail, diffText, result, error (and the title of a
task whose title comes from task text, relay_app/services/tasks.py TEXT_TITLED, and an interactive
turn's items, requests and steers). It lives in memory only — this process's (`memory` backend) or
a Redis every replica shares (`redis`) — and is lost when that memory is.

The store is bounded (`TextBounds`): at most `max_tasks` tasks' text or `max_bytes` bytes, and when
it is full the text of the oldest *terminal* tasks goes. The text of an unfinished task is never
dropped: a queued prompt that vanished would run as an empty one. Instead a new unfinished task is
only `admit`ted while room is left for it, and each unfinished task counts as at least its reserve
(`live_reserve`, or the one given at `admit`: the most its text can grow to — an interactive turn's
items, requests and steers make it larger), so unfinished text alone can never outgrow the budget,
whatever the agents report.

Within those maxima a workspace keeps the text of at most `finished_per_workspace` finished tasks,
the longest finished going first. The relay passes the state view's size (100): the view is the
only place finished text is read, and it shows a workspace's 100 most recently updated tasks, so the
text of an older finished task only held memory (the soak benchmark's RSS grew with it,
bench/README.md). It also keeps one busy workspace from pushing out the others' finished text.

A backend that keeps entries past a process's life (Redis) also expires them: a finished task's text
after `finished_ttl_s` (the relay passes its `retentionDays`: the task record itself goes then, and its
text went with it from memory always), an unfinished one's long after its last write.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol, Sequence, TypeVar

import attrs

MAX_TASKS = 5000
MAX_BYTES = 64 * 1024 * 1024
FINISHED_TTL_S = 90 * 24 * 3600  # the default retentionDays
SCALAR_BYTES = 8  # what a number, bool or null counts for

EMPTY: dict[str, Any] = {"prompt": "", "summary": "", "outputTail": "", "diffText": "", "result": None, "error": ""}

T = TypeVar("T")


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


@attrs.frozen
class TextBounds:
    """How much task text the store may hold (module docstring); the same on every replica."""

    max_tasks: int = MAX_TASKS
    max_bytes: int = MAX_BYTES
    live_reserve: int = 0
    finished_per_workspace: int | None = None  # None: only the relay-wide bounds
    finished_ttl_s: float = FINISHED_TTL_S


class TaskText(Protocol):
    """Every task's text, bounded. Any call may raise `VolatileStoreUnavailable` (core/errors.py)
    while the store cannot be reached: never is a missing entry answered as an empty one then."""

    def get(self, task_id: str) -> dict[str, Any]:
        """A copy of the task's text fields (EMPTY's values when unknown or dropped)."""

    def get_many(self, task_ids: Sequence[str]) -> list[dict[str, Any]]:
        """`get` of each task, in the order given (a duplicate id gets its own copy), read at once:
        the state view reads up to 100 tasks' text, one round trip on a shared store. Optional for a
        backend: callers go through the module's `get_many`, which loops over `get` without it."""
        return [self.get(task_id) for task_id in task_ids]

    def admit(self, task_id: str, *, workspace: str | None = None, reserve: int | None = None, **fields: Any) -> bool:
        """Hold a new unfinished task's text; False (nothing held) when unfinished text already
        takes `max_tasks` entries or leaves less than this task's share of `max_bytes`. `reserve`
        (default `live_reserve`) is what the task counts for while unfinished. With a `workspace`,
        the task's text counts towards that workspace's finished cap once it ends."""

    def set(self, task_id: str, *, terminal: bool = False, **fields: Any) -> None:
        """Replace the given fields of a task's text (creating the entry when needed)."""

    def update(self, task_id: str, change: Callable[[dict[str, Any]], None], *, terminal: bool | None = None) -> None:
        """Apply `change(entry)` to the task's entry (EMPTY's values when unknown) as one atomic step;
        `terminal=True` moves the task to the drop-first queue.

        `change` may run more than once (a backend shared by replicas retries it on a fresh copy
        when another writer got there first), so it must depend on nothing but the entry and leave
        nothing behind outside it but what a rerun overwrites. A `change` that refuses (raises) must
        do so before it changes anything: the entry is kept as it is and the error goes on."""

    def inspect(self, task_id: str, look: Callable[[dict[str, Any] | None], T]) -> T:
        """`look(entry)` on the held entry (None when unknown), for frequent small reads. A read
        only: `look` must not change the entry (one backend hands it the held entry itself,
        another a copy it throws away), changes go through `update`."""

    def mark_terminal(self, task_id: str) -> None:
        """The task ended: its text now counts as what it holds and may go first."""

    def forget(self, task_id: str) -> None: ...

    def stats(self) -> tuple[int, int]:
        """(tasks held, bytes held) — for tests and diagnostics."""


def get_many(text: TaskText, task_ids: Sequence[str]) -> list[dict[str, Any]]:
    """`text.get_many(task_ids)`, or `get` of each task for a backend written before it had one (a
    plugin's `TaskText` need not subclass the protocol, so it does not inherit its default)."""
    if not task_ids:
        return []  # nothing to read: no lock taken, no round trip
    batched = getattr(text, "get_many", None)
    if batched is None:
        return [text.get(task_id) for task_id in task_ids]
    return batched(list(task_ids))
