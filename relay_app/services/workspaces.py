"""Workspaces (people, via `PeopleService`): any enrolled user may create one, owns it and switches to it.

Its owners change its settings (policy `workspace.settings`): today the two-person rule (issue 18).
"""

from __future__ import annotations

import attrs

from mobile_codex.core.crypto import new_id
from mobile_codex.core.records import Membership, Workspace
from mobile_codex.core.store import Transaction

from .audit_trail import note
from .callers import Caller
from .sessions import move_session

WORKSPACE_NAME_BUDGET = 80


def add_membership(
    tx: Transaction, *, user_id: str, workspace_id: str, role: str, now: str, by: str | None = None
) -> Membership:
    """`by`: who made it, when not the signed-in person of the request (a new user signing up)."""
    membership = Membership(
        membership_id=new_id("membership"), user_id=user_id, workspace_id=workspace_id, role=role, created_at=now
    )
    tx.memberships.put(membership)
    extra = {} if by is None else {"actor": by}
    note(tx, "membership.added", at=now, workspace_id=workspace_id, record=("membership", membership.membership_id),
         member=user_id, role=role, **extra)
    return membership


def create_workspace(tx: Transaction, caller: Caller, name: str, now: str) -> Workspace:
    """A new workspace owned by the caller, who switches to it."""
    workspace = Workspace(workspace_id=new_id("ws"), name=name, created_at=now)
    tx.workspaces.put(workspace)
    note(tx, "workspace.created", at=now, workspace_id=workspace.workspace_id, record=("workspace", workspace.workspace_id))
    add_membership(tx, user_id=caller.user.user_id, workspace_id=workspace.workspace_id, role="owner", now=now)
    move_session(tx, caller.session, workspace.workspace_id)
    return workspace


def change_settings(tx: Transaction, workspace_id: str, *, require_second_approver: bool, now: str) -> Workspace:
    """The workspace with its settings changed (written only when something changed)."""
    workspace = tx.workspaces.get(workspace_id)
    changed = attrs.evolve(workspace, require_second_approver=require_second_approver)
    if changed != workspace:
        tx.workspaces.put(changed)
        note(tx, "workspace.settings", at=now, workspace_id=workspace_id, record=("workspace", workspace_id),
             requireSecondApprover=require_second_approver)
    return changed
