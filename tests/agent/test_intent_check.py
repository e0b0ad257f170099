"""The agent's intent check (agent_app/intent_check.py) against real WebAuthn assertions.

Assertions are made with `cryptography` (a real P-256, Ed25519 or RSA signature over
authenticatorData || SHA-256(clientDataJSON), tests/relay/soft_authenticator.py): the verifier is
py_webauthn, unmocked. The browser end to end (a CDP virtual authenticator) is tests/browser's.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct

import pytest

from mobile_codex.agent_app.errors import TaskFailed
from mobile_codex.agent_app.intent_check import IntentGate, IntentVerifier, SeenIntents
from mobile_codex.agent_app.trust_store import TrustStore, passkey_fingerprint
from mobile_codex.core import intents
from mobile_codex.core.interactive import request_digest
from mobile_codex.core.plugin_types import Contribution
from mobile_codex.plugins.exec_modes import codex_modes

from ..relay.soft_authenticator import SoftAuthenticator, b64url

ORIGIN = "https://relay.example"
RP_ID = "relay.example"
NOW = 1_800_000_000_000
# The built-in exec modes, as the agent has them (whether each writes is the catalogue's word).
MODES = {spec.id: Contribution(item=spec, plugin="codex_modes") for spec in codex_modes.register_exec_modes(None)}


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self) -> int:
        return self.now


class Phone:
    """A person's phone: one passkey, signing intents the way `navigator.credentials.get` does."""

    def __init__(self, alg: str = "ES256"):
        self.authenticator = SoftAuthenticator(ORIGIN, alg=alg)
        self.authenticator.create({"rp": {"id": RP_ID}, "user": {"id": b64url(os.urandom(16))}, "challenge": b64url(b"x")})
        self.credential = self.authenticator.credentials[-1]

    def listed(self) -> dict:
        """The passkey as POST /api/agent/passkeys lists it."""
        return {
            "passkeyId": hashlib.sha256(self.credential.id.encode()).hexdigest(), "credentialId": self.credential.id,
            "userId": "user_1", "displayName": "Ada", "publicKey": b64url(self.credential.cose_public_key()), "alg": -7,
        }  # fmt: skip

    def sign(self, intent: dict, *, origin: str = ORIGIN, flags: int = 0x05, counter: int | None = None) -> dict:
        cred = self.credential
        cred.sign_count = cred.sign_count + 1 if counter is None else counter
        client_data = json.dumps({
            "type": "webauthn.get", "challenge": b64url(intents.challenge(intent)), "origin": origin, "crossOrigin": False,
        }).encode()  # fmt: skip
        auth_data = hashlib.sha256(RP_ID.encode()).digest() + bytes([flags]) + struct.pack(">I", cred.sign_count)
        signature = cred.sign(auth_data + hashlib.sha256(client_data).digest())
        return {
            "credentialId": cred.id, "clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
            "signature": b64url(signature), "userHandle": b64url(cred.user_handle),
        }  # fmt: skip


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def phone():
    return Phone()


@pytest.fixture
def trust(tmp_path, phone):
    store = TrustStore(tmp_path / "state")
    store.add(phone.listed(), now="2026-12-04T00:00:00.000Z")
    return store


def gate(tmp_path, trust, clock, setting: str = "writes") -> IntentGate:
    verifier = IntentVerifier(
        trust=trust, seen=SeenIntents(tmp_path / "state", clock), agent_id="box", origin=ORIGIN, rp_id=RP_ID,
        clock_ms=clock,
    )  # fmt: skip
    return IntentGate(setting, verifier, MODES)


def body(**fields) -> dict:
    return {"type": "codex_exec", "agentId": "box", "prompt": "fix the bug", "execMode": "supervised", **fields}


def task_from(sent: dict, **relay_fields) -> dict:
    """The task the relay hands over for a create body (API.md's defaults applied), plus any forgery."""
    task = {
        "taskId": "task_1", "agentId": sent["agentId"], "type": sent["type"], "execMode": sent.get("execMode", ""),
        "cwd": sent.get("cwd") or ".", "prompt": sent.get("prompt", ""), "actionId": sent.get("actionId", ""),
        "logSourceId": "", "sessionId": sent.get("sessionId", ""), "threadId": "", "resumeSessionId": "",
        "writeAccess": False, "needsApproval": sent["type"] == "run_action",
    }  # fmt: skip
    return {**task, **relay_fields}


def signed_task(phone: Phone, sent: dict, *, expires_at: int = NOW + 300_000, **relay_fields) -> dict:
    intent = intents.task_intent(sent, intent_id=intents.new_intent_id(), expires_at=expires_at)
    return task_from(sent, intent=intent, intentAssertion=phone.sign(intent), **relay_fields)


def refusal(check, *args) -> str:
    with pytest.raises(TaskFailed) as caught:
        check(*args)
    assert caught.value.detail.endswith("nothing was run")
    return caught.value.code


def test_a_signed_supervised_task_passes_and_its_counter_is_kept(tmp_path, trust, clock, phone):
    checker = gate(tmp_path, trust, clock)
    checker.check_task(signed_task(phone, body()))
    checker.check_task(signed_task(phone, body(cwd="src")))  # the next one, counter 2
    assert checker.verifier.seen.counters(phone.credential.id) == {1, 2}
    assert trust.find(phone.credential.id)["signCount"] == 0  # the floor moves as intents expire
    clock.now = NOW + 301_000
    checker.check_task(signed_task(phone, body(), expires_at=clock.now + 300_000))
    assert trust.find(phone.credential.id)["signCount"] == 2


@pytest.mark.parametrize("alg", ["EdDSA", "RS256"])
def test_other_passkey_algorithms_verify_too(tmp_path, clock, alg):
    other = Phone(alg)
    store = TrustStore(tmp_path / "state")
    store.add(other.listed(), now="2026-12-04T00:00:00.000Z")
    gate(tmp_path, store, clock).check_task(signed_task(other, body()))


def test_what_needs_a_signature_under_each_setting(tmp_path, trust, clock):
    unsigned_write = task_from(body())
    unsigned_read = task_from(body(execMode="chat"))
    unsigned_exec_read = task_from(body(execMode=None))  # the default mode, read-only
    assert refusal(gate(tmp_path, trust, clock).check_task, unsigned_write) == "intent-signature-required"
    gate(tmp_path, trust, clock).check_task(unsigned_read)  # a read-only turn runs unsigned under `writes`
    gate(tmp_path, trust, clock).check_task(unsigned_exec_read)
    for task in (unsigned_read, unsigned_exec_read, task_from({"type": "read_log", "agentId": "box"})):
        assert refusal(gate(tmp_path, trust, clock, "all").check_task, task) == "intent-signature-required"
    action = task_from({"type": "run_action", "agentId": "box", "actionId": "deploy"})
    assert refusal(gate(tmp_path, trust, clock).check_task, action) == "intent-signature-required"
    assert refusal(gate(tmp_path, trust, clock).check_task, task_from({"type": "delete_session", "agentId": "box", "sessionId": "s"})) == "intent-signature-required"
    for task in (unsigned_write, action):
        gate(tmp_path, trust, clock, "off").check_task(task)
    # a mode this agent does not know counts as one that writes
    assert refusal(gate(tmp_path, trust, clock).check_task, task_from(body(execMode="plugin-mode"))) == "intent-signature-required"


@pytest.mark.parametrize(
    "forged",
    [
        {"prompt": "rm -rf everything"}, {"cwd": ".."}, {"execMode": "workspace-write"}, {"agentId": "other"},
        {"threadId": "thread-of-someone-else"}, {"type": "run_action", "actionId": "deploy"},
    ],
)
def test_a_task_that_differs_from_what_was_signed_is_refused(tmp_path, trust, clock, phone, forged):
    task = signed_task(phone, body(), **forged)
    assert refusal(gate(tmp_path, trust, clock).check_task, task) == "intent-signature-invalid"


def test_an_action_or_session_other_than_the_signed_one_is_refused(tmp_path, trust, clock, phone):
    checker = gate(tmp_path, trust, clock)
    action = {"type": "run_action", "agentId": "box", "actionId": "status"}
    task = signed_task(phone, action, actionId="deploy")
    assert refusal(checker.check_task, task) == "intent-signature-invalid"
    session = {"type": "delete_session", "agentId": "box", "sessionId": "mine"}
    assert refusal(checker.check_task, signed_task(phone, session, sessionId="yours")) == "intent-signature-invalid"


def test_an_action_needs_a_signed_approval_of_that_very_task(tmp_path, trust, clock, phone):
    checker = gate(tmp_path, trust, clock)
    action = {"type": "run_action", "agentId": "box", "actionId": "deploy"}

    def with_approval(task_id: str, shown: dict) -> dict:
        task = signed_task(phone, action)
        approval = intents.approve_intent(task_id, shown, intent_id=intents.new_intent_id(), expires_at=NOW + 300_000)
        return {**task, "approvalIntent": approval, "approvalAssertion": phone.sign(approval)}

    assert refusal(checker.check_task, signed_task(phone, action)) == "intent-signature-required"  # no approval
    assert refusal(checker.check_task, with_approval("task_2", action)) == "intent-signature-invalid"  # another task's
    assert refusal(checker.check_task, with_approval("task_1", {**action, "actionId": "status"})) == "intent-signature-invalid"
    checker.check_task(with_approval("task_1", action))


def test_expiry_is_checked_both_ways(tmp_path, trust, clock, phone):
    checker = gate(tmp_path, trust, clock)
    assert refusal(checker.check_task, signed_task(phone, body(), expires_at=NOW - 1)) == "intent-expired"
    assert refusal(checker.check_task, signed_task(phone, body(), expires_at=NOW + 16 * 60_000)) == "intent-expired"
    checker.check_task(signed_task(phone, body(), expires_at=NOW + 15 * 60_000))


def test_an_intent_id_is_used_once_also_across_restarts(tmp_path, trust, clock, phone):
    task = signed_task(phone, body())
    gate(tmp_path, trust, clock).check_task(task)
    again = {**task, "taskId": "task_2", "intentAssertion": phone.sign(task["intent"])}  # a fresh signature, same id
    assert refusal(gate(tmp_path, trust, clock).check_task, again) == "intent-replayed"  # a new gate: a restarted agent
    assert oct((tmp_path / "state" / "seen-intents.json").stat().st_mode & 0o777) == "0o600"
    clock.now = NOW + 16 * 60_000  # expired ids are pruned at the next write
    gate(tmp_path, trust, clock).check_task(signed_task(phone, body(), expires_at=clock.now + 60_000))
    assert list(json.loads((tmp_path / "state" / "seen-intents.json").read_text())) != [task["intent"]["intentId"]]
    assert task["intent"]["intentId"] not in json.loads((tmp_path / "state" / "seen-intents.json").read_text())


def test_only_trusted_passkeys_that_are_not_revoked_upstream_may_sign(tmp_path, trust, clock, phone):
    stranger = Phone()
    assert refusal(gate(tmp_path, trust, clock).check_task, signed_task(stranger, body())) == "approver-not-trusted"
    trust.note_listing([])  # the relay no longer lists it: revoked upstream
    assert trust.find(phone.credential.id)["revokedUpstream"] is True
    assert refusal(gate(tmp_path, trust, clock).check_task, signed_task(phone, body())) == "approver-not-trusted"
    trust.note_listing([{**phone.listed(), "revokedAt": None}])  # a later listing never lifts it
    assert trust.find(phone.credential.id)["revokedUpstream"] is True
    assert trust.remove(phone.listed()["passkeyId"]) and trust.find(phone.credential.id) is None


def test_origin_user_verification_and_counter_are_enforced(tmp_path, trust, clock, phone):
    checker = gate(tmp_path, trust, clock)

    def with_assertion(**sign_kw) -> dict:
        intent = intents.task_intent(body(), intent_id=intents.new_intent_id(), expires_at=NOW + 300_000)
        return task_from(body(), intent=intent, intentAssertion=phone.sign(intent, **sign_kw))

    assert refusal(checker.check_task, with_assertion(origin="https://evil.example")) == "intent-signature-invalid"
    assert refusal(checker.check_task, with_assertion(flags=0x01)) == "intent-signature-invalid"  # present, not verified
    checker.check_task(with_assertion(counter=7))
    assert refusal(checker.check_task, with_assertion(counter=7)) == "intent-signature-invalid"  # a repeat: a clone
    assert refusal(checker.check_task, with_assertion(counter=0)) == "intent-signature-invalid"  # back to 0
    checker.check_task(with_assertion(counter=8))
    # A signature over another intent (here: another prompt) does not verify.
    task = with_assertion()
    forged_intent = {**task["intent"], "promptSha256": intents.sha256_or_none("other")}
    forged = {**task, "intent": forged_intent, "prompt": "other"}
    assert refusal(checker.check_task, forged) == "intent-signature-invalid"


def test_intents_verified_in_another_order_than_signed_pass_and_expired_ones_set_the_floor(tmp_path, trust, clock, phone):
    """A task queued at counter 5 is claimed after a steer signed at 6 was verified: both are fine.
    Once they expired, nothing at or under 6 is accepted again."""
    checker = gate(tmp_path, trust, clock)
    earlier = signed_task(phone, body(prompt="first"))
    later = signed_task(phone, body(prompt="second"))
    checker.check_task(later)
    checker.check_task(earlier)
    clock.now = NOW + 301_000
    checker.check_task(signed_task(phone, body(), expires_at=clock.now + 300_000))  # counter 3: prunes 1 and 2
    assert trust.find(phone.credential.id)["signCount"] == 2
    intent = intents.task_intent(body(), intent_id=intents.new_intent_id(), expires_at=clock.now + 300_000)
    stale = task_from(body(), intent=intent, intentAssertion=phone.sign(intent, counter=2))
    assert refusal(checker.check_task, stale) == "intent-signature-invalid"


def test_a_passkey_without_a_counter_signs_with_zero_every_time(tmp_path, clock):
    synced = Phone()
    store = TrustStore(tmp_path / "state")
    store.add(synced.listed(), now="2026-12-04T00:00:00.000Z")
    checker = gate(tmp_path, store, clock)
    for _ in range(2):
        intent = intents.task_intent(body(), intent_id=intents.new_intent_id(), expires_at=NOW + 300_000)
        checker.check_task(task_from(body(), intent=intent, intentAssertion=synced.sign(intent, counter=0)))


def test_answers_and_steers_need_their_own_signed_intents(tmp_path, trust, clock, phone):
    checker = gate(tmp_path, trust, clock)
    task = signed_task(phone, body())
    request = {"requestId": "r1", "kind": "command", "title": "Run", "command": "make", "cwd": ".", "reason": None, "changes": []}
    digest = request_digest("task_1", request)
    answer = {"taskId": "task_1", "requestId": "r1", "decision": "accept", "digest": digest}
    assert checker.input_refusal(task, answer)[0] == "intent-signature-required"
    intent = intents.answer_intent("task_1", "box", "r1", digest, "decline", intent_id=intents.new_intent_id(), expires_at=NOW + 300_000)
    assert checker.input_refusal(task, {**answer, "intent": intent, "intentAssertion": phone.sign(intent)})[0] == "intent-signature-invalid"
    intent = intents.answer_intent("task_1", "box", "r1", digest, "accept", intent_id=intents.new_intent_id(), expires_at=NOW + 300_000)
    assert checker.input_refusal(task, {**answer, "intent": intent, "intentAssertion": phone.sign(intent)}) is None
    steer = {"taskId": "task_1", "steerId": "steer_1", "text": "also the tests"}
    intent = intents.steer_intent("task_1", "box", "also the docs", intent_id=intents.new_intent_id(), expires_at=NOW + 300_000)
    assert checker.input_refusal(task, {**steer, "intent": intent, "intentAssertion": phone.sign(intent)})[0] == "intent-signature-invalid"
    intent = intents.steer_intent("task_1", "box", "also the tests", intent_id=intents.new_intent_id(), expires_at=NOW + 300_000)
    assert checker.input_refusal(task, {**steer, "intent": intent, "intentAssertion": phone.sign(intent)}) is None
    # a chat turn's answers and steers need none under `writes`
    assert checker.input_refusal(task_from(body(execMode="chat")), steer) is None


def test_the_trust_file_is_private_and_fingerprints_match_the_spki(tmp_path, trust, phone):
    assert oct(trust.path.stat().st_mode & 0o777) == "0o600"
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    der = phone.credential.private_key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    digest = hashlib.sha256(der).hexdigest()
    expected = " ".join(digest[i : i + 4] for i in range(0, 16, 4))
    assert passkey_fingerprint(phone.listed()["publicKey"]) == expected == trust.find(phone.credential.id)["fingerprint"]
    with pytest.raises(ValueError):
        passkey_fingerprint(b64url(b"not cbor"))
