"""Issue 15, finding 7: the state view reads only the invitations the caller may see (by
workspace, plus account invites for relay owners), and invitation creation is capped and
rate-limited (429 `too-many-invitations`)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from mobile_codex.core.crypto import new_id
from mobile_codex.core.plugins import load_plugins
from mobile_codex.core.records import Invitation
from mobile_codex.core.timeutil import iso, iso_after
from mobile_codex.relay_app.app import create_app
from mobile_codex.relay_app.server import open_store

from .conftest import START, Relay
from .people_helpers import add_person, invite, new_workspace, state

TOO_MANY = (429, {"error": "too-many-invitations"})


class CountingStore:
    """The relay's real store; every invitation record a lookup returns is noted in `touched`."""

    def __init__(self, store):
        self.store = store
        self.touched: list[Invitation] = []

    @contextmanager
    def transaction(self, **kw):
        with self.store.transaction(**kw) as tx:
            yield _CountingTransaction(tx, self.touched)

    def __getattr__(self, name):
        return getattr(self.store, name)


class _CountingTransaction:
    def __init__(self, tx, touched):
        self._tx = tx
        self.invitations = _CountingTable(tx.invitations, touched)

    def __getattr__(self, name):
        return getattr(self._tx, name)


class _CountingTable:
    def __init__(self, table, touched):
        self._table = table
        self._touched = touched

    def find(self, **kw):
        found = self._table.find(**kw)
        self._touched.extend(found)
        return found

    def __getattr__(self, name):
        return getattr(self._table, name)


@pytest.fixture
def counted(tmp_path, backend):
    """A relay whose store notes the invitation records each request reads."""
    relay = Relay(tmp_path, backend)
    relay.store.close()
    relay.store = CountingStore(open_store(relay.config, load_plugins(entry_points=[])))
    relay.app = create_app(relay.config, store=relay.store, clock=relay.clock)
    yield relay
    relay.close()


def _flood(relay, workspace_id: str, count: int) -> None:
    """`count` active invites of another workspace, written straight to the store."""
    with relay.store.transaction() as tx:
        for n in range(count):
            tx.invitations.put(Invitation(
                invite_id=new_id("invite"), type="workspace", workspace_id=workspace_id, role="viewer", note=f"n{n}",
                code_hash=f"{n:064x}", created_at=iso(START), expires_at=iso_after(START, 3600),
            ))  # fmt: skip


def test_the_state_view_reads_only_this_workspaces_invitations(counted):
    owner = counted.owner()  # the relay owner: this workspace's invites and account invites
    _, here = invite(owner, note="here")
    _, account = invite(owner, type="account", note="account")
    elsewhere = new_workspace(counted)
    _flood(counted, elsewhere, 150)
    counted.store.touched.clear()
    assert sorted(i["inviteId"] for i in state(owner)["invitations"]) == sorted([here["inviteId"], account["inviteId"]])
    assert sorted(i.invite_id for i in counted.store.touched) == sorted([here["inviteId"], account["inviteId"]])
    workspace_owner = add_person(counted, "owner", workspace_id=elsewhere)  # no relay owner: no account invites
    counted.store.touched.clear()
    assert len(state(workspace_owner.browser)["invitations"]) == 150
    assert {(i.type, i.workspace_id) for i in counted.store.touched} == {("workspace", elsewhere)}
    assert len(counted.store.touched) == 150


def test_active_invitations_per_workspace_are_capped(make_relay):
    relay = make_relay(limits={"maxActiveInvitationsPerWorkspace": 2})
    owner = relay.owner()
    invite(owner, ttlSec=300)
    _, second = invite(owner)
    result = owner.post("/api/admin/invitations", {})
    assert (result.status_code, result.json) == TOO_MANY
    assert invite(owner, type="account")[1]["type"] == "account"  # account invites are a pool of their own
    other = add_person(relay, "owner", workspace_id=new_workspace(relay))
    invite(other.browser)  # another workspace has its own quota
    owner.post(f"/api/admin/invitations/{second['inviteId']}/revoke")
    invite(owner)  # a revoked invite no longer counts
    invite(owner, expect=429)
    relay.clock.advance(301)
    invite(owner)  # nor does an expired one


def test_invitation_creates_per_user_are_rate_limited(make_relay):
    relay = make_relay(limits={"maxInvitationCreatesPerUserPerMinute": 2})
    owner = relay.owner()
    invite(owner)
    invite(owner, type="account")
    result = owner.post("/api/admin/invitations", {})
    assert (result.status_code, result.json) == TOO_MANY
    invite(add_person(relay, "owner").browser)  # another user's budget
    relay.clock.advance(61)
    invite(owner)


def test_the_invitation_limits_have_documented_defaults(relay):
    limits = relay.config.limits
    assert (limits.max_active_invitations_per_workspace, limits.max_invitation_creates_per_user_per_minute) == (100, 20)
