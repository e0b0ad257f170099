"""The audit trail's store rules (core/audit.py) on every backend: one hash chain, filters, pruning."""

from __future__ import annotations

import threading

import attrs
import pytest

from mobile_codex.core import audit
from mobile_codex.core.audit_export import VerifyFailed, export_document, new_audit_private_key, verify_document

KEY = new_audit_private_key()


def _at(minute: int) -> str:
    return f"2026-12-04T10:{minute:02d}:00.000Z"


def _day(store) -> None:
    """Six entries in two workspaces by two people."""
    script = [
        ("signin", "ws_1", "user_a", {"method": "passkey"}),
        ("task.created", "ws_1", "user_a", {"type": "codex_exec"}),
        ("signin", "ws_2", "user_b", {"method": "invitation"}),
        ("task.approved", "ws_1", "user_b", {}),
        ("membership.added", "ws_2", "user_a", {"role": "operator", "member": "user_b"}),
        ("signout", "ws_1", "user_a", {}),
    ]
    for minute, (kind, workspace, actor, details) in enumerate(script):
        with store.transaction() as tx:
            audit.append(
                tx, at=_at(minute), kind=kind, workspace_id=workspace, actor_user_id=actor, record_type="x",
                record_id=f"r{minute}", client_address="192.0.2.7", details=details,
            )  # fmt: skip


def _export(store, **find) -> dict:
    with store.transaction(write=False) as tx:
        events = audit.find_events(tx, newest_first=False, **find)
        head = audit.head(tx)
    return export_document(events, private_key=KEY, relay="https://r.example", exported_at=_at(59),
                           since=find.get("since"), head_hash=head and head.hash)


def test_appends_make_one_chain_that_survives_a_reopen(open_store):
    store = open_store()
    _day(store)
    store.close()
    with open_store().transaction(write=False) as tx:
        events = audit.find_events(tx, newest_first=False)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[0].prev_hash == audit.GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:]))
    assert all(audit.entry_hash(e) == e.hash for e in events)
    assert events[4].details == {"role": "operator", "member": "user_b"}
    assert events[0].client_address == "192.0.2.7"


def test_filters_by_workspace_actor_kind_since_and_before(store):
    _day(store)
    with store.transaction(write=False) as tx:
        seqs = lambda **f: [e.seq for e in audit.find_events(tx, **f)]  # noqa: E731
        assert seqs() == [6, 5, 4, 3, 2, 1]
        assert seqs(workspace_id="ws_1") == [6, 4, 2, 1]
        assert seqs(actor_user_id="user_b") == [4, 3]
        assert seqs(kind="signin") == [3, 1]
        assert seqs(workspace_id="ws_1", actor_user_id="user_a", kind="signin") == [1]
        assert seqs(since=_at(3)) == [6, 5, 4]
        assert seqs(before_seq=4, limit=2) == [3, 2]
        assert seqs(since=_at(2), newest_first=False) == [3, 4, 5, 6]


def test_only_metadata_and_known_kinds_go_in(store):
    with store.transaction() as tx:
        with pytest.raises(ValueError, match="unknown audit kind"):
            audit.append(tx, at=_at(0), kind="task.prompt")
        with pytest.raises(ValueError, match="must be a str"):
            audit.append(tx, at=_at(0), kind="signin", details={"items": ["a"]})
        with pytest.raises(ValueError, match="longer than"):
            audit.append(tx, at=_at(0), kind="signin", details={"note": "x" * 201})
    with store.transaction(write=False) as tx:
        assert tx.audit_events.count() == 0


def test_an_entry_rolls_back_with_its_transaction(store):
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            audit.append(tx, at=_at(0), kind="signin")
            raise RuntimeError("the change it records failed")
    with store.transaction() as tx:
        assert audit.append(tx, at=_at(1), kind="signin").seq == 1


def test_pruning_keeps_the_newest_and_the_rest_still_verifies(store):
    _day(store)
    with store.transaction() as tx:
        assert audit.prune_before(tx, _at(2)) == 2
    document = _export(store)
    assert (document["firstSeq"], document["lastSeq"], document["count"]) == (3, 6, 4)
    assert document["startPrevHash"] != audit.GENESIS  # the export says where it starts
    assert verify_document(document) == 4
    with store.transaction() as tx:
        assert audit.prune_before(tx, _at(59)) == 3  # everything older, but never the head
        assert [e.seq for e in audit.find_events(tx)] == [6]
        audit.append(tx, at=_at(59), kind="signin")
    with store.transaction(write=False) as tx:
        events = audit.find_events(tx, newest_first=False)
    assert [e.seq for e in events] == [6, 7] and events[1].prev_hash == events[0].hash
    assert verify_document(_export(store)) == 2


def test_a_change_in_the_store_is_named_by_verify(store):
    _day(store)
    with store.transaction() as tx:
        third = tx.audit_events.get(3)
        tx.audit_events.put(attrs.evolve(third, actor_user_id="user_z"))
    with pytest.raises(VerifyFailed, match=r"entry seq 3 does not match its hash \(changed\)"):
        verify_document(_export(store))
    with store.transaction() as tx:
        tx.audit_events.put(third)  # put back as it was
        tx.audit_events.delete(4)
    with pytest.raises(VerifyFailed, match=r"entry seq 4 is missing: seq 5 follows seq 3 \(removed\)"):
        verify_document(_export(store))


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_concurrent_appends_from_two_stores_keep_one_chain(open_store):
    """Two relays on one database (replicas), each appending from several threads."""
    stores = [open_store(), open_store()]
    errors = []

    def append_many(store, who):
        try:
            for n in range(15):
                with store.transaction() as tx:
                    audit.append(tx, at=_at(n % 60), kind="signin", actor_user_id=who)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=append_many, args=(stores[i % 2], f"user_{i}")) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    with stores[0].transaction(write=False) as tx:
        events = audit.find_events(tx, newest_first=False)
    assert [e.seq for e in events] == list(range(1, 61))
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:]))
    assert verify_document(_export(stores[1])) == 60
