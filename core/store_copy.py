"""Copy every record of one store into another (`mobile-codex migrate-storage`).

Works through the `Store` interface only, so any backend can be the source or the target
(sqlite to postgres and back). The target must be empty unless the caller says `replace`, in
which case its records are deleted first: the copy then holds exactly the source's records. The
whole copy is one write transaction on the target, so a failure leaves it as it was.
"""

from __future__ import annotations

from mobile_codex.core.errors import StorageError
from mobile_codex.core.record_codec import key_of
from mobile_codex.core.records import TABLES, RelayMeta
from mobile_codex.core.store import Store


class TargetNotEmpty(StorageError):
    """The target store already holds records and `replace` was not given."""


def store_counts(store: Store) -> dict[str, int]:
    """Records per table, and `meta` 1 when the relay-wide meta is set (0 when default)."""
    with store.transaction(write=False) as tx:
        counts = {table: getattr(tx, table).count() for table in TABLES}
        counts["meta"] = int(tx.get_meta() != RelayMeta())
    return counts


def copy_store(source: Store, target: Store, *, replace: bool = False) -> dict[str, int]:
    """Copy all records and meta from `source` into `target`; return the counts copied.

    StorageError when the target's counts afterwards differ from the source's.
    """
    if not replace and any(store_counts(target).values()):
        raise TargetNotEmpty("the target store already holds data")
    with source.transaction(write=False) as read:
        records = {table: getattr(read, table).find() for table in TABLES}
        meta = read.get_meta()
    with target.transaction() as write:
        for table, rows in records.items():
            target_table = getattr(write, table)
            if replace:
                for old in target_table.find():
                    target_table.delete(key_of(old))
            for record in rows:
                target_table.put(record)
        write.set_meta(meta)
    copied = {table: len(rows) for table, rows in records.items()} | {"meta": int(meta != RelayMeta())}
    found = store_counts(target)
    if found != copied:
        raise StorageError(f"the copy does not match: expected {copied}, the target holds {found}")
    return copied
