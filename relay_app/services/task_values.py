"""The typed values the task service takes and returns (no HTTP: resources build and shape them)."""

from __future__ import annotations

from typing import Any, Mapping

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
    action_id: str = ""
    log_source_id: str = ""
    session_id: str = ""


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
