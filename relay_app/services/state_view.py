"""The state view of `GET /api/admin/state`: everything the phone shows, in one read.

People parts live here; the agent parts (pair requests, agents, tasks) come from
`views.agents_and_tasks.agent_state_parts`. What a caller sees follows their role: members for owners of
the current workspace, invitations they may manage, users for relay owners. An
enrollment-locked session gets empty lists. `changeCursor` moves on every change, and a caller
may wait for it to move (`wait_for_change`).
"""

from __future__ import annotations

from typing import Any

from mobile_codex.core.store import Transaction
from mobile_codex.core.task_catalog import web_catalog
from mobile_codex.core.timeutil import iso

from ..views.agents_and_tasks import agent_state_parts
from .auth_view import auth_view
from .invitations import visible_invitations
from .memberships import workspace_members
from .people_views import invitation_view, managed_user_view, member_view
from .permissions import at_least
from .sessions import Caller

MAX_WAIT_MS = 25000
WEB_CATALOG = web_catalog()


def wait_for_change(ctx, after: str | None, wait_ms: int) -> None:
    """Hold until the change cursor moves past `after` or `wait_ms` ends.

    Answers at once when `after` is not the current cursor (unknown or stale) or when the
    capacity rule says no more requests may be held.
    """
    if not after or wait_ms <= 0 or after != ctx.feed.cursor():
        return
    with ctx.holds.hold() as may_wait:
        if may_wait:
            ctx.feed.wait_for_change(after, min(wait_ms, MAX_WAIT_MS) / 1000)


def _people_parts(tx: Transaction, caller: Caller, now: str) -> dict[str, Any]:
    if caller.locked:
        return {"members": [], "invitations": [], "users": []}
    owner_here = caller.workspace_id is not None and at_least(caller.role, "owner")
    members = [member_view(tx, m) for m in workspace_members(tx, caller.workspace_id)] if owner_here else []
    users = []
    if caller.is_relay_owner:
        meta = tx.get_meta()
        everyone = tx.users.find(order_by="display_name")
        users = [managed_user_view(tx, user, meta=meta, now=now) for user in everyone]
    return {
        "members": members,
        "invitations": [invitation_view(tx, invitation) for invitation in visible_invitations(tx, caller, now)],
        "users": users,
    }


def state_view(ctx, tx: Transaction, caller: Caller) -> dict[str, Any]:
    config = ctx.config
    now = iso(ctx.clock())
    cursor = ctx.feed.cursor()  # read before the data: a change racing this read moves it again
    membership = caller.membership
    workspace = tx.workspaces.get(membership.workspace_id) if membership else None
    return {
        "now": now,
        "features": config.features.to_dict(),
        "web": {
            "appName": config.web.app_name,
            "pollIntervalMs": config.web.poll_interval_ms,
            "pairCommandConfigPathHint": config.web.pair_command_config_path_hint,
            "catalog": WEB_CATALOG,  # ours: task types, statuses and flags, so the app keeps no copy
        },
        "auth": auth_view(tx, config, caller),
        "currentWorkspace": None if workspace is None else {
            "workspaceId": workspace.workspace_id, "name": workspace.name,
            "role": membership.role, "createdAt": workspace.created_at,
        },  # fmt: skip
        **_people_parts(tx, caller, now),
        **agent_state_parts(ctx, tx, caller),
        "changeCursor": cursor,
    }
