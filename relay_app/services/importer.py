"""`import-state`: a reference `state.json` (version 4) into the configured store.

Records keep their ids and hashes, so users, sessions, passkeys (with their SPKI key), invites,
recovery codes and agent tokens issued by the reference keep working. Tasks that were not finished
become `interrupted`, as the reference does when it starts (their text was never saved).

The target must be *fresh*: empty, or holding only what a relay creates by itself on first start
(the bootstrap user, its "Primary" workspace and membership, its sessions and login codes). That
is the one case where replacing the contents loses nothing anyone made; anything else is refused.
When the first start's "Owner" gives way to the reference's relay owners, the audit trail says so
(relay_owners.py); its entries of the first start (the Owner's sign-ins) go with the rest.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from mobile_codex.core.errors import StorageError
from mobile_codex.core.record_codec import key_of, record_from_dict
from mobile_codex.core.records import TABLES, RelayMeta
from mobile_codex.core.store import Store, Transaction
from mobile_codex.core.task_catalog import UNFINISHED, Status
from mobile_codex.core.timeutil import Clock, iso
from mobile_codex.core.reference_state import State, load_state

from . import relay_owners


# Tables a relay never fills on its own: any row in them means someone used this store.
USER_MADE = ("invitations", "recovery_codes", "pairings", "pair_requests", "agents", "tasks", "passkeys")


class ImportRefused(Exception):
    """The target store already holds data of its own."""


def read_reference_state(path: Path) -> State:
    """Parse the file; StorageError (with the reason) when it is not a reference state v4."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not raw.strip():
        raise StorageError(f"{path} is empty")
    return load_state(path, created_at="")


def is_fresh(tx: Transaction) -> bool:
    if any(getattr(tx, name).count() for name in USER_MADE):
        return False
    if tx.users.count() > 1 or tx.workspaces.count() > 1 or tx.memberships.count() > 1:
        return False
    users = tx.users.find()
    return not users or users[0].user_id == tx.get_meta().bootstrap_user_id


def import_state(store: Store, state: State, clock: Clock) -> dict[str, int]:
    """Replace a fresh store's contents with `state`; returns how many records of each kind came in."""
    now = iso(clock())
    counts: dict[str, int] = {}
    with store.transaction() as tx:
        if not is_fresh(tx):
            raise ImportRefused("the target store already holds data")
        owners_before = relay_owners.current(tx)  # a first start's "Owner", who the import replaces
        for name in TABLES:
            table = getattr(tx, name)
            for old in table.find():
                table.delete(key_of(old))
        interrupted = 0
        for name, cls in TABLES.items():
            table = getattr(tx, name)
            for row in state.tables[name].values():
                record = record_from_dict(cls, row)
                if name == "tasks" and record.status in UNFINISHED:
                    record = attrs.evolve(record, status=Status.INTERRUPTED, updated_at=now)
                    interrupted += 1
                table.put(record)
            counts[name] = len(state.tables[name])
        tx.set_meta(record_from_dict(RelayMeta, state.meta))
        relay_owners.note_changes(tx, owners_before, at=now, via="import-state")  # after the imported trail, if any
        counts["interrupted"] = interrupted
    return counts
