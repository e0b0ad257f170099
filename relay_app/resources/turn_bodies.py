"""Reading the bodies of interactive turns: an agent's conversation fields, a person's answer and steer.

API.md "Interactive Codex". Items are clamped to their budgets like other reported text (so one
item always fits the task's item budget); a request is refused (400 `invalid-field`), never
clamped, when it breaks core/interactive.py's rules: the digest the person answers must cover
exactly what they are shown. Rules that need the task (how many requests, digests against task
ids, who may answer) live in services/conversation.py and services/turns.py.
"""

from __future__ import annotations

import re
from typing import Any

from mobile_codex.core.interactive import (
    CHANGE_KINDS, CHANGES_MAX, COMMAND_BYTES, CWD_BYTES, FINAL_REQUEST_STATUSES, ITEM_ID, ITEM_OUTPUT_BYTES,
    ITEM_STATUSES, ITEM_TYPES, ITEMS_MAX, PATH_BYTES, REQUEST_ID, STEER_BYTES, request_problem,
)  # fmt: skip

from ..errors import BadRequest, invalid_field
from ..fields import array, clamp_head, clamp_tail, obj, text
from ..services.conversation import STEER_REASON_BYTES, TURN_ID_BYTES
from ..services.task_values import TurnReport

ITEM_TEXT_BYTES = 24 * 1024  # with its other fields at their budgets an item stays within ITEMS_BYTES
STEER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _int(value: Any, name: str, *, optional: bool = True) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < -(2**53) or value > 2**53:
        raise invalid_field(name)
    return value


def _str(value: Any, name: str, budget: int, *, tail: bool = False) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid_field(name)
    return clamp_tail(value, budget) if tail else clamp_head(value, budget)


def _change(change: Any) -> dict[str, Any] | None:
    """One file of a fileChange item (display only: one of a kind this relay does not know is left out)."""
    if not isinstance(change, dict):
        raise invalid_field("itemsAppend")
    if change.get("kind") not in CHANGE_KINDS:
        return None
    return {
        "path": _str(change.get("path"), "itemsAppend", PATH_BYTES), "kind": change["kind"],
        "movePath": _str(change.get("movePath"), "itemsAppend", PATH_BYTES) or None,
        "added": _int(change.get("added"), "itemsAppend"), "removed": _int(change.get("removed"), "itemsAppend"),
    }  # fmt: skip


def _item(item: Any) -> dict[str, Any]:
    name = "itemsAppend"
    if not isinstance(item, dict) or not isinstance(item.get("itemId"), str) or not ITEM_ID.fullmatch(item["itemId"]):
        raise invalid_field(name)
    if item.get("type") not in ITEM_TYPES or item.get("status") not in (None, *ITEM_STATUSES):
        raise invalid_field(name)
    changes = item.get("changes")
    if changes is not None and not isinstance(changes, list):
        raise invalid_field(name)
    parsed = {
        "itemId": item["itemId"], "type": item["type"], "text": _str(item.get("text"), name, ITEM_TEXT_BYTES),
        "command": _str(item.get("command"), name, COMMAND_BYTES), "cwd": _str(item.get("cwd"), name, CWD_BYTES),
        "exitCode": _int(item.get("exitCode"), name), "status": item.get("status"),
        "output": _str(item.get("output"), name, ITEM_OUTPUT_BYTES, tail=True),
        "changes": [c for c in map(_change, (changes or [])[:CHANGES_MAX]) if c is not None],
        "at": _str(item.get("at"), name, 40),
    }  # fmt: skip
    return parsed


def _pairs(body: dict, name: str, id_name: str, id_pattern: re.Pattern, second: str) -> list[tuple[str, Any]]:
    pairs = []
    for entry in array(body, name) or []:
        if not isinstance(entry, dict) or not isinstance(entry.get(id_name), str) or not id_pattern.fullmatch(entry[id_name]):
            raise invalid_field(name)
        pairs.append((entry[id_name], entry.get(second)))
    return pairs


def _token_usage(body: dict) -> dict | None:
    usage = obj(body, "tokenUsage")
    if usage is None:
        return None
    values = {key: _int(usage.get(key), "tokenUsage", optional=False) for key in ("input", "output")}
    if any(value < 0 for value in values.values()):
        raise invalid_field("tokenUsage")
    return values


def parse_turn_report(body: dict[str, Any]) -> TurnReport | None:
    """The update's conversation fields (None when it carries none, as every old agent's)."""
    if not any(body.get(wire) is not None for wire, _ in TurnReport.FIELDS):
        return None
    requests = array(body, "requestsAdd") or []
    for request in requests:
        problem = request_problem(request)
        if problem:
            raise BadRequest("invalid-field", detail=f"requestsAdd: {problem}")
    resolved = _pairs(body, "requestsResolved", "requestId", REQUEST_ID, "status")
    if any(status not in FINAL_REQUEST_STATUSES for _, status in resolved):
        raise invalid_field("requestsResolved")
    applied = array(body, "steersApplied") or []
    if not all(isinstance(steer_id, str) and STEER_ID.fullmatch(steer_id) for steer_id in applied):
        raise invalid_field("steersApplied")
    rejected = _pairs(body, "steersRejected", "steerId", STEER_ID, "reason")
    return TurnReport(
        items=tuple(_item(item) for item in (array(body, "itemsAppend") or [])[-ITEMS_MAX:]),
        requests_add=tuple(requests), requests_resolved=tuple(resolved), steers_applied=tuple(applied),
        steers_rejected=tuple((steer_id, _str(reason, "steersRejected", STEER_REASON_BYTES)) for steer_id, reason in rejected),
        turn_id=None if body.get("turnId") is None else text(body, "turnId", TURN_ID_BYTES),
        token_usage=_token_usage(body),
    )  # fmt: skip


def parse_answer(body: dict[str, Any]) -> tuple[str, str]:
    """(decision, digest) as sent; a value that is not a string is "" (no request offers that decision
    or has that digest). Checked by the service in API.md's order, after the task and the request:
    a foreign task id answers 404 whatever the body."""
    decision, digest = body.get("decision"), body.get("digest")
    return (decision if isinstance(decision, str) else "", digest if isinstance(digest, str) else "")


def parse_steer(body: dict[str, Any]) -> str:
    """The steer's text clamped to STEER_BYTES ("" when missing or not a string: the service refuses
    it after the task checks, 400 `invalid-field`)."""
    value = body.get("text")
    return clamp_head(value, STEER_BYTES) if isinstance(value, str) else ""
