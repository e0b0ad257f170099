"""Who the relay owners are, and the audit entries when that changes (`relay-owner.changed`).

Relay owners are the bootstrap user and `adminUserIds` (RelayMeta); no API changes them. Two paths
do: `mobile-codex import-state` into a store a first relay start has touched replaces its bootstrap
"Owner" with the reference's owners, and a relay start whose store names a bootstrap user that is
not there creates a new one beside the named owners (ensure_bootstrap). Each owner gained or lost
is an entry about that user, relay-wide (no workspace). The very first owner of an empty store is
no change: nobody owned the relay before, so nothing is noted.
"""

from __future__ import annotations

from mobile_codex.core.records import RelayMeta
from mobile_codex.core.store import Transaction

from .audit_trail import note


def named(meta: RelayMeta) -> list[str]:
    """The user ids meta names as relay owners, bootstrap user first, each once."""
    return list(dict.fromkeys(user_id for user_id in (meta.bootstrap_user_id, *meta.admin_user_ids) if user_id))


def current(tx: Transaction) -> list[str]:
    """The relay owners who are users of this store."""
    return [user_id for user_id in named(tx.get_meta()) if tx.users.get(user_id) is not None]


def note_changes(tx: Transaction, before: list[str], *, at: str, via: str) -> None:
    """Note each owner lost since `before` (current() then), then each gained; nothing when the relay
    had no owner before (the first one)."""
    after = current(tx)
    if not before:
        return
    for user_id in before:
        if user_id not in after:
            note(tx, "relay-owner.changed", at=at, record=("user", user_id), change="removed", via=via)
    for user_id in after:
        if user_id not in before:
            note(tx, "relay-owner.changed", at=at, record=("user", user_id), change="added", via=via)
