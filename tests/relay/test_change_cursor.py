"""The change cursor is per view (issue 15): a workspace's phones wake for what they show and for
nothing else — not another workspace's activity, not an agent's last-seen write — and every kind of
change a view shows moves the cursor of the views that show it."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest

from mobile_codex.core import audit
from mobile_codex.core.crypto import new_id
from mobile_codex.core.records import (
    TABLES, Invitation, LoginCode, Membership, NotificationPreference, Pairing, Passkey, PushSubscription, RecoveryCode,
)
from mobile_codex.core.timeutil import iso
from mobile_codex.relay_app.services.agents import ONLINE_SEC

from .agent_helpers import created, in_thread, pair_agent, wait_held
from .people_helpers import add_person, bootstrap_user_id, invite, new_workspace, primary_workspace_id, state, stored

WEB_FLAGS = Path(__file__).resolve().parents[2] / "web" / "flags.js"


def cursor(browser) -> str:
    return state(browser)["changeCursor"]


def held_wait(relay, browser, after: str, wait_ms: int):
    """A state wait held by the relay (in a thread): (thread, box)."""
    thread, box = in_thread(lambda: browser.get(f"/api/admin/state?waitForChangeAfter={after}&waitMs={wait_ms}"))
    wait_held(relay)
    return thread, box


def held_to_the_end(box, after: str, wait_ms: int) -> None:
    result = box["result"]
    assert result.status_code == 200, result.text
    assert result.json["changeCursor"] == after and result.json["heldMs"] >= wait_ms - 100


def woken(thread, box, after: str) -> dict:
    thread.join(15)
    result = box["result"]
    assert result.status_code == 200 and box["elapsed"] < 10, (box, result.text)
    assert result.json["changeCursor"] != after
    return result.json


# --- the three the issue names --------------------------------------------------------------------


def test_activity_in_another_workspace_does_not_answer_a_held_wait(relay):
    relay.owner()  # the bootstrap owner exists
    watcher = add_person(relay, "owner").browser  # an owner of Primary, not a relay owner
    other = new_workspace(relay)
    their_owner = add_person(relay, "owner", workspace_id=other).browser
    after, wait_ms = cursor(watcher), 3000
    thread, box = held_wait(relay, watcher, after, wait_ms)
    invite(their_owner, note="theirs")
    agent = pair_agent(relay, their_owner, "vm")
    task = created(their_owner, "vm")
    agent.poll(maxTasks=1)
    agent.update(task["taskId"], status="running", outputAppend="their output")
    thread.join(15)
    held_to_the_end(box, after, wait_ms)
    assert cursor(watcher) == after  # nothing of theirs moved it, even after the wait ended
    invite(watcher, note="ours")
    assert cursor(watcher) != after  # while our own change does


def test_an_agent_poll_that_writes_last_seen_does_not_answer_a_held_wait(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    agent.poll()  # online now
    after, wait_ms = cursor(owner), 3000
    key = (primary_workspace_id(relay), "agent-1")
    first_seen = stored(relay, "agents", key).last_seen_at
    thread, box = held_wait(relay, owner, after, wait_ms)
    relay.clock.advance(6)  # past LAST_SEEN_WRITE_SEC: this poll writes lastSeenAt
    agent.poll()
    assert stored(relay, "agents", key).last_seen_at != first_seen
    thread.join(15)
    held_to_the_end(box, after, wait_ms)
    assert cursor(owner) == after


def test_an_agent_going_online_answers_a_held_wait(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    after = cursor(owner)
    thread, box = held_wait(relay, owner, after, 20000)
    agent.poll()
    view = woken(thread, box, after)
    assert view["agents"][0]["lastSeenAt"] == iso(relay.clock())


def test_an_agent_going_offline_answers_a_held_wait_and_coming_back_another(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    agent.poll()
    relay.clock.advance(ONLINE_SEC - 1)
    after = cursor(owner)
    assert relay.sweep().workspaces_with_agents_gone_offline == 0 and cursor(owner) == after  # still online
    thread, box = held_wait(relay, owner, after, 20000)
    relay.clock.advance(1)  # the app shows it offline from now on (web/flags.js)
    assert relay.sweep().workspaces_with_agents_gone_offline == 1
    offline = woken(thread, box, after)["changeCursor"]
    assert relay.sweep().workspaces_with_agents_gone_offline == 0 and cursor(owner) == offline  # once
    thread, box = held_wait(relay, owner, offline, 20000)
    agent.poll()
    woken(thread, box, offline)


def test_the_relay_and_the_app_agree_when_an_agent_is_online():
    match = re.search(r"const ONLINE_MS = (\d+) \* 1000;", WEB_FLAGS.read_text())
    assert match and int(match.group(1)) == ONLINE_SEC


# --- each kind of change moves the views that show it, and only those -------------------------------


@attrs.frozen
class World:
    """Four signed-in views: the relay owner in Primary, `user` in Primary and also a member of Other,
    `colleague` in Primary only, `stranger` owning Other only."""

    relay: object
    primary: str
    other: str
    owner_id: str
    user_id: str
    views: dict


def make_world(relay) -> World:
    owner = relay.owner()
    primary, other = primary_workspace_id(relay), new_workspace(relay)
    user = add_person(relay, "viewer", name="Uma")
    with relay.app.relay.store.transaction() as tx:
        tx.memberships.put(
            Membership(
                membership_id=new_id("membership"), user_id=user.user_id, workspace_id=other, role="viewer",
                created_at=iso(relay.clock()),
            )
        )  # fmt: skip
    views = {
        "owner": owner, "user": user.browser, "colleague": add_person(relay, "owner").browser,
        "stranger": add_person(relay, "owner", workspace_id=other).browser,
    }  # fmt: skip
    return World(relay, primary, other, bootstrap_user_id(relay), user.user_id, views)


def _first(tx, table: str, **equals):
    return getattr(tx, table).find(limit=1, **equals)[0]


def _code(kind, world, **fields):
    now = iso(world.relay.clock())
    return kind(code_hash=new_id("h"), created_at=now, expires_at="2999-01-01T00:00:00.000Z", **fields)


# (what changes, its table, the change inside a write transaction, which views must move: the others must not)
CHANGES = [
    ("a task in Primary", "tasks", lambda w, tx: tx.tasks.put(attrs.evolve(_first(tx, "tasks"), title="renamed")),
     {"owner", "user", "colleague"}),
    ("an agent in Other", "agents", lambda w, tx: tx.agents.put(
        attrs.evolve(_first(tx, "agents", workspace_id=w.other), label="x")), {"stranger"}),
    ("an agent's lastSeenAt only", "agents", lambda w, tx: tx.agents.put(
        attrs.evolve(_first(tx, "agents", workspace_id=w.primary), last_seen_at="2030-01-01T00:00:00.000Z")), set()),
    ("a pair request in Primary", "pair_requests", lambda w, tx: tx.pair_requests.put(
        attrs.evolve(_first(tx, "pair_requests", workspace_id=w.primary), label="y")), {"owner", "user", "colleague"}),
    ("a pairing code in Other", "pairings", lambda w, tx: tx.pairings.put(
        _code(Pairing, w, pairing_id=new_id("pairing"), workspace_id=w.other, note="")), {"stranger"}),
    ("a workspace invitation to Other", "invitations", lambda w, tx: tx.invitations.put(_code(
        Invitation, w, invite_id=new_id("invite"), type="workspace", workspace_id=w.other, role="viewer", note="")),
     {"stranger"}),
    ("an account invitation", "invitations", lambda w, tx: tx.invitations.put(_code(
        Invitation, w, invite_id=new_id("invite"), type="account", workspace_id="", role="", note="")), {"owner"}),
    ("the user's membership in Other", "memberships", lambda w, tx: tx.memberships.put(
        attrs.evolve(_first(tx, "memberships", user_id=w.user_id, workspace_id=w.other), revoked_at=iso(w.relay.clock()))),
     {"owner", "user", "stranger"}),
    ("Other's name", "workspaces", lambda w, tx: tx.workspaces.put(attrs.evolve(tx.workspaces.get(w.other), name="Renamed")),
     {"owner", "user", "stranger"}),
    ("the user's display name", "users", lambda w, tx: tx.users.put(
        attrs.evolve(tx.users.get(w.user_id), display_name="Una")), {"owner", "user", "colleague", "stranger"}),
    ("the user's usual workspace", "users", lambda w, tx: tx.users.put(
        attrs.evolve(tx.users.get(w.user_id), last_workspace_id=w.other)), {"owner", "user"}),
    ("a new session of the user", "sessions", lambda w, tx: w.relay.app.relay.services.sessions.create(
        tx, user_id=w.user_id, workspace_id=w.primary), {"owner", "user"}),
    ("a passkey of the user", "passkeys", lambda w, tx: tx.passkeys.put(Passkey(
        passkey_id=new_id("pk"), credential_id=new_id("cred"), user_id=w.user_id, sign_count=0, label="Phone",
        created_at=iso(w.relay.clock()))), {"owner", "user"}),
    ("a push device of the user", "push_subscriptions", lambda w, tx: tx.push_subscriptions.put(PushSubscription(
        device_id=new_id("device"), user_id=w.user_id, endpoint="https://fcm.googleapis.com/fcm/send/x",
        endpoint_host="fcm.googleapis.com", p256dh="k", auth="a", label="Phone", created_at=iso(w.relay.clock()))),
     set()),
    ("a recovery code for the user", "recovery_codes", lambda w, tx: tx.recovery_codes.put(_code(
        RecoveryCode, w, recovery_id=new_id("recovery"), user_id=w.user_id, note="")), {"owner"}),
    ("a login code", "login_codes", lambda w, tx: tx.login_codes.put(_code(LoginCode, w, login_code_id=new_id("login"))),
     set()),
    ("the user's notification preferences", "notification_preferences", lambda w, tx: tx.notification_preferences.put(
        NotificationPreference(user_id=w.user_id, kinds={"task-finished": False})), set()),
    ("an audit entry about the workspace", "audit_events", lambda w, tx: audit.append(
        tx, at=iso(w.relay.clock()), kind="agent.revoked", workspace_id=w.primary, actor_user_id=w.user_id), set()),
    ("the user becomes a relay owner", "meta", lambda w, tx: tx.set_meta(
        attrs.evolve(tx.get_meta(), admin_user_ids=(*tx.get_meta().admin_user_ids, w.user_id))), {"owner", "user"}),
]  # fmt: skip


def test_every_table_has_a_change_case():
    assert {table for _, table, _, _ in CHANGES} == {*TABLES, "meta"}


@pytest.mark.parametrize("change", CHANGES, ids=[name for name, _, _, _ in CHANGES])
def test_a_change_moves_the_views_that_show_it(relay, change):
    _, _, write, moved = change
    world = make_world(relay)
    for workspace_browser, agent_id in ((world.views["owner"], "agent-1"), (world.views["stranger"], "agent-2")):
        pair_agent(relay, workspace_browser, agent_id)
    created(world.views["owner"], "agent-1")
    before = {name: cursor(browser) for name, browser in world.views.items()}
    with relay.app.relay.store.transaction() as tx:
        write(world, tx)
    after = {name: cursor(browser) for name, browser in world.views.items()}
    assert {name for name in before if after[name] != before[name]} == moved
