"""How an agent request reads the store (issue 19): with `Store.agent_glance` an idle poll is one
glance and no transaction; an agent with running tasks reads them in one read transaction; a store
without `agent_glance` (a third-party backend) gets the same answers through read transactions."""

from __future__ import annotations

from collections import Counter

from .agent_helpers import created, pair_agent

IDLE = {"ok": True, "tasks": [], "cancelTaskIds": [], "heldMs": 0, "answers": [], "steers": []}


class CountingStore:
    """The token check's store, counting its glances and read transactions."""

    def __init__(self, store, counts: Counter):
        self._store = store
        self.counts = counts

    def transaction(self, *, write: bool = True):
        self.counts["write" if write else "read"] += 1
        return self._store.transaction(write=write)


class Glancing(CountingStore):
    def agent_glance(self, key):
        self.counts["glance"] += 1
        return self._store.agent_glance(key)


def counting(relay, cls) -> Counter:
    auth = relay.app.relay.services.agent_auth
    counts: Counter = Counter()
    auth.store = cls(auth.store, counts)
    return counts


def test_an_idle_poll_is_one_glance_and_running_tasks_one_read_transaction(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    counts = counting(relay, Glancing)
    assert agent.poll() == IDLE
    assert agent.poll() == IDLE
    assert counts == {"glance": 2}
    task = created(owner)
    assert [t["taskId"] for t in agent.poll()["tasks"]] == [task["taskId"]]  # claimed: now running
    counts.clear()
    owner.post(f"/api/admin/tasks/{task['taskId']}/cancel")
    assert agent.poll(maxTasks=0)["cancelTaskIds"] == [task["taskId"]]
    assert counts == {"glance": 1, "read": 1}  # the running task's record is read in a transaction
    counts.clear()
    assert agent.update(task["taskId"], status="canceled").status_code == 200
    assert counts == {"glance": 1}  # other agent routes check the token with the glance alone
    counts.clear()
    assert agent.poll() == IDLE
    assert counts == {"glance": 1}


def test_a_store_without_agent_glance_serves_agents_through_read_transactions(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    counts = counting(relay, CountingStore)
    assert agent.poll() == IDLE
    task = created(owner)
    assert [t["taskId"] for t in agent.poll()["tasks"]] == [task["taskId"]]
    owner.post(f"/api/admin/tasks/{task['taskId']}/cancel")
    assert agent.poll(maxTasks=0)["cancelTaskIds"] == [task["taskId"]]
    assert counts["read"] == 3 and "glance" not in counts
    assert owner.post("/api/admin/agents/agent-1/revoke").json == {"ok": True}
    result = agent.post("/api/agent/poll", {})
    assert (result.status_code, result.json) == (401, {"error": "agent-revoked"})
    result = agent.post("/api/agent/poll", {}, token=agent.token[:-2] + "xx")
    assert (result.status_code, result.json) == (401, {"error": "invalid-token"})
