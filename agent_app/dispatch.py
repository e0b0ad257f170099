"""The task runner's core: a task type -> its handler, the agent's own flags checked first.

A task this agent requires a person's signed intent for is checked first of all (intent_check.py):
refused, it fails with the intent code and nothing of it runs.
Flags come before any lookup, so a task refused by this agent's config says
`<flag>-disabled-locally` — not "unknown action" because the gated plugin was never loaded.
Before the flags, a NUL byte in a field that becomes an argument, a path or an id fails the task
as `invalid-task-field` (no argv item or path can hold one; it would crash a handler instead).
Handlers know nothing of the relay: they get a `TaskContext` and return a `TaskResult`, or
raise TaskFailed / TaskCanceled.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable

import attrs

from mobile_codex.core.features import FeatureFlags
from mobile_codex.core.plugin_types import Contribution
from mobile_codex.core.task_catalog import TASK_TYPES

from .errors import TaskFailed
from .turn_channel import TurnChannel

if TYPE_CHECKING:
    from .intent_check import IntentGate


@attrs.frozen
class TaskContext:
    task: dict[str, Any]
    output: Callable[[str], None]  # text for the phone (batched and capped by the reporter)
    cancel: threading.Event  # set when the run must stop
    turn: TurnChannel | None = None  # an interactive turn's reports, answers and steers (codex_exec tasks)


@attrs.frozen(kw_only=True)
class TaskResult:
    summary: str = ""
    result: dict[str, Any] = attrs.field(factory=dict)
    error: str | None = None  # set: the task ran but failed (e.g. `nonzero-exit`)
    diff_text: str | None = None
    thread_id: str | None = None


Handler = Callable[[TaskContext], TaskResult]


def contributed(items: dict[str, Contribution], item_id: object, error: str, what: str):
    """The plugin item a task names by id, or TaskFailed(`error`) (e.g. `unknown-action`)."""
    found = items.get(item_id) if isinstance(item_id, str) else None
    if found is None:
        raise TaskFailed(error, f"no {what} {item_id!r} on this agent")
    return found.item


def required_flags(task: dict[str, Any]) -> tuple[str, ...]:
    """What the task needs at this end (the catalogue's flags; codexExecWrite too when it writes)."""
    task_type = task.get("type")
    kind = TASK_TYPES.get(task_type) if isinstance(task_type, str) else None
    if kind is None:
        raise TaskFailed("unsupported-task-type", f"this agent does not run {task_type!r} tasks")
    return kind.required_flags(write_access=task.get("writeAccess") is True)


# Task fields handlers turn into command-line arguments, paths or ids (ours or a plugin's).
ARGUMENT_FIELDS = ("prompt", "cwd", "execMode", "resumeSessionId", "actionId", "logSourceId", "sessionId")


def check_argument_fields(task: dict[str, Any]) -> None:
    for name in ARGUMENT_FIELDS:
        value = task.get(name)
        if isinstance(value, str) and "\0" in value:
            raise TaskFailed("invalid-task-field", f"{name} contains a NUL byte; nothing was run")


class Dispatcher:
    def __init__(self, flags: FeatureFlags, handlers: dict[str, Handler], *, gate: "IntentGate | None" = None):
        self.flags = flags
        self.handlers = handlers
        self.gate = gate  # signed intents (intent_check.py): checked before anything else

    def run(self, ctx: TaskContext) -> TaskResult:
        if self.gate is not None:
            self.gate.check_task(ctx.task)
        check_argument_fields(ctx.task)
        for flag in required_flags(ctx.task):
            if not self.flags.enabled(flag):
                raise TaskFailed(f"{flag}-disabled-locally", f"{flag} is off in this agent's config")
        return self.handlers[ctx.task["type"]](ctx)
