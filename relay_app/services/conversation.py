"""An interactive turn's conversation as the relay holds it: items, requests, steers and answers.

API.md "Interactive Codex". All of it is task text: it lives in the task's volatile entry
(core/task_text.py) and never reaches the store, nor does who answered (`decidedBy`, `decidedAt`). The
functions here change one entry inside `TaskText.update`, so each checks everything first and
only then changes the entry (a refusal leaves it as it was).

Budgets, so an interactive task's text never outgrows `TURN_RESERVE` (what the volatile store
reserves for it while it is unfinished): items at most ITEMS_MAX and ITEMS_BYTES, the oldest
dropped (API.md); requests at most REQUESTS_PER_TASK per task, more refused (core/interactive.py),
and REQUESTS_BYTES of text, the oldest settled ones dropped first — a request still waiting for a
person or for its answer to reach the agent is never dropped, and one that would not fit beside
those is refused; steers at most STEERS_PER_TASK and STEERS_BYTES, the oldest finished dropped
first, and a new one refused (429 `too-many-steers`) while pending ones fill the budget.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from mobile_codex.core.interactive import (
    DECISION_STATUS, ITEMS_BYTES, ITEMS_MAX, PENDING, REQUEST_STATUSES, REQUESTS_PER_TASK, STEERS_PER_TASK,
    request_digest,
)  # fmt: skip
from mobile_codex.core.intents import SIGNED_BYTES
from mobile_codex.core.records import Task
from mobile_codex.core.task_catalog import BUILT_IN_TURN_MODES
from mobile_codex.core.task_text import text_size

from ..errors import BadRequest, Conflict, NotFound, TooManyRequests, invalid_field
from .task_values import TurnReport

REQUESTS_BYTES = 256 * 1024  # all of one task's requests; one request at its budgets is ~52 KB
# What answering or settling adds to a request (decision, digest, who, when, a signed intent).
ANSWER_BYTES = 512 + SIGNED_BYTES
STEERS_BYTES = 64 * 1024
STEER_REASON_BYTES = 200
MODEL_BYTES = 80
EFFORT_BYTES = 20
TURN_ID_BYTES = 120
# turnId, tokenUsage, model, effort, the flags and the keys of an interactive entry, generously.
FIXED_BYTES = 1024
TURN_RESERVE = (
    ITEMS_BYTES + REQUESTS_BYTES + REQUESTS_PER_TASK * ANSWER_BYTES
    + STEERS_BYTES + STEERS_PER_TASK * (STEER_REASON_BYTES + 64) + FIXED_BYTES
)  # fmt: skip


def turn_text(*, model: str, effort: str) -> dict[str, Any]:
    """The volatile fields an interactive task starts with."""
    return {
        "interactive": True, "model": model, "effort": effort, "turnId": "", "tokenUsage": None, "items": [],
        "requests": [], "steers": [], "requestsAdded": 0,
    }  # fmt: skip


def is_interactive(task: Task, text: Mapping[str, Any]) -> bool:
    """Whether the task runs an interactive mode (the built-in ones also once their text is gone)."""
    return bool(text.get("interactive")) or task.exec_mode in BUILT_IN_TURN_MODES


def awaiting_input(text: Mapping[str, Any]) -> bool:
    return any(request["status"] == PENDING for request in text.get("requests") or ())


# --- the agent's report ----------------------------------------------------------------------


def apply_report(entry: dict[str, Any], task_id: str, report: TurnReport, now: str) -> None:
    """Take an agent's update of the conversation: checks everything, then changes the entry."""
    if not entry.get("interactive"):
        raise invalid_field(report.first_field())
    # Each budget is looked at only when the report touches its list (an update is often one item).
    if report.requests_add or report.requests_resolved:
        added = _new_requests(entry, task_id, report.requests_add, now)
        _check_request_room(entry, added)
        entry["requests"].extend(added)
        entry["requestsAdded"] += len(added)
        for request_id, status in report.requests_resolved:
            _settle(entry, request_id, status, now)
        _trim_requests(entry)
    if report.items:
        for item in report.items:
            _put_item(entry["items"], {**item, "at": _time(item.get("at"), now)})
        _trim(entry["items"], ITEMS_MAX, ITEMS_BYTES, droppable=lambda item: True)
    if report.steers_applied or report.steers_rejected:
        for steer_id in report.steers_applied:
            _finish_steer(entry, steer_id, "applied", "")
        for steer_id, reason in report.steers_rejected:
            _finish_steer(entry, steer_id, "rejected", reason)
        _trim(entry["steers"], STEERS_PER_TASK, STEERS_BYTES, droppable=lambda steer: steer["status"] != PENDING)
    if report.turn_id is not None:
        entry["turnId"] = report.turn_id
    if report.token_usage is not None:
        entry["tokenUsage"] = dict(report.token_usage)


def _new_requests(entry: dict[str, Any], task_id: str, requests: Iterable[dict], now: str) -> list[dict]:
    known = {request["requestId"] for request in entry["requests"]}
    added = []
    for request in requests:
        if request_digest(task_id, request) != request["digest"]:
            raise BadRequest("invalid-field", detail="requestsAdd: digest does not match the request")
        if request["requestId"] in known:
            continue  # a retried update: the first one stands
        known.add(request["requestId"])
        status = request.get("status") if request.get("status") in REQUEST_STATUSES else PENDING
        added.append({
            "requestId": request["requestId"], "kind": request["kind"], "status": status,
            "title": request.get("title"), "command": request.get("command"), "cwd": request.get("cwd"),
            "reason": request.get("reason"),
            "changes": [
                {key: change.get(key) for key in ("path", "kind", "movePath", "diff")}
                for change in request.get("changes") or []
            ],
            "decisions": list(request["decisions"]), "digest": request["digest"],
            "truncated": request.get("truncated", False), "requestedAt": _time(request.get("requestedAt"), now),
            "decidedAt": None if status == PENDING else now, "decidedBy": None,
            "answer": None, "settled": status != PENDING,
        })  # fmt: skip
    if entry["requestsAdded"] + len(added) > REQUESTS_PER_TASK:
        raise BadRequest("invalid-field", detail=f"requestsAdd: at most {REQUESTS_PER_TASK} requests per task")
    return added


def _time(value: Any, now: str) -> str:
    """The agent's own time for something (when Codex asked), if it sent a plausible one; else now."""
    return value if isinstance(value, str) and 0 < len(value) <= 40 else now


def _kept(request: dict[str, Any]) -> bool:
    """A request that must stay: a person may still answer it, or its answer is still on its way."""
    return request["status"] == PENDING or (request["answer"] is not None and not request["settled"])


def _check_request_room(entry: dict[str, Any], added: list[dict]) -> None:
    kept = sum(text_size(request) for request in entry["requests"] if _kept(request))
    if kept + sum(map(text_size, added)) > REQUESTS_BYTES:
        raise BadRequest("invalid-field", detail=f"requestsAdd: over {REQUESTS_BYTES} bytes of requests waiting")


def _settle(entry: dict[str, Any], request_id: str, status: str, now: str) -> None:
    """The agent's final word on a request stands, also over an answer the relay recorded."""
    for request in entry["requests"]:
        if request["requestId"] == request_id:
            request["status"] = status
            request["decidedAt"] = request["decidedAt"] or now
            request["settled"] = True
            return


def _trim_requests(entry: dict[str, Any]) -> None:
    _trim(entry["requests"], REQUESTS_PER_TASK, REQUESTS_BYTES, droppable=lambda request: not _kept(request))


def _put_item(items: list[dict], item: dict[str, Any]) -> None:
    for index, held in enumerate(items):
        if held["itemId"] == item["itemId"]:
            items[index] = item  # an update keeps the item's place in the conversation
            return
    items.append(item)


def _trim(values: list[dict], most: int, budget: int, *, droppable) -> None:
    """Drop the oldest droppable values until at most `most` remain within `budget` bytes."""
    size = sum(map(text_size, values))
    while len(values) > most or size > budget:
        index = next((i for i, value in enumerate(values) if droppable(value)), None)
        if index is None:
            return  # only values that must stay are left (their room is reserved)
        size -= text_size(values.pop(index))


def _finish_steer(entry: dict[str, Any], steer_id: str, status: str, reason: str) -> None:
    for steer in entry["steers"]:
        if steer["steerId"] == steer_id and steer["status"] == PENDING:
            steer["status"], steer["reason"] = status, reason
            return


# --- the phone's side ------------------------------------------------------------------------


def answer(
    entry: dict[str, Any], request_id: str, *, decision: str, digest: str, by: str, now: str,
    signed: Mapping[str, Any] | None = None,
) -> None:  # fmt: skip
    """Record a person's answer (API.md's order of checks); the first answer wins."""
    request = next((r for r in entry.get("requests") or () if r["requestId"] == request_id), None)
    if request is None:
        raise NotFound("request-not-found")
    if request["status"] != PENDING:
        raise Conflict("request-not-pending")
    if digest != request["digest"]:
        raise Conflict("request-changed")
    if decision not in request["decisions"]:
        raise invalid_field("decision")
    request.update(status=DECISION_STATUS[decision], decidedAt=now, decidedBy=by)
    request["answer"] = {"decision": decision, "digest": digest, "sent": False}
    if signed is not None:
        request["answer"].update(signed)  # intent, intentAssertion: the agent's to verify


def add_steer(entry: dict[str, Any], steer_id: str, text: str, now: str, *, signed: Mapping[str, Any] | None = None) -> None:
    """Queue a steer for the running turn; refused while pending steers fill the budget (a signed
    steer's intent and assertion count towards it)."""
    steers = entry.setdefault("steers", [])
    steer = {"steerId": steer_id, "text": text, "status": PENDING, "reason": "", "at": now, "sent": False, **(signed or {})}
    pending = [s for s in steers if s["status"] == PENDING]
    if len(pending) >= STEERS_PER_TASK or sum(map(text_size, pending)) + text_size(steer) > STEERS_BYTES:
        raise TooManyRequests("too-many-steers")
    steers.append(steer)
    _trim(steers, STEERS_PER_TASK, STEERS_BYTES, droppable=lambda s: s["status"] != PENDING)


def undelivered(entry: dict[str, Any] | None) -> tuple[list[dict], list[dict], bool]:
    """(answers, steers, any of them never sent before) still owed to the agent; a read.

    API.md: repeated on every poll until the agent reports the request settled or the steer
    applied or rejected. Only ones never sent before end a held poll at once (a repeat alone would
    make the agent poll in a hot loop while its turn works on them): `mark_sent` once they went."""
    if not entry or not entry.get("interactive"):
        return [], [], False
    answers, steers, fresh = [], [], False
    for request in entry["requests"]:
        if request["answer"] is not None and not request["settled"]:
            owed = request["answer"]
            answers.append({
                "requestId": request["requestId"], "decision": owed["decision"], "digest": owed["digest"],
                **_signed(owed),
            })  # fmt: skip
            fresh = fresh or not owed["sent"]
    for steer in entry["steers"]:
        if steer["status"] == PENDING:
            steers.append({"steerId": steer["steerId"], "text": steer["text"], **_signed(steer)})
            fresh = fresh or not steer["sent"]
    return answers, steers, fresh


def _signed(held: Mapping[str, Any]) -> dict[str, Any]:
    """A signed answer's or steer's intent and assertion for the poll reply (nothing when unsigned)."""
    return {key: held[key] for key in ("intent", "intentAssertion") if held.get(key) is not None}


class TextGone(Exception):
    """The entry to change is no longer held (its text went meanwhile): nothing to change."""


def mark_sent(entry: dict[str, Any], answers: list[dict], steers: list[dict]) -> None:
    """Note that these answers and steers (from `undelivered`) went out in a poll reply. Raises
    TextGone rather than leave a new empty entry behind for a task whose text went meanwhile."""
    if not entry.get("interactive"):
        raise TextGone()
    request_ids = {answer["requestId"] for answer in answers}
    steer_ids = {steer["steerId"] for steer in steers}
    for request in entry["requests"]:
        if request["requestId"] in request_ids and request["answer"] is not None:
            request["answer"]["sent"] = True
    for steer in entry["steers"]:
        if steer["steerId"] in steer_ids:
            steer["sent"] = True
