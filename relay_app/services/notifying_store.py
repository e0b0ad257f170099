"""The store every relay service uses: each committed write moves the change feed's scopes it touched.

Services write through `tx.<table>.put/delete` and `tx.set_meta`; the wrapped transaction notes
each written record (with the record it replaced, read in the same transaction) and asks
`change_scopes` which views that changes. The feed moves once, after the commit, so a phone woken
by it reads the new data; a rolled-back transaction moves nothing, nor does one that only read.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from mobile_codex.core.record_codec import key_of
from mobile_codex.core.records import TABLES, RelayMeta
from mobile_codex.core.store import Store

from .change_scopes import Scope, meta_scopes, written_scopes
from .events import ChangeFeed


class _NotingTable:
    """One table of a write transaction, noting the scopes of each put and delete."""

    def __init__(self, name: str, table: Any, tx: Any, moved: set[Scope]):
        self._name = name
        self._table = table
        self._tx = tx
        self._moved = moved

    def put(self, record: Any) -> None:
        old = self._table.get(key_of(record))
        self._table.put(record)
        self._moved.update(written_scopes(self._tx, self._name, old, record))

    def delete(self, key) -> bool:
        old = self._table.get(key)
        if old is not None:
            self._moved.update(written_scopes(self._tx, self._name, old, None))
        return self._table.delete(key)

    def __getattr__(self, name: str) -> Any:  # get, find, count
        return getattr(self._table, name)


class _NotingTransaction:
    def __init__(self, tx: Any):
        self._tx = tx
        self.moved: set[Scope] = set()
        for name in TABLES:
            setattr(self, name, _NotingTable(name, getattr(tx, name), tx, self.moved))

    def get_meta(self) -> RelayMeta:
        return self._tx.get_meta()

    def set_meta(self, meta: RelayMeta) -> None:
        old = self._tx.get_meta()
        self._tx.set_meta(meta)
        self.moved.update(meta_scopes(old, meta))


class NotifyingStore:
    """Wraps a Store so every committed write transaction moves the scopes it changed."""

    def __init__(self, store: Store, feed: ChangeFeed):
        self._store = store
        self._feed = feed
        self.backend = store.backend

    def transaction(self, *, write: bool = True):
        if not write:  # a read moves nothing: the store's own, without a wrapper (every poll reads)
            return self._store.transaction(write=False)
        return self._writing()

    @contextmanager
    def _writing(self):
        with self._store.transaction() as tx:
            noting = _NotingTransaction(tx)
            yield noting
        self._feed.move(noting.moved)

    def __getattr__(self, name):  # data_files, integrity_check, close, ...
        return getattr(self._store, name)
