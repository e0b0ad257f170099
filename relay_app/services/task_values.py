"""The typed values the task service takes and returns (no HTTP: resources build and shape them)."""

from __future__ import annotations

from typing import Any, ClassVar, Mapping

import attrs

from mobile_codex.core.records import Task


@attrs.frozen(kw_only=True)
class TaskRequest:
    """A person's request for a task, already read and clamped to API.md's budgets."""

    type: str
    agent_id: str
    title: str
    prompt: str = ""
    cwd: str = "."
    write_access: bool = False
    exec_mode: str = ""
    resume_session_id: str = ""
    thread_id: str = ""  # an interactive mode continues this Codex thread
    model: str = ""  # ours: an interactive turn's model and reasoning effort, passed to the agent
    effort: str = ""
    action_id: str = ""
    log_source_id: str = ""
    session_id: str = ""
    signed: Mapping[str, Any] | None = None  # {intent, intentAssertion} as sent (core/intents.py), or None


@attrs.frozen(kw_only=True)
class TaskUpdate:
    """An agent's update of one task; None = not in this update."""

    status: str | None = None
    summary: str | None = None
    output_append: str | None = None
    diff_text: str | None = None
    result: dict | None = None
    error: str | None = None
    thread_id: str | None = None
    turn: "TurnReport | None" = None  # an interactive task's conversation fields
    redactions: int | None = None  # ours: how many secrets the agent hid in this task's texts so far


@attrs.frozen(kw_only=True)
class TurnReport:
    """The conversation fields of an agent's update (API.md "Interactive Codex"), read and clamped;
    requests already checked against core/interactive.py's `request_problem`."""

    items: tuple[dict, ...] = ()
    requests_add: tuple[dict, ...] = ()
    requests_resolved: tuple[tuple[str, str], ...] = ()  # (requestId, final status)
    steers_applied: tuple[str, ...] = ()
    steers_rejected: tuple[tuple[str, str], ...] = ()  # (steerId, reason)
    turn_id: str | None = None
    token_usage: dict | None = None  # {input, output}

    FIELDS: ClassVar[tuple] = (
        ("itemsAppend", "items"), ("requestsAdd", "requests_add"), ("requestsResolved", "requests_resolved"),
        ("steersApplied", "steers_applied"), ("steersRejected", "steers_rejected"), ("turnId", "turn_id"),
        ("tokenUsage", "token_usage"),
    )  # fmt: skip

    def first_field(self) -> str:
        """The wire name of the first field this report carries (for `invalid-field`)."""
        return next((wire for wire, name in self.FIELDS if getattr(self, name) not in ((), None)), "turnId")


@attrs.frozen
class Creator:
    """Who asks for a task (kept on it as API.md's `createdBy`)."""

    user_id: str
    display_name: str


@attrs.frozen
class TaskState:
    """A task as the relay knows it: the stored metadata and its text held in memory."""

    task: Task
    text: Mapping[str, Any]
