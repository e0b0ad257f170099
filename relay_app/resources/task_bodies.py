"""Reading the task bodies: a phone's create request and an agent's update, into typed values.

Only types, budgets and NUL bytes in what becomes an argument are checked here (400
`invalid-field`, `unsupported-task-type`); the rules
that need the store (agent lookup, exec modes, status transitions) live in services/tasks.py.
"""

from __future__ import annotations

import re
from typing import Any

from mobile_codex.core.task_catalog import AGENT_STATUSES, TASK_TYPES

from ..errors import BadRequest, invalid_field
from ..fields import argument, clamped_int, flag, obj, text
from ..services.task_values import TaskRequest, TaskUpdate
from ..services.conversation import EFFORT_BYTES, MODEL_BYTES
from ..services.tasks import DIFF_BYTES, ERROR_BYTES, OUTPUT_TAIL_BYTES, PROMPT_BYTES, SUMMARY_BYTES
from .turn_bodies import parse_turn_report

# Ours (docs/api.md): an interactive turn's model and reasoning effort, checked only for their shape;
# the agent checks them against what its config allows.
MODEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,%d}" % (MODEL_BYTES - 1))
REDACTIONS_MAX = 1_000_000  # ours: an agent's count of secrets hidden from a task (clamped, never refused)
EFFORT = re.compile(r"[a-z]{1,%d}" % EFFORT_BYTES)


def parse_task_request(body: dict[str, Any]) -> TaskRequest:
    task_type = body.get("type")
    if task_type is not None and not isinstance(task_type, str):
        raise invalid_field("type")
    if task_type not in TASK_TYPES:
        raise BadRequest("unsupported-task-type")
    common = {
        "type": task_type,
        "agent_id": argument(body, "agentId", 120, required=True),
        "title": text(body, "title", 120).strip() or task_type,
    }
    if task_type == "codex_exec":
        return TaskRequest(
            **common, prompt=argument(body, "prompt", PROMPT_BYTES, required=True),
            cwd=argument(body, "cwd", 240).strip() or ".", write_access=flag(body, "writeAccess"),
            exec_mode=argument(body, "execMode", 80), resume_session_id=argument(body, "resumeSessionId", 120),
            thread_id=argument(body, "threadId", 120), model=_shaped(body, "model", MODEL),
            effort=_shaped(body, "effort", EFFORT),
        )  # fmt: skip
    if task_type == "run_action":
        return TaskRequest(**common, action_id=argument(body, "actionId", 80, required=True))
    if task_type == "read_log":
        return TaskRequest(**common, log_source_id=argument(body, "logSourceId", 80, required=True))
    return TaskRequest(**common, session_id=argument(body, "sessionId", 120, required=True))


def _shaped(body: dict[str, Any], name: str, pattern: re.Pattern) -> str:
    value = body.get(name)
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise invalid_field(name)
    return value


def _optional_text(body: dict[str, Any], name: str, budget: int, *, tail: bool = False) -> str | None:
    return None if body.get(name) is None else text(body, name, budget, tail=tail)


def parse_task_update(body: dict[str, Any]) -> TaskUpdate:
    status = body.get("status")
    if status is not None and status not in AGENT_STATUSES:
        raise invalid_field("status")
    return TaskUpdate(
        status=status,
        summary=_optional_text(body, "summary", SUMMARY_BYTES),
        output_append=_optional_text(body, "outputAppend", OUTPUT_TAIL_BYTES, tail=True),
        diff_text=_optional_text(body, "diffText", DIFF_BYTES),
        result=obj(body, "result"),
        error=_optional_text(body, "error", ERROR_BYTES),
        thread_id=_optional_text(body, "threadId", 120),
        turn=parse_turn_report(body),
        redactions=None if body.get("redactions") is None else clamped_int(body, "redactions", default=0, lo=0, hi=REDACTIONS_MAX),
    )


IDEMPOTENCY_KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,120}")  # visible ASCII, as HTTP header tokens are


def idempotency_key(req) -> str | None:
    """The `Idempotency-Key` header (ours, docs/api.md), or None; a malformed one is 400 `invalid-field`."""
    value = req.get_header("Idempotency-Key")
    if value is None:
        return None
    if not IDEMPOTENCY_KEY_PATTERN.fullmatch(value):
        raise invalid_field("Idempotency-Key")
    return value
