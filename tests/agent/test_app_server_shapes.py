"""Codex's app-server messages as API.md items and requests: relative paths, diff stats, budgets, digests."""

from __future__ import annotations

from mobile_codex.agent_app.codex.app_server.items import diff_stats, item_id, phone_item
from mobile_codex.agent_app.codex.app_server.requests import COMMAND_APPROVAL, FILE_CHANGE_APPROVAL, RequestIds, phone_request
from mobile_codex.core.interactive import COMMAND_BYTES, DIFFS_BYTES, ITEM_ID, request_digest, request_problem
from mobile_codex.core.text import utf8_size

CWD = "/srv/work/repo"


def test_diff_stats_by_kind():
    assert diff_stats("add", "one\ntwo\n") == (2, 0)
    assert diff_stats("update", "@@ -1,2 +1,2 @@\n-old\n+new\n+more\n context\n") == (2, 1)
    assert diff_stats("delete", "gone\nalso gone\n") == (0, 2)


def test_item_ids_fit_the_pattern_or_are_hashed_stably():
    assert item_id("call_1") == "call_1"
    odd = item_id("has space/and slash " * 5)
    assert ITEM_ID.fullmatch(odd) and odd == item_id("has space/and slash " * 5)


def test_file_change_item_paths_are_relative_to_the_turn():
    item = {"type": "fileChange", "id": "c", "status": "completed", "changes": [
        {"path": f"{CWD}/src/a.py", "kind": {"type": "update", "move_path": f"{CWD}/src/b.py"}, "diff": "@@\n-x\n+y\n"},
    ]}  # fmt: skip
    shown = phone_item(item, at="t", cwd=CWD)
    assert shown["changes"] == [{"path": "src/a.py", "kind": "update", "movePath": "src/b.py", "added": 1, "removed": 1}]


def test_a_long_command_is_clamped_before_its_digest():
    params = {"command": "echo " + "é" * 5000, "cwd": CWD, "reason": "r" * 2000}
    request = phone_request(COMMAND_APPROVAL, params, request_id="r1", task_id="task", cwd=CWD, file_changes={}, requested_at="t")
    assert request["truncated"] is True and utf8_size(request["command"]) <= COMMAND_BYTES and request["cwd"] == "."
    assert request_problem(request) is None and request["digest"] == request_digest("task", request)


def test_file_change_request_takes_its_changes_from_the_item_and_keeps_diffs_in_budget():
    changes = [{"path": f"{CWD}/f{i}.txt", "kind": {"type": "add"}, "diff": "x" * 1500} for i in range(60)]
    request = phone_request(FILE_CHANGE_APPROVAL, {"itemId": "c9"}, request_id="r2", task_id="task", cwd=CWD,
                            file_changes={"c9": {"changes": changes}}, requested_at="t")  # fmt: skip
    assert request["kind"] == "fileChange" and len(request["changes"]) == 50 and request["truncated"] is True
    assert sum(utf8_size(c["diff"]) for c in request["changes"]) <= DIFFS_BYTES
    assert request["changes"][0]["path"] == "f0.txt" and request_problem(request) is None


def test_request_ids_differ_across_app_server_processes():
    first, second = RequestIds(), RequestIds()
    assert first.next() != second.next() and first.next() != first.next()
