"""GET /api/admin/state: shape, what each role sees, the enrollment lock, and change waits."""

from __future__ import annotations

import time

from mobile_codex.core.task_catalog import web_catalog

from .agent_helpers import in_thread, pair_agent, wait_held
from .people_helpers import add_person, bootstrap_user_id, invite, new_workspace, primary_workspace_id, redeem_invite, state

TOP_LEVEL = {
    "now", "features", "web", "auth", "currentWorkspace", "members", "invitations", "users",
    "pendingPairRequests", "agents", "tasks", "changeCursor",
}  # fmt: skip


def test_state_shape_for_the_relay_owner(relay):
    owner = relay.owner()
    invite(owner, note="ws")
    invite(owner, type="account", note="acct")
    view = state(owner)
    assert set(view) == TOP_LEVEL
    assert view["now"] == "2026-11-26T12:00:00.000Z"
    assert view["features"] == relay.config.features.to_dict() and view["features"]["pairings"] is True
    assert view["web"] == {
        "appName": "Mobile Codex", "pollIntervalMs": 2500, "pairCommandConfigPathHint": "", "catalog": web_catalog(),
    }  # fmt: skip
    assert view["web"]["catalog"]["terminalStatuses"] == ["completed", "failed", "rejected", "interrupted", "canceled"]
    assert view["auth"]["isRelayOwner"] is True
    assert view["currentWorkspace"] == {
        "workspaceId": primary_workspace_id(relay), "name": "Primary", "role": "owner", "createdAt": "2026-11-26T12:00:00.000Z",
        "requireSecondApprover": False,  # ours (issue 18)
    }
    assert view["members"] == [{
        "membershipId": view["auth"]["workspaces"][0]["membershipId"], "userId": bootstrap_user_id(relay),
        "displayName": "Owner", "role": "owner", "createdAt": "2026-11-26T12:00:00.000Z",
        "lastSignInAt": "2026-11-26T12:00:00.000Z",  # ours (issue 21): signed in with the bootstrap token
    }]  # fmt: skip
    assert sorted(i["note"] for i in view["invitations"]) == ["acct", "ws"]
    (user,) = view["users"]
    assert user["userId"] == bootstrap_user_id(relay) and user["isRelayOwner"] is True and user["activeSessionCount"] == 1
    assert user["activeRecovery"] is None and user["passkeyCount"] == 0
    assert isinstance(view["changeCursor"], str) and view["changeCursor"]
    assert (view["pendingPairRequests"], view["agents"], view["tasks"]) == ([], [], [])


def test_members_are_sorted_owners_first(relay):
    owner = relay.owner()
    add_person(relay, "viewer", name="Bea")
    add_person(relay, "operator", name="Cy")
    add_person(relay, "owner", name="Al")
    assert [(m["displayName"], m["role"]) for m in state(owner)["members"]] == [
        ("Al", "owner"), ("Owner", "owner"), ("Cy", "operator"), ("Bea", "viewer")
    ]


def test_what_each_role_sees(relay):
    relay_owner = relay.owner()
    invite(relay_owner, type="account")
    _, here = invite(relay_owner)
    workspace_owner = add_person(relay, "owner")
    elsewhere = new_workspace(relay)
    foreign_owner = add_person(relay, "owner", workspace_id=elsewhere)
    _, there = invite(foreign_owner.browser)
    for role in ("operator", "viewer"):
        view = state(add_person(relay, role).browser)
        assert (view["members"], view["invitations"], view["users"]) == ([], [], []), role
        assert view["currentWorkspace"]["role"] == role
    view = state(workspace_owner.browser)
    assert len(view["members"]) == 4 and [i["inviteId"] for i in view["invitations"]] == [here["inviteId"]]
    assert view["users"] == []
    view = state(foreign_owner.browser)
    assert [m["userId"] for m in view["members"]] == [foreign_owner.user_id]
    assert [i["inviteId"] for i in view["invitations"]] == [there["inviteId"]]
    view = state(relay_owner)
    assert there["inviteId"] not in [i["inviteId"] for i in view["invitations"]]  # another workspace's invite
    assert len(view["users"]) == 5  # bootstrap, two owners, operator, viewer


def test_only_active_invitations_are_listed_newest_first(relay):
    owner = relay.owner()
    _, expiring = invite(owner, ttlSec=300)
    relay.clock.advance(1)
    _, revoked = invite(owner)
    owner.post(f"/api/admin/invitations/{revoked['inviteId']}/revoke")
    relay.clock.advance(1)
    used_code, _ = invite(owner)
    redeem_invite(relay, used_code)
    relay.clock.advance(1)
    _, newest = invite(owner)
    assert [i["inviteId"] for i in state(owner)["invitations"]] == [newest["inviteId"], expiring["inviteId"]]
    relay.clock.advance(300)
    assert [i["inviteId"] for i in state(owner)["invitations"]] == [newest["inviteId"]]


def test_enrollment_locked_session_gets_empty_lists(relay):
    relay.owner()
    locked = add_person(relay, "owner", locked=True)
    view = state(locked.browser)
    assert (view["members"], view["invitations"], view["users"]) == ([], [], [])
    assert (view["pendingPairRequests"], view["agents"], view["tasks"]) == ([], [], [])
    assert view["auth"]["needsPasskeyEnrollment"] is True and view["auth"]["permissions"]["manageMembers"] is False


def test_user_without_workspace(relay):
    loner = add_person(relay, None)
    view = state(loner.browser)
    assert view["currentWorkspace"] is None and view["members"] == [] and view["auth"]["currentRole"] is None


def test_state_needs_a_session(relay):
    result = relay.browser().get("/api/admin/state")
    assert (result.status_code, result.json) == (401, {"error": "missing-session"})


def test_change_cursor_moves_on_writes_only(relay):
    owner = relay.owner()
    first = state(owner)["changeCursor"]
    assert state(owner)["changeCursor"] == first  # reading changes nothing
    invite(owner)
    assert state(owner)["changeCursor"] != first


def test_wait_for_change_wakes_on_a_write(relay):
    owner = relay.owner()
    watcher = relay.owner()
    cursor = state(watcher)["changeCursor"]
    thread, box = in_thread(lambda: watcher.get(f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=20000"))
    wait_held(relay)
    assert thread.is_alive()
    invite(owner, note="wake up")
    thread.join(10)
    result = box["result"]
    assert result.status_code == 200 and box["elapsed"] < 5
    assert result.json["changeCursor"] != cursor and [i["note"] for i in result.json["invitations"]] == ["wake up"]


def test_wait_wakes_when_an_agent_reports_other_codex_sessions(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    agent.poll(codexSessions=[])  # the first poll writes lastSeenAt; the clock stands still from here on
    cursor = state(owner)["changeCursor"]
    thread, box = in_thread(lambda: owner.get(f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=20000"))
    wait_held(relay)
    assert thread.is_alive()
    sessions = [{"sessionId": "s1", "title": "Fix the build", "cwd": "."}]
    agent.poll(codexSessions=sessions)
    thread.join(10)
    result = box["result"]
    assert result.status_code == 200 and box["elapsed"] < 5
    assert result.json["changeCursor"] != cursor
    assert [s["title"] for s in result.json["agents"][0]["codexSessions"]] == ["Fix the build"]


def test_an_unchanged_session_report_does_not_move_the_cursor(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    sessions = [{"sessionId": "s1", "title": "Fix the build", "cwd": "."}]
    agent.poll(codexSessions=sessions)
    cursor = state(owner)["changeCursor"]
    agent.poll(codexSessions=sessions)
    agent.poll()  # an old agent that sends no sessions keeps the ones held
    assert state(owner)["changeCursor"] == cursor
    agent.poll(codexSessions=[])
    assert state(owner)["changeCursor"] != cursor


def test_stale_or_unknown_cursor_answers_at_once(relay):
    owner = relay.owner()
    stale = state(owner)["changeCursor"]
    invite(owner)
    for cursor in (stale, "nonsense", "0-0"):
        started = time.monotonic()
        result = owner.get(f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=20000")
        assert result.status_code == 200 and time.monotonic() - started < 2


def test_wait_ends_at_wait_ms(relay):
    owner = relay.owner()
    cursor = state(owner)["changeCursor"]
    started = time.monotonic()
    result = owner.get(f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=300")
    elapsed = time.monotonic() - started
    assert result.status_code == 200 and result.json["changeCursor"] == cursor and 0.25 < elapsed < 5


def test_wait_answers_at_once_past_the_hold_capacity(relay):
    owner = relay.owner()
    relay.app.relay.holds.capacity = 0
    cursor = state(owner)["changeCursor"]
    started = time.monotonic()
    assert owner.get(f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=20000").status_code == 200
    assert time.monotonic() - started < 2


def test_bad_wait_ms(relay):
    owner = relay.owner()
    result = owner.get("/api/admin/state?waitForChangeAfter=x&waitMs=soon")
    assert (result.status_code, result.json) == (400, {"error": "invalid-field", "detail": "waitMs"})
    assert owner.get("/api/admin/state?waitMs=-5").status_code == 200


def test_a_session_ended_during_the_wait_answers_401(relay):
    owner = relay.owner()
    person = add_person(relay, "viewer")
    cursor = state(person.browser)["changeCursor"]
    thread, box = in_thread(lambda: person.browser.get(f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=20000"))
    wait_held(relay)
    owner.post(f"/api/admin/users/{person.user_id}/disable")
    thread.join(10)
    assert box["result"].status_code == 401 and box["result"].json == {"error": "invalid-session"}
