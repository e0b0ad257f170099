"""Signed intents on the relay (issue 20): shape checks, `intent-mismatch`, the untouched passthrough
to the agent's poll reply, and the passkey listing agents read (`POST /api/agent/passkeys`).

The relay never judges a signature (the agent does, tests/agent/test_signed_intents.py); here a real
passkey registered through the API signs, so what travels is what a phone would send.
"""

from __future__ import annotations

import copy

import attrs
import pytest

from mobile_codex.core import intents
from mobile_codex.core.interactive import request_digest

from .agent_helpers import member, other_workspace, pair_over_http
from .conftest import ORIGIN
from .passkey_helpers import intent_assertion, register, register_over_http
from .soft_authenticator import SoftAuthenticator, b64url
from .turn_helpers import Turns, command_request

LATER = 1_900_000_000_000  # the relay never looks at the expiry


@pytest.fixture
def turns(tmp_path):
    made = Turns(tmp_path)
    yield made
    made.close()


def _passkey(turns: Turns, label: str = "Phone") -> SoftAuthenticator:
    authenticator = SoftAuthenticator(ORIGIN)
    register_over_http(turns.phone, authenticator, label)
    return authenticator


def signed_body(authenticator, body: dict) -> dict:
    intent = intents.task_intent(body, intent_id=intents.new_intent_id(), expires_at=LATER)
    return {**body, "intent": intent, "intentAssertion": intent_assertion(authenticator, intent)}


def test_a_signed_create_reaches_the_agent_untouched_and_only_the_agent(turns):
    key = _passkey(turns)
    body = signed_body(key, {"type": "codex_exec", "agentId": "agent-1", "prompt": "fix the bug", "execMode": "chat", "cwd": "src"})
    sent = copy.deepcopy(body)
    status, made = turns.phone.post("/api/admin/tasks", body)
    assert status == 201, made
    assert "intent" not in made["task"] and "intentAssertion" not in made["task"]  # the phone's views stay as they were
    (task,) = turns.poll(maxTasks=1)["tasks"]
    assert task["intent"] == sent["intent"] and task["intentAssertion"] == sent["intentAssertion"]
    assert intents.task_mismatch(task["intent"], task) is None  # what the agent will check holds
    # An unsigned task (every old client's) carries nothing new.
    status, plain = turns.create(prompt="hello")
    assert status == 201, plain
    (task,) = turns.poll(maxTasks=1)["tasks"]
    assert not {"intent", "intentAssertion", "approvalIntent", "approvalAssertion"} & set(task)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"prompt": "fix the other bug"}, "prompt"),
        ({"cwd": "lib"}, "cwd"),
        ({"execMode": "supervised"}, "execMode"),
        ({"agentId": "agent-2"}, "agentId"),
        ({"threadId": "thread-9"}, "threadId"),
    ],
)
def test_a_body_that_asks_for_something_else_than_its_intent_is_refused(turns, change, field):
    key = _passkey(turns)
    body = signed_body(key, {"type": "codex_exec", "agentId": "agent-1", "prompt": "fix the bug", "execMode": "chat"})
    if change.get("agentId"):
        pair_over_http(turns.live, turns.phone, "agent-2")
    status, answer = turns.phone.post("/api/admin/tasks", {**body, **change})
    assert (status, answer["error"]) == (400, "intent-mismatch"), answer
    assert field in answer["detail"]
    assert turns.poll(maxTasks=1)["tasks"] == []


def test_signed_fields_are_refused_rather_than_trimmed_or_clamped(turns):
    key = _passkey(turns)
    for body in (
        {"type": "codex_exec", "agentId": "agent-1", "prompt": "p", "execMode": "chat", "cwd": " src "},  # trimmed
        {"type": "codex_exec", "agentId": "agent-1", "prompt": "p" * 12001, "execMode": "chat"},  # clamped
    ):
        status, answer = turns.phone.post("/api/admin/tasks", signed_body(key, body))
        assert (status, answer["error"]) == (400, "intent-mismatch"), answer
        # unsigned, the same body is accepted as ever (clamped or trimmed)
        assert turns.phone.post("/api/admin/tasks", body)[0] == 201


def test_a_malformed_intent_or_a_lone_half_is_invalid_field(turns):
    key = _passkey(turns)
    body = signed_body(key, {"type": "codex_exec", "agentId": "agent-1", "prompt": "p", "execMode": "chat"})
    for broken in (
        {**body, "intentAssertion": None},
        {**body, "intent": None},
        {**body, "intent": {**body["intent"], "v": 2}},
        {**body, "intent": {**body["intent"], "kind": "approve"}},
        {**body, "intentAssertion": {**body["intentAssertion"], "signature": "not base64url!"}},
        {**body, "intent": "a string"},
    ):
        status, answer = turns.phone.post("/api/admin/tasks", broken)
        assert (status, answer["error"]) == (400, "invalid-field"), answer
        assert answer["detail"].startswith("intent: ")


def test_a_signed_approval_names_its_task_and_reaches_the_agent(turns):
    key = _passkey(turns)
    body = {"type": "run_action", "agentId": "agent-1", "actionId": "status"}
    first = turns.phone.post("/api/admin/tasks", body)[1]["task"]
    second = turns.phone.post("/api/admin/tasks", body)[1]["task"]
    shown = {**body}  # the fields as the phone shows the task it approves

    def approval(task_id: str) -> dict:
        intent = intents.approve_intent(task_id, shown, intent_id=intents.new_intent_id(), expires_at=LATER)
        return {"intent": intent, "intentAssertion": intent_assertion(key, intent)}

    # Signed for the other task: refused, and the task still waits.
    status, answer = turns.phone.post(f"/api/admin/tasks/{first['taskId']}/approve", approval(second["taskId"]))
    assert (status, answer["error"]) == (400, "intent-mismatch") and "taskId" in answer["detail"], answer
    assert turns.task(first["taskId"])["status"] == "awaiting_approval"
    other = intents.approve_intent(first["taskId"], {**shown, "actionId": "deploy"}, intent_id=intents.new_intent_id(), expires_at=LATER)
    status, answer = turns.phone.post(f"/api/admin/tasks/{first['taskId']}/approve", {"intent": other, "intentAssertion": intent_assertion(key, other)})
    assert (status, answer["error"]) == (400, "intent-mismatch") and "actionId" in answer["detail"], answer
    good = approval(first["taskId"])
    status, answer = turns.phone.post(f"/api/admin/tasks/{first['taskId']}/approve", good)
    assert status == 200 and answer["task"]["status"] == "queued", answer
    (task,) = turns.poll(maxTasks=1)["tasks"]
    assert task["taskId"] == first["taskId"]
    assert (task["approvalIntent"], task["approvalAssertion"]) == (good["intent"], good["intentAssertion"])
    assert "intent" not in task  # created unsigned: only the approval was signed


def test_signed_answers_and_steers_reach_the_agent_with_their_intents(turns):
    key = _passkey(turns)
    task_id = turns.running()
    request = turns.add_request(task_id)
    digest = request_digest(task_id, command_request(task_id))
    assert digest == request["digest"]

    def answer_intent(decision: str, request_id: str = "req-1") -> dict:
        return intents.answer_intent(task_id, "agent-1", request_id, digest, decision, intent_id=intents.new_intent_id(), expires_at=LATER)

    path = f"/api/admin/tasks/{task_id}/requests/req-1/answer"
    declined = answer_intent("decline")
    status, body = turns.phone.post(path, {"decision": "accept", "digest": digest, "intent": declined, "intentAssertion": intent_assertion(key, declined)})
    assert (status, body["error"]) == (400, "intent-mismatch") and "decision" in body["detail"], body
    elsewhere = answer_intent("accept", "req-2")
    status, body = turns.phone.post(path, {"decision": "accept", "digest": digest, "intent": elsewhere, "intentAssertion": intent_assertion(key, elsewhere)})
    assert (status, body["error"]) == (400, "intent-mismatch") and "requestId" in body["detail"], body
    accepted = answer_intent("accept")
    signed = {"intent": accepted, "intentAssertion": intent_assertion(key, accepted)}
    status, body = turns.phone.post(path, {"decision": "accept", "digest": digest, **signed})
    assert status == 200, body

    steer = intents.steer_intent(task_id, "agent-1", "also run the tests", intent_id=intents.new_intent_id(), expires_at=LATER)
    steer_signed = {"intent": steer, "intentAssertion": intent_assertion(key, steer)}
    status, body = turns.phone.post(f"/api/admin/tasks/{task_id}/steer", {"text": "also run the linter", **steer_signed})
    assert (status, body["error"]) == (400, "intent-mismatch") and "text" in body["detail"], body
    status, body = turns.phone.post(f"/api/admin/tasks/{task_id}/steer", {"text": "also run the tests", **steer_signed})
    assert status == 200, body

    reply = turns.poll(maxTasks=0)
    (answer,) = reply["answers"]
    assert (answer["intent"], answer["intentAssertion"]) == (signed["intent"], signed["intentAssertion"])
    (delivered,) = reply["steers"]
    assert (delivered["text"], delivered["intent"]) == ("also run the tests", steer)
    # the phone's view of the request and the steer shows no intent
    task = turns.task(task_id)
    assert "intent" not in task["steers"][0] and "answer" not in task["requests"][0]


def test_agents_list_their_workspace_s_passkeys_with_public_keys(turns):
    key = _passkey(turns)
    status, body = turns.agent.post("/api/agent/passkeys", {})
    assert status == 200, body
    (listed,) = body["passkeys"]
    credential = key.credentials[-1]
    assert listed["credentialId"] == credential.id
    assert listed["publicKey"] == b64url(credential.cose_public_key())
    assert (listed["alg"], listed["revokedAt"], listed["displayName"]) == (-7, None, "Owner")
    # Revoked on the relay: listed as a tombstone with its time, so agents see the revocation.
    second = _passkey(turns, "Laptop")
    status, body = turns.agent.post("/api/agent/passkeys", {})
    assert len(body["passkeys"]) == 2
    status, answer = turns.phone.post(f"/api/admin/passkeys/{listed['passkeyId']}/revoke")
    assert status == 200, answer
    (kept,) = [p["passkeyId"] for p in body["passkeys"] if p["credentialId"] == second.credentials[-1].id]
    assert [p["passkeyId"] for p in answer["auth"]["passkeys"]] == [kept]  # gone for people
    status, body = turns.agent.post("/api/agent/passkeys", {})
    revoked = {p["credentialId"]: p["revokedAt"] for p in body["passkeys"]}
    assert revoked[second.credentials[-1].id] is None and revoked[credential.id] == "2026-11-26T12:00:00.000Z"
    # A tombstone signs nobody in and cannot be revoked twice.
    assert turns.phone.post(f"/api/admin/passkeys/{listed['passkeyId']}/revoke")[1] == {"error": "passkey-not-found"}
    status, options = turns.phone.post("/api/auth/passkeys/login/options")
    got = key.get(options["publicKey"], credential=credential)
    status, answer = turns.live.agent(None).post("/api/auth/passkeys/login/verify", {"loginId": options["loginId"], "credential": got})
    assert (status, answer) == (401, {"error": "unknown-passkey"})
    # Members of the agent's workspace are listed (any role); another workspace's people never are.
    viewer, (_, foreign) = member(turns.live, "viewer"), other_workspace(turns.live)
    viewer_key, foreign_key = SoftAuthenticator(ORIGIN), SoftAuthenticator(ORIGIN)
    assert register(viewer, viewer_key).status_code == 200 and register(foreign, foreign_key).status_code == 200
    status, body = turns.agent.post("/api/agent/passkeys", {})
    listed = {p["credentialId"]: p["displayName"] for p in body["passkeys"] if p["revokedAt"] is None}
    assert listed == {second.credentials[-1].id: "Owner", viewer_key.credentials[-1].id: "viewer"}
    # An agent token is needed; a phone's session is not one.
    assert turns.live.agent(None).post("/api/agent/passkeys", {})[0] == 401
    assert turns.phone.post("/api/agent/passkeys", {})[0] == 401


def test_the_agent_s_setting_is_shown_to_phones_so_they_sign_what_it_requires(turns):
    assert turns.phone.get("/api/admin/state")[1]["agents"][0]["requireSignedIntents"] is None  # never said
    turns.poll(requireSignedIntents="writes")
    assert turns.phone.get("/api/admin/state")[1]["agents"][0]["requireSignedIntents"] == "writes"
    turns.poll(label="renamed")  # a poll that leaves it out changes nothing
    assert turns.phone.get("/api/admin/state")[1]["agents"][0]["requireSignedIntents"] == "writes"
    status, body = turns.agent.post("/api/agent/poll", {"requireSignedIntents": "some"})
    assert (status, body["error"], body["detail"]) == (400, "invalid-field", "requireSignedIntents")


def test_a_user_with_only_revoked_passkeys_may_be_deleted_and_their_tombstones_go_too(relay):
    from mobile_codex.core.records import Passkey

    from .people_helpers import add_person

    owner, loner = relay.owner(), add_person(relay, None)
    with relay.app.relay.store.transaction() as tx:
        for key, revoked in (("a", "2026-11-26T12:00:00.000Z"), ("b", None)):
            tx.passkeys.put(Passkey(passkey_id=key * 64, credential_id=key, user_id=loner.user_id, sign_count=0,
                                    label="Phone", created_at="x", revoked_at=revoked))  # fmt: skip
    result = owner.post(f"/api/admin/users/{loner.user_id}/delete")
    assert (result.status_code, result.json) == (409, {"error": "user-still-has-passkeys"})  # the live one counts
    with relay.app.relay.store.transaction() as tx:
        tx.passkeys.put(attrs.evolve(tx.passkeys.get("b" * 64), revoked_at="2026-11-26T12:00:00.000Z"))
    result = owner.post(f"/api/admin/users/{loner.user_id}/delete")
    assert result.status_code == 200, result.json
    with relay.app.relay.store.transaction(write=False) as tx:
        assert tx.passkeys.find(user_id=loner.user_id) == []
