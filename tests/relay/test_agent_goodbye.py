"""`POST /api/agent/goodbye` and the agent view's `online`: a cleanly stopped agent is offline at once."""

from __future__ import annotations

from mobile_codex.relay_app.services.agents import ONLINE_SEC

from .agent_helpers import AgentClient, created, in_thread, other_workspace, pair_agent, state_parts, stored, wait_held
from .people_helpers import primary_workspace_id, state


def online(relay, owner) -> bool:
    (agent,) = state_parts(relay, owner)["agents"]
    return agent["online"]


def test_goodbye_shows_the_agent_offline_at_once_until_its_next_poll(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    agent.poll()
    assert online(relay, owner) is True
    before = state(owner)["changeCursor"]
    result = agent.post("/api/agent/goodbye", {})
    assert (result.status_code, result.json) == (200, {"ok": True})
    assert online(relay, owner) is False
    assert state(owner)["changeCursor"] != before  # a waiting phone hears it now
    assert state(owner)["agents"][0]["online"] is False
    agent.poll()
    assert online(relay, owner) is True


def test_a_goodbye_counts_as_gone_offline_at_the_next_sweep_once(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    agent.poll()
    assert relay.sweep().workspaces_with_agents_gone_offline == 0
    agent.post("/api/agent/goodbye", {})
    assert relay.sweep().workspaces_with_agents_gone_offline == 1  # owners hear of it now, not 90 s later
    relay.clock.advance(ONLINE_SEC)
    assert relay.sweep().workspaces_with_agents_gone_offline == 0  # and once
    agent.poll()
    agent.post("/api/agent/goodbye", {})
    agent.poll()  # back before the sweep: nothing to tell
    assert relay.sweep().workspaces_with_agents_gone_offline == 0


def test_online_ends_after_90_seconds_without_a_poll(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    agent.poll()
    relay.clock.advance(ONLINE_SEC - 1)
    assert online(relay, owner) is True
    relay.clock.advance(1)
    assert online(relay, owner) is False


def test_after_a_relay_restart_online_comes_from_the_stored_last_poll(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    agent.poll()
    key = (primary_workspace_id(relay), "agent-1")
    assert stored(relay, "agents", key).last_seen_at is not None
    presence = relay.app.relay.services.agents.presence
    presence._seen.clear()  # what a restart forgets: the in-memory times
    assert online(relay, owner) is True
    relay.clock.advance(ONLINE_SEC)
    assert online(relay, owner) is False


def test_goodbye_ends_a_held_poll_which_then_claims_nothing(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    agent.poll()
    thread, box = in_thread(lambda: agent.poll(waitMs=20000))
    wait_held(relay)
    assert agent.post("/api/agent/goodbye", {}).status_code == 200
    thread.join(10)
    assert not thread.is_alive() and box["elapsed"] < 10 and box["result"]["tasks"] == []
    task = created(owner)
    assert state(owner)["tasks"][0]["taskId"] == task["taskId"] and state(owner)["tasks"][0]["status"] == "queued"
    assert online(relay, owner) is False


def test_a_goodbye_touches_only_the_tokens_own_agent(relay):
    owner = relay.owner()
    ours = pair_agent(relay, owner, "vm")
    _, their_owner = other_workspace(relay)
    theirs = pair_agent(relay, their_owner, "vm")  # the same id in another workspace
    neighbour = pair_agent(relay, owner, "vm-2")
    for agent in (ours, theirs, neighbour):
        agent.poll()
    assert theirs.post("/api/agent/goodbye", {}).status_code == 200
    assert {a["agentId"]: a["online"] for a in state_parts(relay, owner)["agents"]} == {"vm": True, "vm-2": True}
    assert [a["online"] for a in state_parts(relay, their_owner)["agents"]] == [False]


def test_goodbye_needs_the_agent_token(relay):
    relay.owner()
    anonymous = AgentClient(relay.app, None)
    assert anonymous.post("/api/agent/goodbye", {}).json == {"error": "missing-token"}
    assert AgentClient(relay.app, "nope").post("/api/agent/goodbye", {}).json == {"error": "invalid-token"}


def test_a_poll_that_began_before_the_goodbye_does_not_show_the_agent_online_again():
    """An agent interrupts its poll in flight and says goodbye; the relay may finish that poll after the goodbye."""
    from datetime import datetime, timezone

    from mobile_codex.relay_app.services.agents import Presence

    presence, agent, now = Presence(), ("ws", "vm"), datetime(2026, 12, 4, tzinfo=timezone.utc)
    presence.seen(agent, now)
    began = presence.goodbyes_of(agent)  # the poll's look, before the goodbye
    presence.goodbye(agent)
    presence.seen(agent, now, goodbyes=began)
    assert presence.online(agent, None, now) is False
    presence.seen(agent, now, goodbyes=presence.goodbyes_of(agent))  # a poll after it: back online
    assert presence.online(agent, None, now) is True
