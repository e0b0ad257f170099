"""A second person for the phone tests: a new member of the bootstrap user's workspace, signed in."""

from __future__ import annotations

from mobile_codex.core.crypto import new_id
from mobile_codex.core.records import Membership, User
from mobile_codex.core.timeutil import iso, system_clock


def operator_cookie(relay) -> str:
    """A new operator of the bootstrap user's workspace, signed in (their session cookie)."""
    ctx = relay.app.relay
    now = iso(system_clock())
    with ctx.store.transaction() as tx:
        workspace_id = tx.users.get(tx.get_meta().bootstrap_user_id).last_workspace_id
        user = User(user_id=new_id("user"), user_handle=new_id("h"), display_name="Otto", created_at=now,
                    last_workspace_id=workspace_id)
        tx.users.put(user)
        tx.memberships.put(Membership(membership_id=new_id("membership"), user_id=user.user_id,
                                      workspace_id=workspace_id, role="operator", created_at=now))
        return ctx.services.sessions.create(tx, user_id=user.user_id, workspace_id=workspace_id)
