"""Task text on the `redis` volatile store: two app replicas on one store and one Redis, and a task's
text (prompt, output, an interactive turn's requests and answers) is the same whichever replica a
request reaches. While Redis is away no task goes out without its prompt, nor after it lost it. And an agent's idle poll
never touches task text, so a shared store costs the commonest request nothing."""

from __future__ import annotations

import pytest

from mobile_codex.relay_app.app import create_app

from .agent_helpers import AgentClient, created, pair_agent, stored
from .conftest import Browser, Relay
from .turn_helpers import EXEC_MODES, command_request


@pytest.fixture
def replicas(tmp_path, redis_url):
    relay = Relay(tmp_path, "sqlite", volatile={"backend": "redis", "url": redis_url})
    other = create_app(relay.config, store=relay.store, clock=relay.clock)
    yield relay, other
    other.relay.services.notifications.stop()
    other.relay.shared.close()
    relay.close()


class Calls:
    """The relay's real task text, with a list of the methods called on it."""

    def __init__(self, text):
        self.text, self.names = text, []

    def __getattr__(self, name):
        method = getattr(self.text, name)

        def called(*args, **kwargs):
            self.names.append(name)
            return method(*args, **kwargs)

        return called


def on(app, browser: Browser) -> Browser:
    moved = Browser(app)
    moved.cookies = browser.cookies
    return moved


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


@pytest.mark.parametrize("volatile", ["memory", "redis"])
def test_an_idle_poll_reads_no_task_text(tmp_path, request, volatile):
    url = request.getfixturevalue("redis_url") if volatile == "redis" else ""
    relay = Relay(tmp_path, "sqlite", volatile={"backend": volatile, "url": url})
    try:
        owner = relay.owner()
        agent = pair_agent(relay, owner)
        services = relay.app.relay.services
        calls = services.tasks.volatile = services.turns.volatile = Calls(services.tasks.volatile)
        report = {"codexAvailable": True, "codexVersion": "0.169.0", "execModes": EXEC_MODES, "codexSessions": []}
        for _ in range(3):
            assert agent.poll(waitMs=0, maxTasks=1, **report)["tasks"] == []
        assert calls.names == []
        task = created(owner, prompt="now there is work")
        assert [t["prompt"] for t in agent.poll(waitMs=0, maxTasks=1)["tasks"]] == ["now there is work"]
        assert "admit" in calls.names and "get" in calls.names  # the spy sees what the relay reads
        assert agent.update(task["taskId"], status="completed").status_code == 200
        calls.names.clear()
        assert agent.poll(waitMs=0, maxTasks=1, **report)["tasks"] == []
        assert calls.names == []
    finally:
        relay.close()


@pytest.mark.parametrize("volatile", ["memory", "redis"])
def test_a_queued_task_whose_text_is_gone_is_interrupted_not_handed_out_empty(tmp_path, request, volatile):
    url = request.getfixturevalue("redis_url") if volatile == "redis" else ""
    relay = Relay(tmp_path, "sqlite", volatile={"backend": volatile, "url": url})
    try:
        owner = relay.owner()
        agent = pair_agent(relay, owner)
        lost, kept = created(owner, prompt="lost"), created(owner, prompt="kept")
        relay.app.relay.services.tasks.volatile.forget(lost["taskId"])  # as a wiped Redis or an expired key would
        assert [t["prompt"] for t in agent.poll(waitMs=0, maxTasks=2)["tasks"]] == ["kept"]
        assert stored(relay, "tasks", lost["taskId"]).status == "interrupted"
        assert stored(relay, "tasks", kept["taskId"]).status == "running"
    finally:
        relay.close()
