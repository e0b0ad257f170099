"""core/intents.py: the shape of a signed intent, its challenge and what it asks for (issue 20)."""

from __future__ import annotations

import hashlib

import pytest
import rfc8785

from mobile_codex.core import intents
from mobile_codex.core.interactive import request_digest

EXPIRES = 1_800_000_000_000


def _task(**body):
    body = {"type": "codex_exec", "agentId": "vm", "prompt": "fix it", "execMode": "supervised", **body}
    return intents.task_intent(body, intent_id=intents.new_intent_id(), expires_at=EXPIRES)


def test_intent_id_is_22_base64url_characters_of_16_random_bytes():
    ids = {intents.new_intent_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(intents.INTENT_ID.fullmatch(i) for i in ids)


def test_a_task_intent_has_every_key_with_absent_values_null():
    intent = _task()
    assert list(intent) == list(intents.KEYS["task"])
    assert intent["cwd"] is None and intent["writeAccess"] is None and intent["actionId"] is None
    assert intent["promptSha256"] == hashlib.sha256(b"fix it").hexdigest()
    assert intents.intent_problem(intent) is None


def test_challenge_is_sha256_of_the_jcs_encoding():
    intent = _task(cwd="src")
    assert intents.challenge(intent) == hashlib.sha256(rfc8785.dumps(intent)).digest()
    # key order does not matter, any value does
    assert intents.challenge(dict(reversed(list(intent.items())))) == intents.challenge(intent)
    assert intents.challenge({**intent, "cwd": "src/"}) != intents.challenge(intent)
    # a known value, so the phone's JCS can be checked against it
    fixed = {**intent, "intentId": "AAAAAAAAAAAAAAAAAAAAAA"}
    assert rfc8785.dumps(fixed).startswith(b'{"actionId":null,"agentId":"vm","cwd":"src"')


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"v": 2}, "v must be 1"),
        ({"intentId": "short"}, "intentId"),
        ({"agentId": "a/b"}, "agentId"),
        ({"expiresAt": "1"}, "expiresAt"),
        ({"expiresAt": True}, "expiresAt"),
        ({"type": "shell"}, "type must be"),
        ({"actionId": 7}, "actionId must be a string"),
        ({"cwd": "x" * 241}, "cwd is over 240"),
        ({"cwd": 3}, "cwd must be a string"),
        ({"writeAccess": "yes"}, "writeAccess"),
        ({"promptSha256": None}, "promptSha256"),
        ({"extra": 1}, "exactly the keys"),
    ],
)
def test_malformed_task_intents_are_refused(change, problem):
    found = intents.intent_problem({**_task(), **change})
    assert found is not None and problem in found


def test_a_missing_key_is_refused_and_kind_must_be_the_expected_one():
    intent = _task()
    del intent["cwd"]
    assert "exactly the keys" in intents.intent_problem(intent)
    assert intents.intent_problem(_task(), kind="approve") == "kind must be 'approve'"


def test_answer_and_steer_intents():
    request = {"requestId": "r1", "kind": "command", "title": "Run ls", "command": "ls", "cwd": "/w", "reason": None}
    digest = request_digest("task_1", request)
    answer = intents.answer_intent("task_1", "vm", "r1", digest, "accept", intent_id=intents.new_intent_id(), expires_at=EXPIRES)
    assert intents.intent_problem(answer, kind="answer") is None
    assert "decision" in intents.intent_problem({**answer, "decision": "acceptForSession"})
    assert "digest" in intents.intent_problem({**answer, "digest": digest.upper()})
    steer = intents.steer_intent("task_1", "vm", "also tests", intent_id=intents.new_intent_id(), expires_at=EXPIRES)
    assert steer["textSha256"] == hashlib.sha256(b"also tests").hexdigest()
    assert intents.intent_problem(steer, kind="steer") is None
    assert "textSha256" in intents.intent_problem({**steer, "textSha256": None})


def test_assertion_shape_and_pairing():
    assertion = {"credentialId": "abc", "clientDataJSON": "eyJ0", "authenticatorData": "SZYN", "signature": "MEUC", "userHandle": None}
    assert intents.assertion_problem(assertion) is None
    assert "base64url" in intents.assertion_problem({**assertion, "signature": "a+b/"})
    assert "base64url" in intents.assertion_problem({**assertion, "signature": "A" * 5000})
    assert "exactly the keys" in intents.assertion_problem({**assertion, "id": "x"})
    assert intents.signed_pair_problem(None, None, kind="task") is None
    assert "come together" in intents.signed_pair_problem(_task(), None, kind="task")
    assert intents.signed_pair_problem(_task(), assertion, kind="task") is None


def test_effective_task_applies_the_relays_defaults_only():
    assert intents.effective_task(_task(execMode=None))["execMode"] == "read-only"
    assert intents.effective_task(_task(execMode=None, writeAccess=True))["execMode"] == "workspace-write"
    assert intents.effective_task(_task(execMode=None, resumeSessionId="s1"))["execMode"] == "resume"
    assert intents.effective_task(_task())["cwd"] == "."
    assert intents.effective_task(_task(cwd="src"))["cwd"] == "src"


def _view(**fields):
    return {
        "taskId": "task_1", "agentId": "vm", "type": "codex_exec", "execMode": "supervised", "cwd": ".", "prompt": "fix it",
        "actionId": "", "logSourceId": "", "sessionId": "", "threadId": "", "resumeSessionId": "", **fields,
    }  # fmt: skip


def test_task_mismatch_names_the_first_field_that_differs():
    intent = _task()
    assert intents.task_mismatch(intent, _view()) is None
    assert intents.task_mismatch(intent, _view(prompt="fix it!")) == "prompt"
    assert intents.task_mismatch(intent, _view(cwd="..")) == "cwd"
    assert intents.task_mismatch(intent, _view(execMode="workspace-write")) == "execMode"
    assert intents.task_mismatch(intent, _view(agentId="other")) == "agentId"
    assert intents.task_mismatch(intent, _view(type="run_action")) == "type"
    assert intents.task_mismatch(intent, _view(threadId="t1")) == "threadId"
    action = intents.task_intent({"type": "run_action", "agentId": "vm", "actionId": "deploy"}, intent_id=intents.new_intent_id(), expires_at=EXPIRES)
    assert intents.intent_problem(action) is None
    assert intents.task_mismatch(action, _view(type="run_action", actionId="deploy", execMode="", prompt="")) is None
    assert intents.task_mismatch(action, _view(type="run_action", actionId="restart", execMode="", prompt="")) == "actionId"
    approve = intents.approve_intent("task_1", {"type": "run_action", "agentId": "vm", "actionId": "deploy"}, intent_id=intents.new_intent_id(), expires_at=EXPIRES)
    assert intents.task_mismatch(approve, _view(type="run_action", actionId="deploy")) is None
    assert intents.task_mismatch(approve, _view(taskId="task_2", type="run_action", actionId="deploy")) == "taskId"


def test_what_needs_a_signature_comes_from_the_catalogue():
    def need(setting, task_type, writes=False):
        return intents.needs_signature(setting, task_type=task_type, mode_writes=writes)

    assert not need("off", "run_action")
    assert need("writes", "run_action") and need("writes", "delete_session")
    assert need("writes", "codex_exec", writes=True) and not need("writes", "codex_exec", writes=False)
    assert not need("writes", "read_log") and not need("writes", "read_session")
    assert all(need("all", name) for name in ("codex_exec", "read_log", "read_session"))
