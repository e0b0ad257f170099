"""The audit trail's store rules: append an entry to the one hash chain, list entries, prune old ones.

Every backend keeps the entries as `AuditEvent` records in `tx.audit_events`; these functions are
the only writers. `append` reads the chain's head and inserts the next entry in the caller's write
transaction, so the entry commits together with the change it records, and the chain never forks:
every backend serializes write transactions (sqlite `BEGIN IMMEDIATE`, postgres an advisory lock
held by every writer of every replica, json one process), so two appends cannot read the same head.

An entry's `hash` is the SHA-256 (hex) of the RFC 8785 canonical JSON of its camelCase fields
without `hash` (so `prevHash` is covered); the first entry's `prev_hash` is GENESIS. Pruning
deletes the oldest entries but never the newest, so the chain goes on from a kept head, and what
is left still verifies from its first entry's `prev_hash` (the export states it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import attrs
import rfc8785

from .record_codec import record_to_dict
from .records import AuditEvent
from .store import Transaction

GENESIS = "0" * 64
MAX_DETAIL_TEXT = 200  # a detail value is a name, a role or a method, never free text

# Every kind of entry, and what it records (docs/security.md lists them for operators). The phone says
# each as a sentence (web/screens/audit_sentences.js; tests/web/test_static.py checks every kind has one).
KINDS = {
    "signin": "a person signed in (details.method: bootstrap, login-code, passkey, invitation, recovery)",
    "signout": "a person signed out",
    "sessions.ended": "sessions ended (details.reason, details.count)",
    "passkey.added": "a passkey was registered",
    "passkey.revoked": "a passkey was revoked (its sessions ended)",
    "invitation.created": "an invitation was issued (details.type, details.role)",
    "invitation.used": "an invitation was redeemed",
    "invitation.revoked": "an invitation was revoked",
    "recovery.created": "a recovery code was issued",
    "recovery.used": "a recovery code was redeemed",
    "recovery.revoked": "a recovery code was revoked",
    "workspace.created": "a workspace was created (its creator became its owner)",
    "workspace.settings": "a workspace's settings changed (details.requireSecondApprover)",
    "membership.added": "someone joined a workspace (details.member, details.role)",
    "membership.revoked": "a member was removed from a workspace",
    "membership.left": "a member left a workspace",
    "user.disabled": "a relay user was disabled",
    "user.enabled": "a relay user was enabled again",
    "user.deleted": "a relay user was deleted",
    "relay-owner.changed": "a user became, or stopped being, a relay owner (details.change: added, removed;"
                           " details.via: import-state, bootstrap)",
    "pairing.approved": "an agent pairing request was approved",
    "pairing.rejected": "an agent pairing request was rejected",
    "agent.revoked": "an agent's token was revoked",
    "task.created": "a task was created (details.type; details.signed: with a passkey-signed intent, issue 20)",
    "task.approved": "a task was approved (details.signed: with a passkey-signed intent, issue 20)",
    "task.rejected": "a task was rejected",
    "task.canceled": "a task's cancellation was asked for",
    "request.answered": "an interactive request was answered (details.decision, details.signed)",
    "task.steered": "a running interactive turn was steered (details.steerId, details.signed; never the text)",
    "two-person.refused": "the two-person rule refused an approval (details.action)",
}


def entry_hash(event: AuditEvent) -> str:
    """SHA-256 hex of the entry's canonical JSON, every field but `hash`."""
    return hash_of_fields(record_to_dict(event))


def hash_of_fields(fields: Mapping[str, object]) -> str:
    """The hash of a camelCase entry as the export holds it (its `hash` key is left out)."""
    body = {key: value for key, value in fields.items() if key != "hash"}
    return hashlib.sha256(rfc8785.dumps(body)).hexdigest()


def _checked_details(details: Mapping[str, object]) -> dict:
    """Details are metadata: short strings, numbers, booleans or null; anything else is a bug."""
    for key, value in details.items():
        if not isinstance(key, str) or not (value is None or isinstance(value, (bool, int, str))):
            raise ValueError(f"audit detail {key!r} must be a str, int, bool or None")
        if isinstance(value, str) and len(value) > MAX_DETAIL_TEXT:
            raise ValueError(f"audit detail {key!r} is longer than {MAX_DETAIL_TEXT} characters")
    return dict(details)


def head(tx: Transaction) -> AuditEvent | None:
    """The newest entry, or None for an empty trail."""
    found = tx.audit_events.find(order_by="-seq", limit=1)
    return found[0] if found else None


def append(
    tx: Transaction, *, at: str, kind: str, workspace_id: str | None = None, actor_user_id: str | None = None,
    record_type: str | None = None, record_id: str | None = None, client_address: str | None = None,
    details: Mapping[str, object] | None = None,
) -> AuditEvent:  # fmt: skip
    """Add the next entry of the chain inside `tx` (a write transaction) and return it."""
    if kind not in KINDS:
        raise ValueError(f"unknown audit kind {kind!r}")
    last = head(tx)
    draft = AuditEvent(
        seq=1 if last is None else last.seq + 1, at=at, kind=kind, workspace_id=workspace_id,
        actor_user_id=actor_user_id, record_type=record_type, record_id=record_id,
        client_address=client_address, details=_checked_details(details or {}),
        prev_hash=GENESIS if last is None else last.hash,
    )  # fmt: skip
    event = attrs.evolve(draft, hash=entry_hash(draft))
    tx.audit_events.put(event)
    return event


def find_events(
    tx: Transaction, *, workspace_id: str | None = None, actor_user_id: str | None = None, kind: str | None = None,
    since: str | None = None, before_seq: int | None = None, limit: int | None = None, newest_first: bool = True,
) -> list[AuditEvent]:  # fmt: skip
    """Entries matching every filter given (None: any): workspace, actor, kind, at or after `since`,
    seq below `before_seq`; newest first unless told otherwise, at most `limit`."""
    equals = {
        name: value for name, value in
        (("workspace_id", workspace_id), ("actor_user_id", actor_user_id), ("kind", kind)) if value is not None
    }  # fmt: skip
    found = []
    for event in tx.audit_events.find(order_by="-seq" if newest_first else "seq", **equals):
        if since is not None and event.at < since:
            continue  # not `break`: replicas' clocks may differ a little, so `at` need not grow with `seq`
        if before_seq is not None and event.seq >= before_seq:
            continue
        found.append(event)
        if limit is not None and len(found) >= limit:
            break
    return found


def prune_before(tx: Transaction, cutoff: str) -> int:
    """Delete entries older than `cutoff`, never the newest (the chain goes on from it); how many."""
    last = head(tx)
    deleted = 0
    for event in tx.audit_events.find(order_by="seq"):
        if event.at >= cutoff or (last is not None and event.seq == last.seq):
            break
        deleted += tx.audit_events.delete(event.seq)
    return deleted
