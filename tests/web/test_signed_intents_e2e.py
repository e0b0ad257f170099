"""Signed intents end to end (issue 20 "Done when"): real Chromium with a CDP virtual authenticator, a real
relay over HTTP, a real agent process with `requireSignedIntents: writes`, the real Codex CLI against the
scripted model server.

The phone registers a passkey and shows its fingerprint; the operator runs `mobile-codex agent trust`,
finds the same fingerprint and adds it. Then from the UI a signed `supervised` turn runs (its command
approved with a signed answer) and a signed action is approved and runs; a read-only turn runs unsigned.
A script with a valid session but no passkey creates the same supervised task straight through the
relay API: the agent refuses it and nothing runs. Intents signed by the page's passkey and then altered
(another task, a changed prompt, cwd, action, session or decision), one past its expiry, a replayed
intent id and one signed by a passkey the agent does not trust are each refused with their code.
"""

from __future__ import annotations

import hashlib
import json
import time

import pytest

from tests.agent.cli_processes import AgentProcess
from tests.agent.conftest import DEFAULT_CODEX
from tests.agent.model_server import ModelServer, exec_command, message
from tests.agent.stack import git_workspace
from tests.waiting import wait_until

from .conftest import BOOTSTRAP_TOKEN, WebRelay

TERMINAL = {"completed", "failed", "rejected", "interrupted", "canceled"}

# Build an intent with the app's own modules and have this page's passkey sign it (one prompt).
SIGN = """async ([kind, args, expiresAt]) => {
  const m = await import('/intents.js');
  const p = await import('/passkeys.js');
  const options = expiresAt ? { expiresAt } : undefined;
  const intent = kind === 'task' ? await m.taskIntent(args[0], options)
    : kind === 'approve' ? await m.approveIntent(args[0], options)
    : await m.answerIntent(args[0], args[1], args[2], options);
  return { intent, intentAssertion: await p.signChallenge(await m.challengeOf(intent)) };
}"""


@pytest.fixture
def model():
    server = ModelServer().start()
    yield server
    server.stop()


@pytest.fixture
def stack(tmp_path, model, user_dirs):
    if not DEFAULT_CODEX.is_file():
        pytest.fail(f"the Codex CLI is not installed at {DEFAULT_CODEX}: run `bash .ci/test`")
    relay = WebRelay(tmp_path, features={"codexExecWrite": True})
    workspace = git_workspace(tmp_path / "workspace")
    (workspace / "app").mkdir()
    config = tmp_path / "agent.json"
    config.write_text(json.dumps({
        "relayBaseUrl": f"http://127.0.0.1:{relay.port}", "agentId": "box-1", "agentLabel": "Build box",
        "workspaceRoot": str(workspace), "stateDir": str(tmp_path / "agent-state"),
        "pollIntervalMs": 250, "longPollMs": 2000, "features": {"codexExecWrite": True},
        "codex": {"binary": str(DEFAULT_CODEX), "homeDir": str(model.write_codex_home(tmp_path / "codex-home"))},
        "actions": {
            "hello": {"label": "Say hello", "argv": ["echo", "hello-from-the-action"]},
            "wipe": {"label": "Wipe", "argv": ["sh", "-c", "echo wiped > wiped.txt"]},
        },
        "requireSignedIntents": "writes", "webauthnOrigin": relay.origin,
    }))  # fmt: skip
    owner = relay.owner()
    status, made = owner.post("/api/admin/pairings", {"note": "signed"})
    assert status == 201, made
    agent = AgentProcess(user_dirs, "--config", config, "--pair-code", made["pairingCode"])
    try:
        request_id = agent.expect(r"pair request (pairreq_[0-9a-f]+) sent")[1]
        status, body = owner.post(f"/api/admin/pair-requests/{request_id}/approve")
        assert status == 200, body
        agent.expect(r"connected to the relay")
        yield relay, owner, config, workspace, agent
    finally:
        if agent.proc.poll() is None:
            agent.proc.terminate()
            agent.finish()
        relay.stop()


def task_view(owner, task_id: str) -> dict:
    status, state = owner.get("/api/admin/state")
    assert status == 200, state
    return next(t for t in state["tasks"] if t["taskId"] == task_id)


def settled(owner, task_id: str, timeout: float = 90) -> dict:
    return wait_until(lambda: (v := task_view(owner, task_id))["status"] in TERMINAL and v,
                      timeout=timeout, interval=0.2, what=f"task {task_id} to finish")  # fmt: skip


def refused_with(owner, task_id: str, code: str) -> dict:
    view = settled(owner, task_id)
    assert (view["status"], view["error"]) == ("failed", code), view
    assert "nothing was run" in view["outputTail"], view  # the agent's detail, in the task's output
    return view


def create(owner, body: dict, signed: dict | None = None) -> dict:
    status, reply = owner.post("/api/admin/tasks", {**body, **(signed or {})})
    assert status == 201, reply
    return reply["task"]


def approve(owner, task_id: str, signed: dict | None = None):
    return owner.post(f"/api/admin/tasks/{task_id}/approve", signed or {})


def trust(run_cli, config, fingerprint: str) -> dict:
    """The operator's ceremony: list, find the phone's fingerprint, add that passkey."""
    listed = run_cli("agent", "trust", "--config", config, "--json")
    assert listed.returncode == 0, listed.stderr
    table = json.loads(listed.stdout)
    assert table["requireSignedIntents"] == "writes"
    (row,) = [row for row in table["passkeys"] if row["fingerprint"] == fingerprint]
    assert row["status"] == "untrusted"
    added = run_cli("agent", "trust", "--config", config, "--add", row["passkeyId"])
    assert added.returncode == 0 and fingerprint in added.stdout, added.stderr
    return row


def test_signed_work_runs_and_unsigned_or_altered_work_is_refused(stack, model, phones, run_cli):
    relay, owner, config, workspace, agent = stack
    phone = phones(relay)
    authenticator = phone.add_authenticator()
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")

    # The phone makes a passkey and shows its fingerprint; the operator trusts the passkey that matches.
    phone.manage("My passkeys", "passkeys")
    phone.page.fill("input[name=label]", "Signing phone")
    phone.page.locator("button", has_text="Add passkey").click()
    fingerprint = phone.page.locator(".fingerprint-new .fingerprint").inner_text()
    assert len(fingerprint) == 19
    phone.check("fingerprint")
    trusted = trust(run_cli, config, fingerprint)

    # The agent says what it wants signed; the phone marks what will ask for the passkey.
    phone.manage("Agents", "agents")
    card = phone.page.locator("[data-agent-id=box-1]")
    card.locator(".signs-note[data-require-signed=writes]").wait_for()
    assert "changes files or runs a command" in card.inner_text()
    phone.check("agent-signs-writes")
    phone.codex_form()
    run = phone.page.locator("button", has_text="Run")
    phone.page.select_option("select[name=execMode]", "read-only")
    assert run.get_attribute("data-signs") is None
    phone.page.select_option("select[name=execMode]", "supervised")
    assert run.get_attribute("data-signs") == "true"
    assert run.locator(".sign-mark").get_attribute("title") == "Asks for your passkey"

    # A signed supervised turn: the create is signed, and so is the answer to its command.
    model.script(exec_command("touch signed-marker.txt && echo ran-signed"), message("Signed and done."))
    phone.page.fill("textarea[name=prompt]", "Make the signed marker")
    phone.check("codex-signed")
    run.click()
    phone.screen("task")
    card = phone.page.locator(".approval")
    card.wait_for(timeout=90000)
    assert "touch signed-marker.txt" in card.locator("pre.command").inner_text()
    approve_button = card.locator("button.decision[data-decision=accept]")
    assert approve_button.get_attribute("data-signs") == "true"
    assert not (workspace / "signed-marker.txt").exists()
    phone.check("signed-approval-card")
    turn_id = phone.page.url.rsplit("/", 1)[-1]
    approve_button.click()
    view = settled(owner, turn_id)
    assert view["status"] == "completed", view
    assert (workspace / "signed-marker.txt").exists()
    assert [r["status"] for r in view["requests"]] == ["accepted"]
    phone.page.locator(".turn-request[data-request-id]", has_text="Approved").wait_for()
    phone.check("signed-turn-done")
    supervised_body = {"type": "codex_exec", "agentId": "box-1", "prompt": "Make the signed marker",
                       "execMode": "supervised", "writeAccess": True}  # fmt: skip

    # A signed action, one tap: the create and the approval each signed, then it runs.
    phone.manage("Agents", "agents")
    phone.page.locator("[data-agent-id=box-1] a", has_text="Open").click()
    phone.screen("agent")
    request = phone.page.locator(".item-row", has_text="Say hello").locator("button", has_text="Request")
    assert request.get_attribute("data-signs") == "true"
    request.click()
    phone.screen("task")
    phone.page.locator(".task [data-status=completed]").wait_for(timeout=30000)
    assert phone.page.locator("pre.output").inner_text().strip() == "hello-from-the-action"
    phone.check("signed-action-done")

    # A read-only turn runs unsigned under `writes`.
    model.script(message("Read only, unsigned."))
    read_only = create(owner, {"type": "codex_exec", "agentId": "box-1", "prompt": "look around", "execMode": "read-only"})
    assert settled(owner, read_only["taskId"])["status"] == "completed"

    # A script with a valid session and no passkey: the agent refuses, the model is never asked.
    asked = len(model.requests)
    unsigned = create(owner, {**supervised_body, "prompt": "touch unsigned.txt"})
    refused_with(owner, unsigned["taskId"], "intent-signature-required")
    unsigned_action = create(owner, {"type": "run_action", "agentId": "box-1", "actionId": "wipe"})
    assert approve(owner, unsigned_action["taskId"])[0] == 200
    refused_with(owner, unsigned_action["taskId"], "intent-signature-required")
    assert not (workspace / "wiped.txt").exists() and len(model.requests) == asked
    phone.open(f"/#/task/{unsigned['taskId']}")
    phone.screen("task")
    words = phone.page.locator(".failure-words[data-error-code=intent-signature-required]")
    words.wait_for()
    assert "Nothing ran." in words.inner_text()
    phone.check("unsigned-refused")

    def sign(kind: str, *args, expires_at: int | None = None) -> dict:
        return phone.page.evaluate(SIGN, [kind, list(args), expires_at])

    def altered(signed: dict, **changes) -> dict:
        return {"intent": {**signed["intent"], **changes}, "intentAssertion": signed["intentAssertion"]}

    sha = lambda text: hashlib.sha256(text.encode("utf-8")).hexdigest()  # noqa: E731

    # A changed prompt and a changed cwd (body and intent changed alike, so the relay passes them on).
    signed = sign("task", supervised_body)
    changed = {**supervised_body, "prompt": "rm -rf everything"}
    task = create(owner, changed, altered(signed, promptSha256=sha("rm -rf everything")))
    refused_with(owner, task["taskId"], "intent-signature-invalid")
    signed = sign("task", {**supervised_body, "cwd": "app"})
    task = create(owner, {**supervised_body, "cwd": ".git"}, altered(signed, cwd=".git"))
    refused_with(owner, task["taskId"], "intent-signature-invalid")
    # The relay itself refuses a body that asks for something else than its intent (never fixes it).
    status, reply = owner.post("/api/admin/tasks", {**changed, **sign("task", supervised_body)})
    assert (status, reply["error"]) == (400, "intent-mismatch"), reply

    # A changed action: signed for `hello`, sent as `wipe`, then approved with a valid signature.
    hello = {"type": "run_action", "agentId": "box-1", "actionId": "hello"}
    task = create(owner, {**hello, "actionId": "wipe"}, altered(sign("task", hello), actionId="wipe"))
    assert approve(owner, task["taskId"], sign("approve", task_view(owner, task["taskId"])))[0] == 200
    refused_with(owner, task["taskId"], "intent-signature-invalid")
    assert not (workspace / "wiped.txt").exists()

    # A changed session: a delete signed for one session, sent for another.
    delete = {"type": "delete_session", "agentId": "box-1", "sessionId": "0199aaaa-0000-7000-8000-000000000001"}
    other = "0199aaaa-0000-7000-8000-000000000002"
    task = create(owner, {**delete, "sessionId": other}, altered(sign("task", delete), sessionId=other))
    refused_with(owner, task["taskId"], "intent-signature-invalid")

    # An approval signed for one task, used on another: refused by the relay as it is, and by the
    # agent once its task id is changed too.
    first = create(owner, hello, sign("task", hello))
    second = create(owner, hello, sign("task", hello))
    approval = sign("approve", task_view(owner, first["taskId"]))
    status, reply = approve(owner, second["taskId"], approval)
    assert (status, reply["error"]) == (400, "intent-mismatch"), reply
    assert approve(owner, second["taskId"], altered(approval, taskId=second["taskId"]))[0] == 200
    refused_with(owner, second["taskId"], "intent-signature-invalid")
    # ... while the first, with its own approval, runs (verified after signatures made later: fine).
    assert approve(owner, first["taskId"], approval)[0] == 200
    assert settled(owner, first["taskId"])["status"] == "completed"

    # A replayed intent id: the same signed create sent twice; the second is refused.
    twice = sign("task", hello)
    runs = [create(owner, hello, twice) for _ in range(2)]
    for task in runs:
        assert approve(owner, task["taskId"], sign("approve", task_view(owner, task["taskId"])))[0] == 200
    outcomes = sorted(settled(owner, task["taskId"])["status"] for task in runs)
    assert outcomes == ["completed", "failed"]
    replayed = next(task_view(owner, t["taskId"]) for t in runs if task_view(owner, t["taskId"])["status"] == "failed")
    assert replayed["error"] == "intent-replayed"

    # Past its expiry (signed properly, but too late).
    late = sign("task", hello, expires_at=int(time.time() * 1000) - 1000)
    task = create(owner, hello, late)
    assert approve(owner, task["taskId"], sign("approve", task_view(owner, task["taskId"])))[0] == 200
    refused_with(owner, task["taskId"], "intent-expired")

    # A changed decision: the phone signed "decline", the answer says "accept".
    model.script(exec_command("touch declined-marker.txt"), message("Understood."))
    turn = create(owner, {**supervised_body, "prompt": "touch the declined marker"}, sign("task", {**supervised_body, "prompt": "touch the declined marker"}))
    pending = wait_until(lambda: [r for r in task_view(owner, turn["taskId"]).get("requests") or [] if r["status"] == "pending"],
                         timeout=90, interval=0.2, what="the turn's request")  # fmt: skip
    request = pending[0]
    turn_view = task_view(owner, turn["taskId"])
    signed = sign("answer", turn_view, request, "decline")
    status, reply = owner.post(
        f"/api/admin/tasks/{turn['taskId']}/requests/{request['requestId']}/answer",
        {"decision": "accept", "digest": signed["intent"]["digest"], **altered(signed, decision="accept")},
    )  # fmt: skip
    assert status == 200, reply
    view = settled(owner, turn["taskId"])
    assert not (workspace / "declined-marker.txt").exists()
    assert view["requests"][0]["status"] == "declined", view["requests"]
    assert any("intent-signature-invalid" in (item.get("text") or "") for item in view["items"]), view["items"]

    # A passkey the agent does not trust: a second phone of the same person, never added.
    other_phone = phones(relay)
    other_phone.add_authenticator()
    other_phone.open("/")
    other_phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    other_phone.screen("home")
    other_phone.page.evaluate("async () => { await (await import('/passkeys.js')).registerPasskey('Untrusted'); }")
    untrusted = other_phone.page.evaluate(SIGN, ["task", [hello], None])
    task = create(owner, hello, untrusted)
    assert approve(owner, task["taskId"], other_phone.page.evaluate(SIGN, ["approve", [task_view(owner, task["taskId"])], None]))[0] == 200
    refused_with(owner, task["taskId"], "approver-not-trusted")
    assert not (workspace / "wiped.txt").exists()
    assert trusted["passkeyId"] != hashlib.sha256(untrusted["intentAssertion"]["credentialId"].encode()).hexdigest()
    assert authenticator
