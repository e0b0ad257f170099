"""The shapes and budgets of an interactive turn's conversation, shared by agent, relay and phone.

API.md "Interactive Codex": a turn reaches the phone as `items[]` (the conversation), `requests[]`
(approvals waiting for a person) and `steers[]` (text the phone added to the running turn). The agent
clamps a request to its budgets *before* it computes the digest; the relay refuses (never clamps) a
request over budget, so the digest a person answers always covers exactly what they were shown.

    digest = request_digest(task_id, request)      # what the agent sends and the phone echoes
    problem = request_problem(request)             # None, or why the relay refuses it
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Mapping

import rfc8785

from .text import utf8_size

# --- requests --------------------------------------------------------------------------------------

REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
REQUEST_KINDS: tuple[str, ...] = ("command", "fileChange", "other")
PENDING = "pending"
REQUEST_STATUSES: tuple[str, ...] = (PENDING, "accepted", "declined", "canceled", "expired", "resolved")
FINAL_REQUEST_STATUSES: tuple[str, ...] = tuple(s for s in REQUEST_STATUSES if s != PENDING)
# The only decisions the agent ever offers: never Codex's execpolicy or network amendments, which
# would save lasting rules on the server.
DECISIONS: tuple[str, ...] = ("accept", "decline", "cancel")
DECISION_STATUS: Mapping[str, str] = {"accept": "accepted", "decline": "declined", "cancel": "canceled"}
CHANGE_KINDS: tuple[str, ...] = ("add", "update", "delete")

TITLE_BYTES = 200
COMMAND_BYTES = 4000
CWD_BYTES = 240
REASON_BYTES = 1000
PATH_BYTES = 240
CHANGES_MAX = 50
DIFFS_BYTES = 20000  # all of one request's diffs together
REQUESTS_PER_TASK = 50  # pending or not; a turn asking more often than this is refused further requests

# The fields the digest covers, in API.md's words: exactly what the phone shows.
DIGEST_FIELDS: tuple[str, ...] = ("requestId", "taskId", "kind", "title", "command", "cwd", "reason", "changes")


def digest_input(task_id: str, request: Mapping[str, Any]) -> dict[str, Any]:
    """The object whose JCS encoding is hashed: the request's shown fields and its task id."""
    shown = {name: request.get(name) for name in DIGEST_FIELDS if name != "taskId"}
    shown["changes"] = [
        {key: change.get(key) for key in ("path", "kind", "movePath", "diff")} for change in request.get("changes") or []
    ]
    return {**shown, "taskId": task_id}


def request_digest(task_id: str, request: Mapping[str, Any]) -> str:
    """SHA-256 hex of the RFC 8785 (JCS) encoding of `digest_input`."""
    return hashlib.sha256(rfc8785.dumps(digest_input(task_id, request))).hexdigest()


def _text_problem(request: Mapping[str, Any], name: str, budget: int, *, required: bool = False) -> str | None:
    value = request.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        return f"{name} must be a string"
    if utf8_size(value) > budget:
        return f"{name} is over {budget} bytes"
    return None


def request_problem(request: Any) -> str | None:
    """Why a request an agent adds breaks API.md's rules (None when it keeps them). Never clamps."""
    if not isinstance(request, dict):
        return "a request must be an object"
    if not isinstance(request.get("requestId"), str) or not REQUEST_ID.fullmatch(request["requestId"]):
        return "requestId must match [A-Za-z0-9_-]{1,64}"
    if request.get("kind") not in REQUEST_KINDS:
        return f"kind must be one of {', '.join(REQUEST_KINDS)}"
    for name, budget in (("title", TITLE_BYTES), ("command", COMMAND_BYTES), ("cwd", CWD_BYTES), ("reason", REASON_BYTES)):
        problem = _text_problem(request, name, budget)
        if problem:
            return problem
    decisions = request.get("decisions")
    if not isinstance(decisions, list) or not decisions or any(d not in DECISIONS for d in decisions):
        return f"decisions must be a non-empty list of {', '.join(DECISIONS)}"
    if len(set(decisions)) != len(decisions):
        return "decisions must not repeat"
    changes = request.get("changes", [])
    if changes is None:
        changes = []
    if not isinstance(changes, list) or len(changes) > CHANGES_MAX:
        return f"changes must be a list of at most {CHANGES_MAX}"
    diff_bytes = 0
    for change in changes:
        if not isinstance(change, dict) or change.get("kind") not in CHANGE_KINDS:
            return f"changes: each needs kind {', '.join(CHANGE_KINDS)}"
        for name, budget in (("path", PATH_BYTES), ("movePath", PATH_BYTES), ("diff", DIFFS_BYTES)):
            problem = _text_problem(change, name, budget, required=name == "path")
            if problem:
                return f"changes: {problem}"
        diff_bytes += utf8_size(change.get("diff") or "")
    if diff_bytes > DIFFS_BYTES:
        return f"the diffs of one request are over {DIFFS_BYTES} bytes"
    if not isinstance(request.get("digest"), str) or not re.fullmatch(r"[0-9a-f]{64}", request["digest"]):
        return "digest must be 64 lowercase hex digits"
    if not isinstance(request.get("truncated", False), bool):
        return "truncated must be a boolean"
    return None


# --- items -----------------------------------------------------------------------------------------

ITEM_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
ITEM_TYPES: tuple[str, ...] = ("userMessage", "agentMessage", "command", "fileChange", "steer", "notice")
ITEM_STATUSES: tuple[str, ...] = ("inProgress", "completed", "failed", "declined")
ITEMS_MAX = 200
ITEMS_BYTES = 64 * 1024  # the text of all of a task's items together; the oldest items go first
ITEM_OUTPUT_BYTES = 4000  # a command item's output: its tail

# --- steers ----------------------------------------------------------------------------------------

STEER_BYTES = 12000
STEER_STATUSES: tuple[str, ...] = (PENDING, "applied", "rejected")
STEERS_PER_TASK = 50
