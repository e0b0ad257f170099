"""An interactive task's text never outgrows what the volatile store reserves for it.

The volatile store keeps unfinished text by counting each unfinished task as its reserve (the most
its text can hold); these tests fill a turn's items, requests, steers and answers to their budgets
through the same functions the relay uses and check the entry stays within
`INTERACTIVE_TEXT_RESERVE`. That the store keeps its promises for that reserve, on every backend:
tests/volatile/test_task_text.py.
"""

from __future__ import annotations

import pytest

from mobile_codex.core import interactive as turn
from mobile_codex.core.task_text import EMPTY, text_size
from mobile_codex.relay_app.errors import ApiError
from mobile_codex.relay_app.resources.turn_bodies import parse_turn_report
from mobile_codex.relay_app.services import conversation
from mobile_codex.relay_app.services.tasks import INTERACTIVE_TEXT_RESERVE, PROMPT_BYTES, TEXT_RESERVE

NOW = "2026-11-26T12:00:00.000Z"


def largest_request(task_id: str, request_id: str) -> dict:
    """A request at every budget of core/interactive.py (multi-byte text: more bytes per character)."""
    diff_each = turn.DIFFS_BYTES // turn.CHANGES_MAX
    request = {
        "requestId": request_id, "kind": "fileChange", "title": "T" * turn.TITLE_BYTES,
        "command": "c" * turn.COMMAND_BYTES, "cwd": "d" * turn.CWD_BYTES, "reason": "r" * turn.REASON_BYTES,
        "changes": [
            {"path": "p" * turn.PATH_BYTES, "kind": "update", "movePath": "m" * turn.PATH_BYTES, "diff": "+" * diff_each}
            for _ in range(turn.CHANGES_MAX)
        ],
        "decisions": list(turn.DECISIONS), "truncated": True,
    }  # fmt: skip
    request["digest"] = turn.request_digest(task_id, request)
    assert turn.request_problem(request) is None
    return request


def largest_item(n: int) -> dict:
    return {
        "itemId": f"{n:064d}", "type": "fileChange", "text": "字" * turn.ITEMS_BYTES, "command": "c" * 9000,
        "cwd": "d" * 999, "exitCode": -(2**53), "status": "inProgress", "output": "o" * 9000,
        "changes": [{"path": "p" * 999, "kind": "update", "movePath": "m" * 999, "added": 2**53, "removed": 2**53}] * 60,
        "at": "a" * 99,
    }  # fmt: skip


def full_entry(task_id: str = "task_full") -> dict:
    entry = {**EMPTY, "prompt": "字" * (PROMPT_BYTES // 3), "title": "t" * 120}
    entry.update(conversation.turn_text(model="m" * conversation.MODEL_BYTES, effort="e" * conversation.EFFORT_BYTES))
    report = parse_turn_report({
        "itemsAppend": [largest_item(n) for n in range(turn.ITEMS_MAX + 5)],
        "turnId": "u" * 999, "tokenUsage": {"input": 2**53, "output": 2**53},
    })  # fmt: skip
    conversation.apply_report(entry, task_id, report, NOW)
    # Requests: pending ones until the budget refuses, answered by the longest name, then more.
    added = 0
    while added < turn.REQUESTS_PER_TASK:
        request = largest_request(task_id, f"r{added}")
        try:
            conversation.apply_report(entry, task_id, parse_turn_report({"requestsAdd": [request]}), NOW)
        except ApiError:
            break  # the pending ones fill the budget: answer them all, so they stay until settled
        added += 1
    for request in entry["requests"]:
        if request["status"] == turn.PENDING:
            conversation.answer(entry, request["requestId"], decision="accept", digest=request["digest"], by="n" * 200, now=NOW)
    for n in range(turn.STEERS_PER_TASK):
        try:
            conversation.add_steer(entry, f"steer_{n:016x}", "字" * (turn.STEER_BYTES // 3), NOW)
        except ApiError:
            break
    rejected = [{"steerId": s["steerId"], "reason": "字" * 500} for s in entry["steers"]]
    conversation.apply_report(entry, task_id, parse_turn_report({"steersRejected": rejected}), NOW)
    return entry


def test_a_turn_at_every_budget_fits_its_reserve():
    entry = full_entry()
    assert len(entry["items"]) <= turn.ITEMS_MAX and sum(map(text_size, entry["items"])) <= turn.ITEMS_BYTES
    assert entry["requests"] and all(r["answer"] for r in entry["requests"])
    assert text_size(entry) <= INTERACTIVE_TEXT_RESERVE, (text_size(entry), INTERACTIVE_TEXT_RESERVE)
    # And the reserve is not wildly more than a real worst case (it costs other tasks their room).
    assert INTERACTIVE_TEXT_RESERVE < 2 * text_size(entry) + TEXT_RESERVE


def test_one_largest_item_fits_the_item_budget_whole():
    (item,) = parse_turn_report({"itemsAppend": [largest_item(1)]}).items
    assert text_size(item) <= turn.ITEMS_BYTES
