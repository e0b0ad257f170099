"""Task text in the relay on each volatile backend (memory, redis): an agent's idle poll never touches
it, so a shared store costs the commonest request nothing, and a queued task whose text is gone is
interrupted rather than handed to its agent with an empty prompt, and what an agent reported after
its task's text went ends with the task when it is interrupted. On Redis the state view and the
older-tasks page read all their tasks' text in one round trip. Replicas sharing text:
test_volatile_redis.py."""

from __future__ import annotations

import pytest
import redis

from mobile_codex.core.task_text import text_size
from mobile_codex.relay_app.services.tasks import TEXT_RESERVE

from .agent_helpers import created, pair_agent, stored
from .conftest import Relay
from .turn_helpers import EXEC_MODES


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


class OldText:
    """The relay's real task text behind only the methods TaskText had before `get_many`, as a
    third-party backend written then has them."""

    def __init__(self, text):
        self.text, self.gets = text, 0

    def get(self, task_id):
        self.gets += 1
        return self.text.get(task_id)

    def admit(self, task_id, **kwargs):
        return self.text.admit(task_id, **kwargs)

    def set(self, task_id, **kwargs):
        self.text.set(task_id, **kwargs)

    def update(self, task_id, change, **kwargs):
        self.text.update(task_id, change, **kwargs)

    def inspect(self, task_id, look):
        return self.text.inspect(task_id, look)

    def mark_terminal(self, task_id):
        self.text.mark_terminal(task_id)

    def forget(self, task_id):
        self.text.forget(task_id)

    def stats(self):
        return self.text.stats()


@pytest.fixture(params=["memory", "redis"])
def relay(request, tmp_path):
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    instance = Relay(tmp_path, "sqlite", volatile={"backend": request.param, "url": url})
    yield instance
    instance.close()


def test_an_idle_poll_reads_no_task_text(relay):
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
    assert "admit" in calls.names and "get_many" in calls.names  # the spy sees what the relay reads
    assert agent.update(task["taskId"], status="completed").status_code == 200
    calls.names.clear()
    assert agent.poll(waitMs=0, maxTasks=1, **report)["tasks"] == []
    assert calls.names == []


def test_a_backend_without_get_many_still_serves_the_view_the_page_and_the_claim(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    services = relay.app.relay.services
    old = services.tasks.volatile = services.turns.volatile = services.tasks.notify.volatile = OldText(services.tasks.volatile)
    first, second = created(owner, prompt="first"), created(owner, prompt="second")
    assert sorted(t["prompt"] for t in agent.poll(waitMs=0, maxTasks=2)["tasks"]) == ["first", "second"]
    assert agent.update(first["taskId"], status="completed", summary="done").status_code == 200
    old.gets = 0
    view = owner.get("/api/admin/state").json["tasks"]
    assert {t["taskId"]: (t["prompt"], t["summary"]) for t in view} == {
        first["taskId"]: ("first", "done"), second["taskId"]: ("second", "")}
    assert old.gets == 2  # a get per task: the relay falls back to the old protocol
    page = owner.get("/api/admin/tasks?limit=1").json
    assert [t["prompt"] for t in page["tasks"]] == [view[0]["prompt"]] and page["nextBefore"] == view[0]["taskId"]


def test_a_queued_task_whose_text_is_gone_is_interrupted_not_handed_out_empty(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    lost, kept = created(owner, prompt="lost"), created(owner, prompt="kept")
    relay.app.relay.services.tasks.volatile.forget(lost["taskId"])  # as a wiped Redis or an expired key would
    assert [t["prompt"] for t in agent.poll(waitMs=0, maxTasks=2)["tasks"]] == ["kept"]
    assert stored(relay, "tasks", lost["taskId"]).status == "interrupted"
    assert stored(relay, "tasks", kept["taskId"]).status == "running"


def test_text_reported_after_its_loss_ends_with_the_interrupted_task(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    task = created(owner, prompt="p")
    assert [t["taskId"] for t in agent.poll(waitMs=0, maxTasks=1)["tasks"]] == [task["taskId"]]
    text = relay.app.relay.services.tasks.volatile
    text.forget(task["taskId"])  # the store lost it (a Redis emptied under a running relay)
    assert agent.update(task["taskId"], outputAppend="after the loss").status_code == 200
    assert text.stats() == (1, TEXT_RESERVE)  # held again, as unfinished text: counted as its reserve
    assert relay.app.relay.services.tasks.interrupt_unfinished("a new epoch") == 1
    assert stored(relay, "tasks", task["taskId"]).status == "interrupted"
    assert text.stats() == (1, text_size(text.get(task["taskId"])))  # ended: it counts what it holds, may go


def test_on_redis_the_state_view_reads_its_tasks_text_in_one_round_trip(tmp_path, redis_url):
    relay = Relay(tmp_path, "sqlite", volatile={"backend": "redis", "url": redis_url})
    client = redis.Redis.from_url(redis_url)

    def commands(path: str, count: int) -> dict[str, int]:
        """The Redis commands one GET of `path` sends, after a first GET (its session's first use)."""
        assert owner.get(path).status_code == 200
        client.config_resetstat()
        answer = owner.get(path)
        calls = {name: stat["calls"] for name, stat in client.info("commandstats").items() if "config" not in name}
        assert answer.status_code == 200, answer.text
        tasks = answer.json["tasks"]
        assert sorted(task["prompt"] for task in tasks) == sorted(f"prompt {n}" for n in range(count))
        return calls

    try:
        owner = relay.owner()
        pair_agent(relay, owner)
        created(owner, prompt="prompt 0")
        one = {path: commands(path, 1) for path in ("/api/admin/state", "/api/admin/tasks?limit=50")}
        for n in range(1, 50):
            created(owner, prompt=f"prompt {n}")
        fifty = {path: commands(path, 50) for path in ("/api/admin/state", "/api/admin/tasks?limit=50")}
        assert fifty == one, (one, fifty)  # 50 tasks' text costs what one task's does (was a GET each)
        assert all(calls.get("cmdstat_mget", 0) >= 1 and "cmdstat_get" not in calls for calls in fifty.values()), fifty
        assert sum(fifty["/api/admin/state"].values()) <= 3, fifty
    finally:
        client.close()
        relay.close()
