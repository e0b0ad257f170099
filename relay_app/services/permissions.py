"""Who may do what: roles, relay owners and the enrollment lock, in one place."""

from __future__ import annotations

ROLES = ("viewer", "operator", "owner")
_RANK = {role: rank for rank, role in enumerate(ROLES)}


def at_least(role: str | None, needed: str) -> bool:
    return role is not None and _RANK.get(role, -1) >= _RANK[needed]


def permissions(*, role: str | None, is_relay_owner: bool, locked: bool) -> dict[str, bool]:
    """The `auth.permissions` object of API.md."""
    if locked:  # enrollment-locked: see and switch workspaces, manage own passkeys, nothing else
        return {
            "viewWorkspace": True, "switchWorkspace": True, "createTasks": False, "approveTasks": False,
            "pairAgents": False, "revokeAgents": False, "manageMembers": False, "createWorkspaces": False,
            "createAccountInvites": False, "managePasskeys": True, "manageRelayUsers": False,
        }  # fmt: skip
    operator, owner = at_least(role, "operator"), at_least(role, "owner")
    return {
        "viewWorkspace": role is not None,
        "switchWorkspace": True,
        "createTasks": operator,
        "approveTasks": operator,
        "pairAgents": operator,
        "revokeAgents": owner,
        "manageMembers": owner,
        "createWorkspaces": True,
        "createAccountInvites": is_relay_owner,
        "managePasskeys": True,
        "manageRelayUsers": is_relay_owner,
    }
