"""The relay on the `redis` volatile store: two app replicas share one store and one Redis, and
whichever replica a request reaches sees the same challenges, idempotency keys, budgets and task
text (prompt, output, an interactive turn's requests and answers). While Redis is away no task goes
out without its prompt."""

from __future__ import annotations

import pytest

from mobile_codex.relay_app.app import create_app

from .agent_helpers import AgentClient, created, pair_agent, stored
from .conftest import ORIGIN, Browser, Relay
from .passkey_helpers import LOGIN_OPTIONS, LOGIN_VERIFY, REGISTER_OPTIONS, REGISTER_VERIFY
from .soft_authenticator import SoftAuthenticator
from .turn_helpers import EXEC_MODES, command_request

BODY = {"type": "codex_exec", "agentId": "agent-1", "prompt": "hello"}


@pytest.fixture
def replicas(tmp_path, redis_url):
    relay = Relay(tmp_path, "sqlite", volatile={"backend": "redis", "url": redis_url}, maxLoginAttemptsPerMinute=3)
    other = create_app(relay.config, store=relay.store, clock=relay.clock)
    yield relay, other
    other.relay.services.notifications.stop()
    other.relay.shared.close()
    relay.close()


def on(app, browser: Browser) -> Browser:
    """The same browser (its cookies) talking to another replica."""
    moved = Browser(app)
    moved.cookies = browser.cookies
    return moved


def test_a_retry_through_another_replica_gets_the_first_task(replicas):
    relay, other = replicas
    owner = relay.owner()
    pair_agent(relay, owner)
    first = owner.post("/api/admin/tasks", BODY, headers={"Idempotency-Key": "retry-1"})
    again = on(other, owner).post("/api/admin/tasks", BODY, headers={"Idempotency-Key": "retry-1"})
    assert first.status_code == again.status_code == 201
    assert again.json["task"]["taskId"] == first.json["task"]["taskId"]
    changed = on(other, owner).post("/api/admin/tasks", {**BODY, "prompt": "other"}, headers={"Idempotency-Key": "retry-1"})
    assert changed.json == {"error": "idempotency-key-reused"}


def test_passkey_ceremonies_begun_on_one_replica_are_finished_on_another(replicas):
    relay, other = replicas
    authenticator = SoftAuthenticator(ORIGIN)
    owner = relay.owner()
    options = owner.post(REGISTER_OPTIONS, {"label": "Phone"}).json
    credential = authenticator.create(options["publicKey"])
    verify = {"registrationId": options["registrationId"], "credential": credential}
    assert on(other, owner).post(REGISTER_VERIFY, verify).status_code == 200
    assert owner.post(REGISTER_VERIFY, verify).json == {"error": "registration-not-found"}  # single use everywhere

    phone = relay.browser()
    options = phone.post(LOGIN_OPTIONS).json
    credential = authenticator.get(options["publicKey"])
    signed_in = on(other, phone).post(LOGIN_VERIFY, {"loginId": options["loginId"], "credential": credential})
    assert signed_in.status_code == 200 and signed_in.json["auth"]["currentUser"] is not None, signed_in.text


def test_sign_in_budgets_are_counted_across_replicas(replicas):
    relay, other = replicas
    wrong = {"bootstrapToken": "wrong"}
    answers = [relay.browser().post("/api/auth/login", wrong).status_code, Browser(other).post("/api/auth/login", wrong).status_code,
               relay.browser().post("/api/auth/login", wrong).status_code, Browser(other).post("/api/auth/login", wrong).status_code]  # fmt: skip
    assert answers == [401, 401, 401, 429]


def test_while_redis_is_down_sign_in_answers_503_and_then_recovers(replicas, redis_server):
    relay, _ = replicas
    redis_server.stop()
    try:
        answer = relay.browser().post("/api/auth/login", {"bootstrapToken": "wrong"})
        assert (answer.status_code, answer.json) == (503, {"error": "volatile-store-unavailable"})
        answer = relay.browser().post("/api/auth/passkeys/login/options")
        assert (answer.status_code, answer.json) == (503, {"error": "volatile-store-unavailable"})
        answer = relay.browser().get("/api/ready")  # a load balancer sends this replica nothing meanwhile
        assert (answer.status_code, answer.json) == (503, {"error": "not-ready", "detail": "volatile"})
        assert relay.browser().get("/api/health").status_code == 200
    finally:
        redis_server.start()
    assert relay.browser().post("/api/auth/login", {"bootstrapToken": "wrong"}).status_code == 401
    assert relay.browser().get("/api/ready").json == {"ok": True, "storage": "ok", "volatile": "ok"}
    relay.owner()  # signs in again without a relay restart


def test_a_task_made_on_one_replica_reaches_the_agent_on_the_other_with_its_text(replicas):
    relay, other = replicas
    owner = relay.owner()
    agent = AgentClient(other, pair_agent(relay, owner).token)  # the agent's requests reach the other replica
    task = created(owner, prompt="written on A — 日本 ✓")
    assert [(t["taskId"], t["prompt"]) for t in agent.poll(maxTasks=1)["tasks"]] == [(task["taskId"], "written on A — 日本 ✓")]
    assert agent.update(task["taskId"], outputAppend="line 1\n").status_code == 200
    assert agent.update(task["taskId"], status="completed", summary="done on B").status_code == 200
    shown = {t["taskId"]: t for t in owner.get("/api/admin/state").json["tasks"]}[task["taskId"]]
    assert (shown["status"], shown["prompt"], shown["outputTail"], shown["summary"]) == (
        "completed", "written on A — 日本 ✓", "line 1\n", "done on B",
    )  # fmt: skip
    assert on(other, owner).get("/api/admin/state").json["tasks"] == owner.get("/api/admin/state").json["tasks"]


def test_an_answer_given_on_one_replica_is_owed_to_the_agent_polling_the_other(replicas):
    relay, other = replicas
    owner = relay.owner()
    agent = AgentClient(other, pair_agent(relay, owner).token)
    agent.poll(codexAvailable=True, codexVersion="0.169.0", execModes=EXEC_MODES, codexSignedIn=True)
    task = created(owner, prompt="hi", execMode="chat")
    assert [t["taskId"] for t in agent.poll(maxTasks=1)["tasks"]] == [task["taskId"]]
    request = command_request(task["taskId"])
    assert agent.update(task["taskId"], requestsAdd=[request]).status_code == 200
    answered = owner.post(
        f"/api/admin/tasks/{task['taskId']}/requests/req-1/answer", {"decision": "accept", "digest": request["digest"]}
    )  # fmt: skip
    assert answered.status_code == 200, answered.text
    owed = {"taskId": task["taskId"], "requestId": "req-1", "decision": "accept", "digest": request["digest"]}
    assert agent.poll(waitMs=0)["answers"] == [owed]
    # Marked sent in the shared entry: the replica that took the answer sees it went out.
    sent = relay.app.relay.services.turns.volatile.inspect(task["taskId"], lambda entry: entry["requests"][0]["answer"]["sent"])
    assert sent is True
    assert AgentClient(relay.app, agent.token).poll(waitMs=0)["answers"] == [owed]  # repeated until settled


def test_while_redis_is_down_no_task_goes_out_and_it_stays_queued(replicas, redis_server):
    relay, other = replicas
    owner = relay.owner()
    agent = AgentClient(other, pair_agent(relay, owner).token)
    task = created(owner, prompt="must not run empty")
    redis_server.stop()
    try:
        refused = agent.post("/api/agent/poll", {"maxTasks": 1, "waitMs": 0})
        assert (refused.status_code, refused.json) == (503, {"error": "volatile-store-unavailable"})
        made = owner.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "agent-1", "prompt": "p"})
        assert (made.status_code, made.json) == (503, {"error": "volatile-store-unavailable"})
        assert stored(relay, "tasks", task["taskId"]).status == "queued"
    finally:
        redis_server.start()
    with relay.store.transaction(write=False) as tx:
        assert [t.task_id for t in tx.tasks.find()] == [task["taskId"]]  # the refused create left nothing
