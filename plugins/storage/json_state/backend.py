"""The `json` storage backend: the reference's state.json (`storage.path`, default
`<dataDir>/state.json`), rewritten on each commit; the format is core/reference_state.py.

Kept for compatibility and migration, not speed (PRODUCT.md): every committed write transaction
rewrites the whole file atomically. The committed `State` lives in memory. A write transaction
collects its changes in an overlay (reads see them; an exception just drops them) and, on
commit, builds a new `State`, writes it, then swaps it in. Read transactions take the current
`State` as a snapshot and need no lock.

Only one process may own the file: an exclusive `flock` on `<path>.lock` (`state.json.lock`) is
held while the store is open, because two processes rewriting one file would silently lose each
other's writes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mobile_codex.core.config.relay import FileStorageSettings, StorageConfig
from mobile_codex.core.errors import StorageError
from mobile_codex.core.record_codec import (
    Key, check_key, check_query, key_fields, key_of, record_from_dict, record_to_dict, to_camel,
)
from mobile_codex.core.records import TABLES, RelayMeta
from mobile_codex.core.reference_state import State, load_state, remove_stale_temp_files, write_state
from mobile_codex.core.serial_writers import SerialWriters
from mobile_codex.core.store import AgentGlance, glance_in

STATE_NAME = "state.json"
LOCK_SUFFIX = ".lock"


JsonSettings = FileStorageSettings  # its one key: `path`


def open_json_store(storage: StorageConfig) -> JsonStore:
    """Open the configured state file, taking its lock."""
    return JsonStore(storage.file_path(STATE_NAME))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Transaction:
    """The `Transaction` handed to callers. `changes` is None for a read-only transaction."""

    def __init__(self, base: State, *, writable: bool):
        self.base = base
        self.changes: dict[str, dict[object, dict | None]] | None = (
            {name: {} for name in TABLES} if writable else None
        )  # table -> key -> new camelCase dict, or None for deleted
        self.new_meta: Mapping[str, object] | None = None
        self._active = True
        for name, cls in TABLES.items():
            setattr(self, name, JsonTable(self, name, cls))

    def check(self, *, writes: bool = False) -> None:
        if not self._active:
            raise StorageError("the transaction is over")
        if writes and self.changes is None:
            raise StorageError("cannot write in a read-only transaction (write=False)")

    def end(self) -> None:
        self._active = False

    def get_meta(self) -> RelayMeta:
        self.check()
        return record_from_dict(RelayMeta, self.meta())

    def set_meta(self, meta: RelayMeta) -> None:
        self.check(writes=True)
        if not isinstance(meta, RelayMeta):
            raise TypeError(f"expected RelayMeta, got {type(meta).__name__}")
        self.new_meta = record_to_dict(meta)

    def meta(self) -> Mapping[str, object]:
        return self.base.meta if self.new_meta is None else self.new_meta

    def changed(self) -> bool:
        return self.new_meta is not None or any((self.changes or {}).values())

    def committed(self) -> State:
        """The base state with this transaction's changes applied (the base is left as is)."""
        tables = dict(self.base.tables)
        for name, changes in (self.changes or {}).items():
            if changes:
                table = dict(tables[name])
                for key, row in changes.items():
                    if row is None:
                        table.pop(key, None)
                    else:
                        table[key] = row
                tables[name] = table
        return State(created_at=self.base.created_at, tables=tables, meta=self.meta())


class JsonTable:
    """One record kind: the committed rows seen through the transaction's changes."""

    def __init__(self, tx: _Transaction, table: str, cls: type):
        self._tx = tx
        self._table = table
        self._cls = cls
        self._key_names = tuple(to_camel(name) for name in key_fields(cls))

    def _row(self, key: Key) -> dict | None:
        check_key(self._cls, key)
        changes = self._tx.changes
        if changes is not None and key in changes[self._table]:
            return changes[self._table][key]
        return self._tx.base.tables[self._table].get(key)

    def _rows(self) -> Iterator[dict]:
        self._tx.check()
        changes = (self._tx.changes or {}).get(self._table, {})
        for key, row in self._tx.base.tables[self._table].items():
            row = changes.get(key, row)  # None when deleted here
            if row is not None:
                yield row
        for key, row in changes.items():
            if row is not None and key not in self._tx.base.tables[self._table]:
                yield row

    def get(self, key: Key) -> Any:
        self._tx.check()
        row = self._row(key)
        return None if row is None else record_from_dict(self._cls, row)

    def put(self, record: object) -> None:
        self._tx.check(writes=True)
        if not isinstance(record, self._cls):
            raise TypeError(f"{self._table} holds {self._cls.__name__}, not {type(record).__name__}")
        assert self._tx.changes is not None
        self._tx.changes[self._table][key_of(record)] = record_to_dict(record)

    def delete(self, key: Key) -> bool:
        self._tx.check(writes=True)
        if self._row(key) is None:
            return False
        assert self._tx.changes is not None
        self._tx.changes[self._table][key] = None
        return True

    def find(self, *, order_by: str | None = None, limit: int | None = None, **equals: object) -> list[Any]:
        order_field, descending = check_query(self._cls, equals, order_by, limit)
        rows = sorted(self._matching(equals), key=lambda row: tuple(row[name] for name in self._key_names))
        if order_field is not None:
            field = to_camel(order_field)
            # Same order as SQL: NULLs first ascending, last descending. Python's sort is stable
            # (also with reverse=True), so ties keep the ascending key order from above.
            rows.sort(key=lambda row: (row[field] is not None, row[field]), reverse=descending)
        if limit is not None:
            rows = rows[:limit]
        return [record_from_dict(self._cls, row) for row in rows]

    def count(self, **equals: object) -> int:
        check_query(self._cls, equals, None, None)
        return sum(1 for _ in self._matching(equals))

    def _matching(self, equals: Mapping[str, object]) -> Iterator[dict]:
        wanted = [(to_camel(name), value) for name, value in equals.items()]
        for row in self._rows():
            if all(row[key] is None if value is None else row[key] == value for key, value in wanted):
                yield row


class JsonStore:
    """The `Store` over one state.json file (its folder is created 0700 when missing)."""

    backend = "json"

    def __init__(self, path: Path):
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._path = path
        self._lock_path = path.with_name(path.name + LOCK_SUFFIX)
        self._lock_fd: int | None = self._lock()
        try:
            remove_stale_temp_files(path)
            self._state = load_state(self._path, created_at=_now())
        except BaseException:
            self._unlock()
            raise
        self._writers = SerialWriters()

    def _lock(self) -> int:
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StorageError(
                f"{self._path} is in use by another process (is the relay running?)"
            ) from None
        return fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the file releases the flock
            self._lock_fd = None

    @contextlib.contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[_Transaction]:
        if not write:
            tx = self._begin(writable=False)
            try:
                yield tx
            finally:
                tx.end()
            return
        with self._writers.turn(write=True):
            tx = self._begin(writable=True)
            try:
                yield tx
            finally:
                tx.end()
            if tx.changed():
                state = tx.committed()
                try:
                    write_state(self._path, state)
                except OSError as exc:
                    raise StorageError(f"cannot write {self._path}: {exc}") from exc
                self._state = state

    def _begin(self, *, writable: bool) -> _Transaction:
        if self._lock_fd is None:
            raise StorageError("the store is closed")
        return _Transaction(self._state, writable=writable)

    def agent_glance(self, key: Key) -> AgentGlance | None:
        with self.transaction(write=False) as tx:
            return glance_in(tx, key)

    def data_files(self) -> list[Path]:
        return [path for path in (self._path, self._lock_path) if path.exists()]

    def integrity_check(self) -> list[str]:
        with self._writers.turn(write=True):  # no commit may replace the file while we compare
            try:
                on_disk = load_state(self._path, created_at=self._state.created_at)
            except StorageError as exc:
                return [str(exc)]
            if on_disk != self._state:
                return [f"{self._path} differs from the open store's state (edited while the relay ran?)"]
        return []

    def close(self) -> None:
        # As a writer, so no commit can land after another process takes the dir over.
        with self._writers.turn(write=True):
            self._unlock()
