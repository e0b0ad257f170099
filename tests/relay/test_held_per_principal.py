"""One principal cannot take every held slot: held requests are capped per agent and per session,
and a state wait says how long it was held, so an app answered early knows to slow down."""

from __future__ import annotations

import time

from mobile_codex.plugins.volatile.memory.store import MemoryVolatileStore
from mobile_codex.relay_app.services.events import HELD_PER_AGENT, HELD_PER_SESSION, HOLD_SLOT_TTL_S, HoldLimit

from .agent_helpers import in_thread, pair_agent, wait_held


def test_hold_limit_counts_each_principal_apart():
    holds = HoldLimit(10, MemoryVolatileStore())
    mine = [holds.hold("a", 2) for _ in range(3)]
    assert [hold.__enter__() for hold in mine] == [True, True, False]
    other = holds.hold("b", 2)
    assert other.__enter__() is True  # another principal still may
    for hold in (*mine, other):
        hold.__exit__(None, None, None)
    assert holds.held == 0
    again = holds.hold("a", 2)
    assert again.__enter__() is True  # a released slot is free again
    again.__exit__(None, None, None)


def test_a_principal_s_share_is_counted_across_replicas_and_a_dead_replica_s_slots_expire():
    now = [0.0]
    shared = MemoryVolatileStore(monotonic=lambda: now[0])
    one, two = HoldLimit(10, shared), HoldLimit(10, shared)  # two replicas on one store
    first, second, third = one.hold("a", 2), two.hold("a", 2), two.hold("a", 2)
    assert [first.__enter__(), second.__enter__(), third.__enter__()] == [True, True, False]
    assert (one.held, two.held) == (1, 1)  # the refused one holds no thread
    # replica one dies holding its slot (no __exit__): it comes free when its TTL ends
    now[0] += HOLD_SLOT_TTL_S + 1
    again = two.hold("a", 2)
    assert again.__enter__() is True


def test_one_agent_holds_at_most_its_share_of_polls(relay):
    agent = pair_agent(relay, relay.owner())
    held = [in_thread(lambda: agent.poll(waitMs=20000)) for _ in range(HELD_PER_AGENT)]
    wait_held(relay, HELD_PER_AGENT)
    started = time.monotonic()
    reply = agent.poll(waitMs=20000)
    assert reply["heldMs"] == 0 and reply["tasks"] == [] and time.monotonic() - started < 5  # answered at once
    relay.app.relay.feed.release_all()  # let the held ones go, as a stopping relay does
    for thread, _ in held:
        thread.join(10)


def test_one_session_holds_at_most_its_share_of_state_waits(relay):
    owner = relay.owner()
    other = relay.owner()  # signed in first: a sign-in is a write, which moves the cursor
    cursor = owner.get("/api/admin/state").json["changeCursor"]
    path = f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=20000"
    held = [in_thread(lambda: owner.get(path)) for _ in range(HELD_PER_SESSION)]
    wait_held(relay, HELD_PER_SESSION)
    view = owner.get(path).json
    assert view["heldMs"] == 0 and view["changeCursor"] == cursor  # answered at once, same cursor: slow down
    thread, box = in_thread(lambda: other.get(path))
    wait_held(relay, HELD_PER_SESSION + 1)  # another session of the relay is not starved by this one: it is held
    relay.app.relay.feed.release_all()
    for waiting, _ in (*held, (thread, box)):
        waiting.join(10)
    assert box["result"].status_code == 200 and "heldMs" in box["result"].json


def test_a_plain_state_read_has_no_held_ms(relay):
    assert "heldMs" not in relay.owner().get("/api/admin/state").json
