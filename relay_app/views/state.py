"""The state view of `GET /api/admin/state`: everything the phone shows, in one read.

The people parts come from `PeopleService.visible`, the agent parts (pair requests, agents,
tasks) from `agents_and_tasks.agent_state_parts`, both inside the resource's one read transaction.
What a caller sees follows the policy table: members for owners of the current workspace,
invitations they may manage, users for relay owners. An enrollment-locked session gets empty
lists. `changeCursor`, read by the resource before this transaction, moves on every change this
view shows and on nothing else (`services/change_scopes.py`); the resource may hold the request
until it does.
`web.catalog` is the task catalogue (core/task_catalog.py), so the app keeps no copy of its rules.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from mobile_codex.core.store import Transaction
from mobile_codex.core.task_catalog import web_catalog
from mobile_codex.core.timeutil import iso

from ..services.auth_state import read_auth_state
from ..services.callers import Caller
from ..services.task_deltas import Fingerprints, TaskDelta
from .agents_and_tasks import agent_state_parts
from .auth import auth_view
from .people import invitation_view, managed_user_view, member_view


WEB_CATALOG = web_catalog()


def _people_parts(ctx, tx: Transaction, caller: Caller, now: str) -> dict[str, Any]:
    people = ctx.services.people.visible(tx, caller, now)
    return {
        "members": [member_view(member) for member in people.members],
        "invitations": [invitation_view(invitation) for invitation in people.invitations],
        "users": [managed_user_view(user) for user in people.users],
    }


def state_view(ctx, tx: Transaction, caller: Caller, cursor: str) -> dict[str, Any]:
    config = ctx.config
    now = iso(ctx.clock())
    membership = caller.membership
    workspace = tx.workspaces.get(membership.workspace_id) if membership else None
    return {
        "now": now,
        "features": config.features.to_dict(),
        "web": {
            "appName": config.web.app_name,
            "pollIntervalMs": config.web.poll_interval_ms,
            "pairCommandConfigPathHint": config.web.pair_command_config_path_hint,
            "catalog": WEB_CATALOG,  # ours (docs/api.md)
        },
        "auth": auth_view(config, read_auth_state(tx, caller)),
        "currentWorkspace": None if workspace is None else {
            "workspaceId": workspace.workspace_id, "name": workspace.name,
            "role": membership.role, "createdAt": workspace.created_at,
            "requireSecondApprover": workspace.require_second_approver,  # ours (issue 18)
        },  # fmt: skip
        **_people_parts(ctx, tx, caller, now),
        **agent_state_parts(ctx, tx, caller),
        "changeCursor": cursor,
    }


def task_fingerprints(tasks: list[dict[str, Any]]) -> Fingerprints:
    """A short digest of each task view, to tell which changed since a phone's last view."""
    return {
        # task_view builds its keys in one fixed order, so equal views dump to equal text
        view["taskId"]: hashlib.blake2b(json.dumps(view, separators=(",", ":")).encode(), digest_size=12).digest()
        for view in tasks
    }


def apply_task_delta(view: dict[str, Any], delta: TaskDelta) -> None:
    """The state view as a phone that opted in with `tasksSince` gets it (docs/api.md "State deltas"):
    `tasks` only those changed (all of them when `tasksDelta` is false), `removedTaskIds` those gone
    from the view, `tasksCursor` to send next. Order stays the view's (newest update first)."""
    if not delta.full:
        view["tasks"] = [task for task in view["tasks"] if task["taskId"] in delta.changed]
    view["tasksDelta"] = not delta.full
    view["removedTaskIds"] = list(delta.removed)
    view["tasksCursor"] = delta.cursor
