"""Signing from the phone's screens (issue 20), in Chromium at 390×844, against a real relay and a
scripted agent that says `requireSignedIntents: all`.

Every request then asks for the passkey once — a chat turn from Home, the answer to a request, a
steer — and the buttons that will ask carry the key mark. What reaches the agent's poll is checked
with the agent's own verifier (agent_app/intent_check.py) against the passkey the relay stored: the
phone's assertions verify, and the same intent cannot be used twice. A dismissed passkey prompt sends
nothing and says why.
"""

from __future__ import annotations

import pytest

from mobile_codex.agent_app.intent_check import IntentRefused, IntentVerifier, SeenIntents
from mobile_codex.agent_app.trust_store import TrustStore
from mobile_codex.core import intents

from .conftest import BOOTSTRAP_TOKEN, WebRelay
from .scripted_agent import ScriptedAgent, item

DIFF = "@@ -1 +1,2 @@\n # Notes «é»\n+- ship it 😀\n"


@pytest.fixture
def relay(tmp_path):
    instance = WebRelay(tmp_path, features={"codexExecWrite": True})
    yield instance
    instance.stop()


def agent_verifier(relay, folder) -> IntentVerifier:
    """What the agent holds after `mobile-codex agent trust --add`: the passkey as the relay lists it."""
    with relay.store.transaction(write=False) as tx:
        (passkey,) = tx.passkeys.find()
    trust = TrustStore(folder)
    trust.add({
        "passkeyId": passkey.passkey_id, "credentialId": passkey.credential_id, "userId": passkey.user_id,
        "displayName": "Owner", "publicKey": passkey.public_key, "alg": -7,
    }, now="2026-12-04T00:00:00.000Z")  # fmt: skip
    return IntentVerifier(trust=trust, seen=SeenIntents(folder), agent_id="box-1", origin=relay.origin, rp_id="localhost")


def test_under_all_each_request_asks_the_passkey_once_and_the_agent_verifies_it(relay, phone, tmp_path):
    owner = relay.owner()
    agent = ScriptedAgent(relay, owner, require_signed="all")
    agent.poll()
    authenticator = phone.add_authenticator()
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.page.evaluate("async () => { await (await import('/passkeys.js')).registerPasskey('Phone'); }")
    verifier = agent_verifier(relay, tmp_path / "agent-state")

    # Under `all` even a chat turn asks; the Send button says so.
    send = phone.page.locator(".home-composer button.send")
    send.locator(".sign-mark").wait_for()
    assert send.get_attribute("data-signs") == "true"
    # A dismissed prompt (here: the authenticator cannot verify the user) sends nothing and says why.
    phone.cdp.send("WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": False})
    phone.page.fill("textarea[name=prompt]", "Summarise «the notes» 😀")
    send.click()
    phone.page.locator(".home-composer .error", has_text="The passkey prompt was dismissed or timed out.").wait_for()
    assert owner.get("/api/admin/state")[1]["tasks"] == []
    phone.check("prompt-dismissed")
    phone.cdp.send("WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": True})
    send.click()
    phone.screen("task")
    task = agent.claim()
    assert task["intent"]["kind"] == "task" and task["intent"]["execMode"] == "chat"
    entry = verifier.verify(task["intent"], task["intentAssertion"], kind="task", what="task",
                            mismatch=lambda intent: intents.task_mismatch(intent, task))  # fmt: skip
    assert entry["credentialId"] == task["intentAssertion"]["credentialId"]
    with pytest.raises(IntentRefused) as replayed:  # the same intent a second time
        verifier.verify(task["intent"], task["intentAssertion"], kind="task", what="task", mismatch=lambda intent: None)
    assert replayed.value.code == intents.REPLAYED
    task_id = task["taskId"]

    # A request: each decision button will ask; the answer's digest is the phone's own.
    agent.update(task_id, threadId="thread-1", turnId="turn-1",
                 itemsAppend=[item("u1", "userMessage", text="Summarise «the notes» 😀")])  # fmt: skip
    asked = agent.ask(task_id, requestId="req-1", kind="fileChange", title="Edit NOTES.md", command=None, cwd=None,
                      reason="Add «é» 😀", changes=[{"path": "NOTES.md", "kind": "update", "movePath": None, "diff": DIFF}])  # fmt: skip
    card = phone.page.locator(".approval[data-request-id=req-1]")
    card.wait_for()
    assert card.locator("button.decision[data-signs=true]").count() == 3
    phone.check("signed-decisions")
    card.locator("button", has_text="Approve").click()
    answer = agent.answer_for("req-1")
    assert (answer["decision"], answer["digest"]) == ("accept", asked["digest"])
    assert answer["intent"]["digest"] == asked["digest"] and answer["intent"]["decision"] == "accept"
    verifier.verify(answer["intent"], answer["intentAssertion"], kind="answer", what="answer", mismatch=lambda intent: None)
    agent.update(task_id, requestsResolved=[{"requestId": "req-1", "status": "accepted"}])

    # A steer: the composer's button asks too, and the signed text hash is the text's.
    composer = phone.page.locator(".composer button", has_text="Send now")
    composer.wait_for()
    assert composer.get_attribute("data-signs") == "true"
    phone.page.fill("textarea[name=composer]", "Keep it short «please»")
    composer.click()
    steer = agent.steer("Keep it short «please»")
    assert steer["intent"]["textSha256"] == intents.sha256_or_none("Keep it short «please»")
    verifier.verify(steer["intent"], steer["intentAssertion"], kind="steer", what="steer", mismatch=lambda intent: None)
    agent.update(task_id, steersApplied=[steer["steerId"]], itemsAppend=[item("s1", "steer", text="Keep it short «please»")])
    phone.check("signed-steer")

    # 中文: the mark says so in Chinese.
    phone.tab("Manage", "more")
    phone.page.select_option("select[name=language]", "zh-CN")
    phone.open(f"/#/task/{task_id}")
    phone.screen("task")
    mark = phone.page.locator(".composer button .sign-mark")
    mark.wait_for()
    assert mark.get_attribute("title") == "需要你的通行密钥"
    phone.check("signed-steer-zh")


def test_approving_someone_elses_action_on_the_task_screen_signs_the_approval(relay, phone, tmp_path):
    owner = relay.owner()
    agent = ScriptedAgent(relay, owner, require_signed="writes")
    agent.choices["actions"] = [{"id": "deploy", "label": "Deploy"}]
    agent.poll()
    phone.add_authenticator()
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.page.evaluate("async () => { await (await import('/passkeys.js')).registerPasskey('Phone'); }")
    verifier = agent_verifier(relay, tmp_path / "agent-state")

    # An action someone asked for (here: unsigned, through the API) waits; this phone approves it.
    status, made = owner.post("/api/admin/tasks", {"type": "run_action", "agentId": "box-1", "actionId": "deploy"})
    assert status == 201 and made["task"]["status"] == "awaiting_approval", made
    task_id = made["task"]["taskId"]
    phone.open(f"/#/task/{task_id}")
    phone.screen("task")
    approve = phone.page.locator(".toolbar button, .controls button", has_text="Approve")
    approve.wait_for()
    assert approve.get_attribute("data-signs") == "true"
    phone.check("signed-approve-button")
    approve.click()
    task = agent.claim()
    assert "intent" not in task  # the create was not signed: the agent will refuse it (its test: the e2e)
    assert task["approvalIntent"]["kind"] == "approve" and task["approvalIntent"]["taskId"] == task_id
    verifier.verify(task["approvalIntent"], task["approvalAssertion"], kind="approve", what="approval",
                    mismatch=lambda intent: intents.task_mismatch(intent, task))  # fmt: skip
