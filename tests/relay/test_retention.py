"""History does not grow without end: the sweeper deletes finished tasks and spent codes after
`retentionDays`, and nothing that is still in use."""

from __future__ import annotations

from .agent_helpers import created, pair_agent, stored
from .people_helpers import invite


def test_finished_tasks_and_spent_codes_go_after_retention(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    done = created(owner)
    agent.poll()
    assert agent.update(done["taskId"], status="completed", summary="ok").json == {"ok": True}
    queued = created(owner)  # unfinished: never deleted, however old
    _, spent = invite(owner, note="spent", ttlSec=300)
    relay.clock.advance(89 * 86400)
    owner = relay.owner()  # the first sign-in ended long ago
    _, fresh = invite(owner, note="fresh")  # still valid long after: kept
    assert relay.sweep().past_retention_deleted == 0  # 89 days: nothing is due yet
    relay.clock.advance(2 * 86400)
    swept = relay.sweep()
    assert stored(relay, "tasks", done["taskId"]) is None
    assert stored(relay, "tasks", queued["taskId"]).status == "queued"
    assert stored(relay, "invitations", spent["inviteId"]) is None
    assert stored(relay, "invitations", fresh["inviteId"]) is not None
    assert relay.app.relay.services.tasks.state(stored(relay, "tasks", queued["taskId"])).text["prompt"] == "hello"
    assert swept.past_retention_deleted >= 2 and relay.sweep().past_retention_deleted == 0


def test_retention_days_is_a_relay_setting(tmp_path):
    from .conftest import Relay

    relay = Relay(tmp_path, "sqlite", retentionDays=1)
    try:
        owner = relay.owner()
        _, spent = invite(owner, note="spent", ttlSec=300)
        relay.clock.advance(86400 + 301)
        relay.sweep()
        assert stored(relay, "invitations", spent["inviteId"]) is None
    finally:
        relay.close()
