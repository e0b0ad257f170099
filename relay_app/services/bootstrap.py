"""A relay starting on an empty store creates the bootstrap user "Owner", the workspace
"Primary" and the owner membership, so the bootstrap token has someone to log in as. A store
whose named bootstrap user is gone gets a new one too; beside relay owners it still names, that is a
new relay owner, and the audit trail says so (relay_owners.py)."""

from __future__ import annotations

import base64
import secrets

import attrs

from mobile_codex.core.crypto import new_id
from mobile_codex.core.records import Membership, User, Workspace
from mobile_codex.core.store import Store
from mobile_codex.core.timeutil import Clock, iso

from . import relay_owners


def new_user_handle() -> str:
    """A random WebAuthn user handle (base64url, no padding); it never reveals the user id."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode("ascii")


def ensure_bootstrap(store: Store, clock: Clock) -> None:
    with store.transaction() as tx:
        meta = tx.get_meta()
        if meta.bootstrap_user_id and tx.users.get(meta.bootstrap_user_id):
            return
        now = iso(clock())
        workspace = Workspace(workspace_id=new_id("ws"), name="Primary", created_at=now)
        user = User(
            user_id=new_id("user"), user_handle=new_user_handle(), display_name="Owner",
            created_at=now, last_workspace_id=workspace.workspace_id,
        )  # fmt: skip
        tx.users.put(user)
        tx.workspaces.put(workspace)
        tx.memberships.put(
            Membership(
                membership_id=new_id("membership"), user_id=user.user_id,
                workspace_id=workspace.workspace_id, role="owner", created_at=now,
            )
        )  # fmt: skip
        owners_before = relay_owners.current(tx)  # a store that names owners but lost its bootstrap user
        # evolve, not a new RelayMeta: the other relay-wide facts (the volatile store's epoch) stay as they were
        tx.set_meta(attrs.evolve(meta, bootstrap_user_id=user.user_id, admin_user_ids=(user.user_id, *meta.admin_user_ids)))
        relay_owners.note_changes(tx, owners_before, at=now, via="bootstrap")
