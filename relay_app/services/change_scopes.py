"""Which state views a change can alter: the scopes of the change feed (`events.ChangeFeed`).

A state view shows one workspace (its agents, tasks, pair requests, members and invitations), one
user (their record, session, passkeys and memberships, with each workspace's name) and, to relay
owners, the people of the whole relay (every user with their counts, account invitations). So a
view depends on three scopes at most (`view_scopes`), and a write moves exactly the scopes of the
views that show what it changed (`written_scopes`): activity in one workspace never wakes another
workspace's phones, and an agent's last-seen write, which no view shows as a change, moves nothing.

`written_scopes` is called for every record a write transaction puts or deletes (`notifying_store`),
with the record before and after, inside that transaction, so it may read what it needs (who is a
member of a renamed workspace). A new table or a new visible field must be mapped here;
`tests/relay/test_change_cursor.py` checks one change of each kind.
"""

from __future__ import annotations

from typing import Any, Iterable

import attrs

from mobile_codex.core.records import RelayMeta
from mobile_codex.core.store import Transaction

from .callers import Caller

Scope = tuple[str, str]

PEOPLE: Scope = ("people", "")  # what relay owners see of every user and of account invitations

# Fields no state view shows (or shows only as it is kept in memory): writing only these moves nothing.
UNSEEN_FIELDS = {
    "agents": frozenset({"last_seen_at", "token_hash", "next_token_hash"}),  # presence moves it (agents.py)
    "users": frozenset({"user_handle"}),
}


def workspace(workspace_id: str) -> Scope:
    return ("workspace", workspace_id)


def user(user_id: str) -> Scope:
    return ("user", user_id)


def view_scopes(caller: Caller) -> tuple[Scope, ...]:
    """The scopes the caller's state view depends on."""
    scopes = [user(caller.user.user_id)]
    if caller.workspace_id:
        scopes.append(workspace(caller.workspace_id))
    if caller.is_relay_owner:
        scopes.append(PEOPLE)
    return tuple(scopes)


def _changed_fields(old: Any, new: Any) -> set[str]:
    if old is None or new is None:
        return {field.name for field in attrs.fields(type(old if new is None else new))}
    return {field.name for field in attrs.fields(type(new)) if getattr(old, field.name) != getattr(new, field.name)}


def _member_users(tx: Transaction, workspace_id: str) -> list[Scope]:
    return [user(m.user_id) for m in tx.memberships.find(workspace_id=workspace_id)]


def _user_workspaces(tx: Transaction, user_id: str) -> list[Scope]:
    return [workspace(m.workspace_id) for m in tx.memberships.find(user_id=user_id)]


def written_scopes(tx: Transaction, table: str, old: Any, new: Any) -> set[Scope]:
    """The scopes a put (`old` may be None) or a delete (`new` is None) of one record moves."""
    changed = _changed_fields(old, new) - UNSEEN_FIELDS.get(table, frozenset())
    if not changed:
        return set()
    record = new if new is not None else old
    if table in ("tasks", "agents", "pair_requests", "pairings"):
        return {workspace(record.workspace_id)}
    if table == "invitations":  # account invites have no workspace: relay owners see them
        return {workspace(record.workspace_id) if record.workspace_id else PEOPLE}
    if table == "memberships":
        return {workspace(record.workspace_id), user(record.user_id), PEOPLE}
    if table == "workspaces":  # its name shows in every member's list of workspaces
        return {workspace(record.workspace_id), PEOPLE, *_member_users(tx, record.workspace_id)}
    if table == "users":
        scopes = {user(record.user_id), PEOPLE}
        if changed - {"last_workspace_id"}:  # the display name shows in member lists and on invitations
            scopes.update(_user_workspaces(tx, record.user_id))
        return scopes
    if table in ("sessions", "passkeys"):  # the user's own view; relay owners see counts
        return {user(record.user_id), PEOPLE}
    if table == "push_subscriptions":  # shown in no state view (GET /api/admin/notifications/devices)
        return set()
    if table == "recovery_codes":
        return {PEOPLE}
    if table in ("login_codes", "notification_preferences", "audit_events"):  # shown in no view (their own APIs)
        return set()
    raise ValueError(f"no change scopes for table {table!r}")


def meta_scopes(old: RelayMeta, new: RelayMeta) -> set[Scope]:
    """Who owns the relay: their own permissions, and every relay owner's list of users (the
    volatile store's epoch, which no view shows, moves nothing)."""
    if attrs.evolve(old, volatile_epoch=None) == attrs.evolve(new, volatile_epoch=None):
        return set()
    owners: Iterable[str | None] = (old.bootstrap_user_id, new.bootstrap_user_id, *old.admin_user_ids, *new.admin_user_ids)
    return {PEOPLE, *(user(user_id) for user_id in owners if user_id)}
