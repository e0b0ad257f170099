"""The interactive-Codex rules every side shares: mode rules, request budgets and the digest."""

from __future__ import annotations

import hashlib
import json

import pytest

from mobile_codex.core.interactive import DIFFS_BYTES, request_digest, request_problem
from mobile_codex.core.plugin_types import ExecModeSpec
from mobile_codex.core.task_catalog import TurnRules, turn_rules_problem


def test_a_mode_that_does_not_write_may_not_ask():
    assert turn_rules_problem(TurnRules(sandbox="read-only", approval_policy="never")) is None
    assert turn_rules_problem(TurnRules(sandbox="workspace-write", approval_policy="untrusted")) is None
    assert "does not write" in turn_rules_problem(TurnRules(sandbox="read-only", approval_policy="untrusted"))
    assert "sandbox" in turn_rules_problem(TurnRules(sandbox="danger-full-access", approval_policy="never"))
    assert "approval policy" in turn_rules_problem(TurnRules(sandbox="workspace-write", approval_policy="on-failure"))


def test_exec_mode_spec_is_either_a_command_line_or_a_turn():
    turn = TurnRules(sandbox="workspace-write", approval_policy="on-request")
    mode = ExecModeSpec(id="m", label="M", writes=True, flags=("codexExec", "codexExecWrite"), turn=turn, model="o3")
    assert mode.interactive
    with pytest.raises(ValueError, match="either"):
        ExecModeSpec(id="m", label="M", writes=True, flags=(), turn=turn, build_command=lambda run: [])
    with pytest.raises(ValueError, match="either"):
        ExecModeSpec(id="m", label="M", writes=False, flags=())
    with pytest.raises(ValueError, match="writes must be True"):
        ExecModeSpec(id="m", label="M", writes=False, flags=(), turn=turn)
    with pytest.raises(ValueError, match="does not write"):
        ExecModeSpec(id="m", label="M", writes=False, flags=(), turn=TurnRules(sandbox="read-only", approval_policy="on-request"))
    with pytest.raises(ValueError, match="interactive"):
        ExecModeSpec(id="m", label="M", writes=False, flags=(), build_command=lambda run: [], model="o3")


def _request(**changes):
    request = {
        "requestId": "r1", "kind": "command", "title": "Run a command", "command": "ls -la", "cwd": "/w", "reason": "",
        "changes": [], "decisions": ["accept", "decline", "cancel"], "truncated": False,
    }  # fmt: skip
    request.update(changes)
    request["digest"] = request_digest("task_1", request)
    return request


def test_the_digest_is_sha256_of_the_jcs_encoding_of_what_is_shown():
    request = _request(changes=[{"path": "a.txt", "kind": "add", "movePath": None, "diff": "+é\n"}])
    shown = {
        "changes": [{"diff": "+é\n", "kind": "add", "movePath": None, "path": "a.txt"}], "command": "ls -la",
        "cwd": "/w", "kind": "command", "reason": "", "requestId": "r1", "taskId": "task_1", "title": "Run a command",
    }  # fmt: skip
    jcs = json.dumps(shown, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert request["digest"] == hashlib.sha256(jcs).hexdigest()
    # decisions, status and who answered are not shown content: they do not change the digest
    assert request_digest("task_1", {**request, "decisions": ["accept"], "status": "accepted"}) == request["digest"]
    assert request_digest("task_2", request) != request["digest"]
    assert request_digest("task_1", {**request, "command": "ls -l"}) != request["digest"]


def test_requests_over_budget_are_refused_not_clamped():
    assert request_problem(_request()) is None
    assert "requestId" in request_problem(_request(requestId="r 1"))
    assert "kind" in request_problem(_request(kind="shell"))
    assert "command" in request_problem(_request(command="x" * 4001))
    assert "decisions" in request_problem(_request(decisions=["accept", "acceptForSession"]))
    assert "decisions" in request_problem(_request(decisions=[]))
    big = [{"path": f"f{i}", "kind": "update", "diff": "x" * (DIFFS_BYTES // 2)} for i in range(3)]
    assert "diffs" in request_problem(_request(kind="fileChange", changes=big))
    assert "changes" in request_problem(_request(kind="fileChange", changes=[{"path": "a", "kind": "rename"}]))
    assert "digest" in request_problem({**_request(), "digest": "nope"})
