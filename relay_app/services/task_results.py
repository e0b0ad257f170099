"""What a task's `result` may hold, per type (API.md "Update rules").

The relay keeps only the fields of the task's type, each of the right type (wrong types become
null), so an agent cannot make the relay keep or show anything else.
"""

from __future__ import annotations

from typing import Any

from mobile_codex.core.text import clamp_head

MESSAGES_MAX, ROLE_BYTES, MESSAGE_BYTES = 80, 16, 400
# The most a result can hold (core/task_text.py text_size): read_session's messages, plus 1 KiB for its
# other fields and keys (the other types' results are far smaller).
RESULT_BYTES = MESSAGES_MAX * (len("role") + ROLE_BYTES + len("text") + MESSAGE_BYTES) + 1024


def _int(value: Any, lo: int | None = None, hi: int | None = None) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
        return None
    value = int(value)
    if lo is not None:
        value = max(lo, value)
    return min(hi, value) if hi is not None else value


def _str(value: Any, budget: int) -> str | None:
    return clamp_head(value, budget) if isinstance(value, str) else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _messages(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        return []
    messages = []
    for item in value[:MESSAGES_MAX]:
        if isinstance(item, dict):
            messages.append({"role": _str(item.get("role"), ROLE_BYTES) or "", "text": _str(item.get("text"), MESSAGE_BYTES) or ""})
    return messages


_RESULT_FIELDS = {
    "codex_exec": {
        "exitCode": _int, "signal": lambda v: _str(v, 32), "completedAt": lambda v: _str(v, 40),
        "threadId": lambda v: _str(v, 120),
    },
    "run_action": {
        "actionId": lambda v: _str(v, 80), "exitCode": _int, "signal": lambda v: _str(v, 32),
        "completedAt": lambda v: _str(v, 40),
    },
    "read_log": {
        "logSourceId": lambda v: _str(v, 80), "lineCount": lambda v: _int(v, 0, 5000), "completedAt": lambda v: _str(v, 40),
    },
    "delete_session": {"sessionId": lambda v: _str(v, 120), "deleted": _bool, "completedAt": lambda v: _str(v, 40)},
    "read_session": {
        "sessionId": lambda v: _str(v, 120), "title": lambda v: _str(v, 180), "cwd": lambda v: _str(v, 240),
        "messageCount": lambda v: _int(v, 0), "messages": _messages, "completedAt": lambda v: _str(v, 40),
    },
}  # fmt: skip


def sanitize_result(task_type: str, result: dict[str, Any]) -> dict[str, Any]:
    """Only the fields of the task's type, each of the right type (wrong types become null)."""
    fields = _RESULT_FIELDS.get(task_type, {})
    return {name: clean(result.get(name)) for name, clean in fields.items() if name in result}
