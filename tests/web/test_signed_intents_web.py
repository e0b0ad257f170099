"""The phone's half of signed intents (issue 20), in Chromium: the bytes it signs and the fingerprint it shows.

The agent recomputes the challenge with core/intents.py (Python `rfc8785`); a passkey signature only
verifies if the phone hashed exactly the same bytes. So the page's JCS (web/jcs.js) is compared with
`rfc8785` on awkward values, and every intent the phone builds (web/intents.js) with the one core
builds from the same fields, challenge bytes included; an answer's digest, recomputed on the phone
from the request it shows, with the agent's. The fingerprint shown after registering a passkey is
compared with one computed in Python from the authenticator's own key (CDP), not from the relay.
"""

from __future__ import annotations

import base64
import hashlib

import rfc8785
from cryptography.hazmat.primitives import serialization

from mobile_codex.core import intents
from mobile_codex.core.interactive import request_digest

from .conftest import BOOTSTRAP_TOKEN

AWKWARD = [
    None, True, False, 0, -0.0, 1, -1, 9007199254740991, -9007199254740991, 0.1, 1e21, 1e-7, 123456789.125, 5e-324,
    "", "plain", 'quote " backslash \\ slash /', "\b\f\n\r\t\x00\x1f\x7f", "\u2028\u2029", "é ñ 中文 😀 \U0001F9D1\u200D\U0001F4BB",
    "\ufeffbom", [], [1, "two", None, [3.5]], {},
    {"b": 1, "a": 2, "A": 3, "é": 4, "😀": 5, "\uffff": 6, "aa": 7, "": 8, "1": 9, "10": 10, "2": 11},
    {"nested": {"z": [{"y": 1, "x": 2}], "a": {"c": None, "b": True}}},
]  # fmt: skip

PROMPT = "Fix the tests — «quickly» 😀\nthen\tcommit"
BODIES = [
    {"type": "codex_exec", "agentId": "box-1", "prompt": PROMPT, "execMode": "supervised", "writeAccess": True, "cwd": "app/ü"},
    {"type": "codex_exec", "agentId": "box-1", "prompt": "hi", "execMode": "chat", "threadId": "thread-1"},
    {"type": "codex_exec", "agentId": "box-1", "prompt": "go on", "resumeSessionId": "019a-sess"},
    {"type": "run_action", "agentId": "box-1", "actionId": "deploy", "title": "Deploy"},
    {"type": "read_log", "agentId": "box-1", "logSourceId": "app"},
    {"type": "delete_session", "agentId": "box-1", "sessionId": "019a-sess"},
]
REQUEST = {
    "requestId": "req-1", "kind": "fileChange", "title": "Edit «main».py", "command": None, "cwd": "app", "reason": "Fix it\n😀",
    "changes": [{"path": "app/main.py", "kind": "update", "movePath": None, "diff": "@@ -1 +1 @@\n-a\n+b\n"}],
    "decisions": ["accept", "decline", "cancel"], "status": "pending", "digest": "ignored", "requestedAt": "2026-12-04T10:00:00.000Z",
}  # fmt: skip
FIXED = {"intentId": "AAAAAAAAAAAAAAAAAAAAAA", "expiresAt": 1796000000000}


def page_module(phone):
    phone.open("/")
    phone.screen("signin")


def test_the_pages_jcs_is_rfc8785(phone):
    page_module(phone)
    got = phone.page.evaluate(
        "async (values) => { const { canonicalize } = await import('/jcs.js'); return values.map(canonicalize); }", AWKWARD
    )
    assert got == [rfc8785.dumps(value).decode("utf-8") for value in AWKWARD]
    # What JCS has no form for is refused, not guessed (rfc8785 refuses the same).
    refused = phone.page.evaluate("""async () => {
      const { canonicalize } = await import('/jcs.js');
      return ['\\ud800', 'a\\udc00', NaN, Infinity, undefined, () => 1, new Date(0)].map((v) => {
        try { canonicalize(v); return 'taken'; } catch (e) { return e.name; }
      });
    }""")
    assert refused == ["TypeError"] * 7


def test_every_intent_and_its_challenge_match_core(phone):
    page_module(phone)
    built = phone.page.evaluate("""async ([bodies, request, fixed]) => {
      const m = await import('/intents.js');
      const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
      const out = { used: m.USED_BY_TYPE, tasks: [], approvals: [] };
      for (const body of bodies) {
        const intent = await m.taskIntent(body, fixed);
        out.tasks.push({ intent, challenge: hex(await m.challengeOf(intent)) });
      }
      const view = { taskId: 'task_00000000000000a1', agentId: 'box-1', type: 'codex_exec', execMode: 'supervised', actionId: '',
        logSourceId: '', sessionId: '', threadId: '', resumeSessionId: '', cwd: '.', writeAccess: true, prompt: 'Ship it', status: 'awaiting_approval' };
      const action = { taskId: 'task_00000000000000a2', agentId: 'box-1', type: 'run_action', actionId: 'deploy', logSourceId: '',
        sessionId: '', threadId: '', resumeSessionId: '', cwd: '.', writeAccess: false, prompt: '', status: 'awaiting_approval' };
      for (const task of [view, action]) {
        const intent = await m.approveIntent(task, fixed);
        out.approvals.push({ task, intent, challenge: hex(await m.challengeOf(intent)) });
      }
      const turn = { taskId: 'task_00000000000000b1', agentId: 'box-1' };
      out.answer = await m.answerIntent(turn, request, 'accept', fixed);
      out.answerChallenge = hex(await m.challengeOf(out.answer));
      out.steer = await m.steerIntent(turn, 'Also keep «the flag» 😀', fixed);
      out.steerChallenge = hex(await m.challengeOf(out.steer));
      out.fresh = [await m.taskIntent(bodies[0]), await m.taskIntent(bodies[0])];
      return out;
    }""", [BODIES, REQUEST, FIXED])  # fmt: skip

    assert built["used"] == {kind: list(keys) for kind, keys in intents.USED_BY_TYPE.items()}
    for body, made in zip(BODIES, built["tasks"]):
        expected = intents.task_intent(body, **{"intent_id": FIXED["intentId"], "expires_at": FIXED["expiresAt"]})
        assert made["intent"] == expected, body
        assert intents.intent_problem(made["intent"], kind="task") is None, made["intent"]
        assert made["challenge"] == intents.challenge(expected).hex()
    assert built["tasks"][0]["intent"]["promptSha256"] == hashlib.sha256(PROMPT.encode("utf-8")).hexdigest()

    for made in built["approvals"]:
        task = made["task"]
        assert intents.intent_problem(made["intent"], kind="approve") is None, made["intent"]
        assert made["intent"]["taskId"] == task["taskId"]
        assert intents.task_mismatch(made["intent"], task) is None  # what the agent will check against the task
        assert made["challenge"] == intents.challenge(made["intent"]).hex()
    assert built["approvals"][1]["intent"]["writeAccess"] is None  # a field run_action does not use stays null

    answer = built["answer"]
    assert answer["digest"] == request_digest("task_00000000000000b1", REQUEST)  # recomputed, not the relay's "ignored"
    assert answer == intents.answer_intent(
        "task_00000000000000b1", "box-1", "req-1", answer["digest"], "accept",
        intent_id=FIXED["intentId"], expires_at=FIXED["expiresAt"],
    )  # fmt: skip
    assert built["answerChallenge"] == intents.challenge(answer).hex()
    steer = built["steer"]
    assert steer == intents.steer_intent("task_00000000000000b1", "box-1", "Also keep «the flag» 😀",
                                         intent_id=FIXED["intentId"], expires_at=FIXED["expiresAt"])  # fmt: skip
    assert built["steerChallenge"] == intents.challenge(steer).hex()

    # Left to the phone: a fresh id each time (16 random bytes) and an expiry five minutes ahead.
    first, second = built["fresh"]
    assert first["intentId"] != second["intentId"] and intents.INTENT_ID.fullmatch(first["intentId"])
    assert intents.intent_problem(first) is None
    ahead = first["expiresAt"] - int(phone.page.evaluate("Date.now()"))
    assert 4 * 60_000 < ahead <= intents.PHONE_LIFETIME_MS


def spki_fingerprint(private_key_b64: str) -> str:
    """The operator's formula, from the authenticator's own key: SHA-256 of the public key's SPKI DER,
    first 16 hex digits in blocks of 4."""
    key = serialization.load_der_private_key(base64.b64decode(private_key_b64), password=None)
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashlib.sha256(spki).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def test_a_passkey_made_on_this_phone_shows_its_fingerprint_and_an_old_one_offers_a_signing_passkey(relay, phone):
    authenticator = phone.add_authenticator()

    def credentials():
        return phone.cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]

    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    # A passkey made on another device (or before fingerprints existed): this phone knows none. (The
    # authenticator forgets it too, or it would refuse a second passkey for the same account.)
    phone.page.evaluate("""async () => {
      const { registerPasskey } = await import('/passkeys.js');
      await registerPasskey('Old phone');
      localStorage.removeItem('mc.fingerprints');
    }""")
    (old,) = credentials()
    phone.cdp.send("WebAuthn.removeCredential", {"authenticatorId": authenticator, "credentialId": old["credentialId"]})
    phone.open("/#/passkeys")
    phone.page.reload()  # the app learns of the passkey made behind its back
    phone.screen("passkeys")
    phone.page.locator(".person", has_text="Old phone").wait_for()
    assert phone.page.locator("[data-no-fingerprint]").count() == 1
    assert phone.page.locator("h2", has_text="Add a passkey for signing").is_visible()
    assert "None of your passkeys has a fingerprint on this device" in phone.page.locator(".screen.passkeys").inner_text()
    phone.check("passkeys-no-fingerprint")

    phone.page.fill("input[name=label]", "Signing key")
    phone.page.locator("button", has_text="Add a passkey for signing").click()
    shown = phone.page.locator(".fingerprint-new .fingerprint")
    shown.wait_for()
    (made,) = credentials()
    assert spki_fingerprint(old["privateKey"]) != spki_fingerprint(made["privateKey"])
    expected = spki_fingerprint(made["privateKey"])
    assert shown.inner_text() == expected
    assert "Signing key is ready" in phone.page.locator(".fingerprint-new").inner_text()
    assert "mobile-codex agent trust" in phone.page.locator(".fingerprint-new").inner_text()
    phone.check("passkeys-fingerprint")
    # In the list (opened again: remembered on this device): the new one with its fingerprint, the old
    # one without; the offer is gone.
    phone.page.reload()
    phone.screen("passkeys")
    phone.page.locator(".person [data-fingerprint]").wait_for()
    assert phone.page.locator(".person [data-fingerprint]").all_inner_texts() == [expected]
    assert phone.page.locator("[data-no-fingerprint]").count() == 1
    assert phone.page.locator("h2", has_text="Add a passkey for signing").count() == 0
    phone.check("passkeys-list")

    phone.tab("Manage", "more")
    phone.page.select_option("select[name=language]", "zh-CN")
    phone.open("/#/passkeys")
    phone.screen("passkeys")
    assert phone.page.locator(".fingerprint-line", has_text="指纹").locator("[data-fingerprint]").inner_text() == expected
    phone.check("passkeys-fingerprint-zh")


def test_after_registering_on_the_enroll_screen_home_shows_the_fingerprint_once(relay, phone):
    from mobile_codex.agent_app.trust_store import passkey_fingerprint

    authenticator = phone.add_authenticator()
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.add_passkey_from_home("Enrolled phone")
    card = phone.page.locator(".fingerprint-new")
    card.wait_for()
    (made,) = phone.cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    with relay.store.transaction(write=False) as tx:
        (stored,) = tx.passkeys.find()
    # The phone's own computation, the authenticator's key, and what `agent trust` prints all agree.
    assert card.locator(".fingerprint").inner_text() == spki_fingerprint(made["privateKey"]) == passkey_fingerprint(stored.public_key)
    assert "Enrolled phone is ready" in card.inner_text()
    phone.check("home-fingerprint")
    card.locator("button", has_text="Done").click()
    assert phone.page.locator(".fingerprint-new").count() == 0
    phone.page.wait_for_timeout(300)  # a live update does not bring it back
    assert phone.page.locator(".fingerprint-new").count() == 0
