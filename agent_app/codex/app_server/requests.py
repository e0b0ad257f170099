"""Codex's approval requests as API.md `requests[]`: the agent's own ids, clamped, then digested.

Only command and file-change approvals are shown. The decisions offered are always accept,
decline and cancel — never Codex's execpolicy or network amendments, which would save lasting
rules. Each request's texts pass the task's text filters (secrets become `[redacted: <kind>]`,
agent_app/redaction.py) and are then clamped to core/interactive.py's budgets, both *before* its
digest is computed, so the digest covers exactly what the phone shows (`truncated` says something was cut).
"""

from __future__ import annotations

import itertools
import secrets
from typing import Any, Callable

import attrs

from mobile_codex.core.interactive import (
    CHANGES_MAX, COMMAND_BYTES, CWD_BYTES, DECISIONS, DIFFS_BYTES, PATH_BYTES, REASON_BYTES, TITLE_BYTES,
    request_digest,
)  # fmt: skip
from mobile_codex.core.text import clamp_head, utf8_size

from .items import changes_of, relative

COMMAND_APPROVAL = "item/commandExecution/requestApproval"
FILE_CHANGE_APPROVAL = "item/fileChange/requestApproval"
RENDERED = (COMMAND_APPROVAL, FILE_CHANGE_APPROVAL)


@attrs.define
class Pending:
    """A request waiting for a person: what the phone was sent and how to answer Codex."""

    phone: dict[str, Any]
    server_id: Any  # Codex's JSON-RPC id, valid on this app-server's connection only
    deadline: float  # monotonic time it expires (declined, reported `expired`)


class RequestIds:
    """Mints request ids unique across app-server processes (Codex's restart at 0 in each)."""

    def __init__(self) -> None:
        self._prefix = secrets.token_hex(4)
        self._count = itertools.count(1)

    def next(self) -> str:
        return f"r{self._prefix}-{next(self._count)}"


def _clamped(text: Any, budget: int, cut: list[bool]) -> str | None:
    if text is None:
        return None
    text = str(text)
    short = clamp_head(text, budget)
    if short != text:
        cut.append(True)
    return short


def _clamped_changes(changes: list[dict], cut: list[bool], redact: Callable[[str, str], str]) -> list[dict]:
    if len(changes) > CHANGES_MAX:
        cut.append(True)
    kept, left = [], DIFFS_BYTES
    for change in changes[:CHANGES_MAX]:
        diff = _clamped(redact(str(change["diff"] or ""), "diff"), left, cut) or ""
        left -= utf8_size(diff)
        kept.append({
            "path": _clamped(change["path"], PATH_BYTES, cut), "kind": change["kind"],
            "movePath": _clamped(change["movePath"], PATH_BYTES, cut), "diff": diff,
        })  # fmt: skip
    return kept


def _no_filter(text: str, where: str) -> str:
    return text


def phone_request(method: str, params: dict, *, request_id: str, task_id: str, cwd: str, file_changes: dict,
                  requested_at: str, redact: Callable[[str, str], str] | None = None) -> dict:  # fmt: skip
    """The API.md request for a command or file-change approval, filtered, clamped and with its digest.

    `file_changes` maps Codex item ids to the fileChange items seen in `item/started`: the
    approval request itself does not carry the change. `redact(text, where)` is the task's text filter.
    """
    redact = redact or _no_filter
    cut: list[bool] = []
    if method == COMMAND_APPROVAL:
        kind, changes = "command", []
        command = _clamped(redact(str(params.get("command") or ""), "request"), COMMAND_BYTES, cut)
        where = relative(str(params.get("cwd") or cwd), cwd) if params.get("cwd") else "."
        title = "Run a command"
    else:
        kind, command, where = "fileChange", None, None
        changes = _clamped_changes(changes_of(file_changes.get(params.get("itemId")) or {}, cwd), cut, redact)
        title = f"Change {len(changes)} file{'s' if len(changes) != 1 else ''}" if changes else "Change files"
    request = {
        "requestId": request_id, "kind": kind, "status": "pending", "title": clamp_head(title, TITLE_BYTES),
        "command": command, "cwd": _clamped(where, CWD_BYTES, cut) if where is not None else None,
        "reason": _clamped(None if params.get("reason") is None else redact(str(params["reason"]), "request"), REASON_BYTES, cut),
        "changes": changes,
        "decisions": list(DECISIONS), "truncated": bool(cut), "requestedAt": requested_at,
    }  # fmt: skip
    request["digest"] = request_digest(task_id, request)
    return request


def other_request(method: str, *, request_id: str, task_id: str, requested_at: str) -> dict:
    """A server request the agent does not render: shown as refused (kind `other`, `declined`)."""
    request = {
        "requestId": request_id, "kind": "other", "status": "declined",
        "title": clamp_head(f"Codex asked something this agent cannot show ({method}); refused", TITLE_BYTES),
        "command": None, "cwd": None, "reason": None, "changes": [], "decisions": ["decline"], "truncated": False,
        "requestedAt": requested_at,
    }  # fmt: skip
    request["digest"] = request_digest(task_id, request)
    return request
