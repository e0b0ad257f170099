"""The `Transaction` and `Table` of a SQL backend, over one connection the backend lends it.

The backend begins and ends the transaction on the connection (its engine's BEGIN, locks and
error mapping); these classes only read and write records through `execute`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from ..errors import StorageError
from ..record_codec import Key, check_key, check_query
from ..records import TABLES, RelayMeta
from .statements import Statements, TableSql


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    def execute(self, sql: str, params: tuple = ...) -> Cursor: ...


class SqlTransaction:
    """`tx.<table>` for each record kind, plus meta; the tables are made on first use."""

    def __init__(self, conn: Connection, statements: Statements, *, writable: bool):
        self._conn = conn
        self._statements = statements
        self._writable = writable
        self._active = True

    def __getattr__(self, name: str) -> SqlTable:
        """`tx.<table>`, made on first use: most transactions touch one or two of the tables, and
        making all of them up front was ~5% of an idle agent poll's relay CPU (issue 19)."""
        cls = TABLES.get(name)
        if cls is None:
            raise AttributeError(name)
        table = SqlTable(self, self._statements.tables[name], cls)
        setattr(self, name, table)
        return table

    def execute(self, sql: str, params: tuple = (), *, writes: bool = False) -> Cursor:
        if not self._active:
            raise StorageError("the transaction is over")
        if writes and not self._writable:
            raise StorageError("cannot write in a read-only transaction (write=False)")
        return self._conn.execute(sql, params)

    def end(self) -> None:
        self._active = False

    def get_meta(self) -> RelayMeta:
        row = self.execute(self._statements.get_meta).fetchone()
        return RelayMeta() if row is None else self._statements.meta.from_row(row)

    def set_meta(self, meta: RelayMeta) -> None:
        if not isinstance(meta, RelayMeta):
            raise TypeError(f"expected RelayMeta, got {type(meta).__name__}")
        self.execute(self._statements.set_meta, (1, *self._statements.meta.to_row(meta)), writes=True)


class SqlTable:
    """One record kind, stored in the table of the same name."""

    def __init__(self, tx: SqlTransaction, sql: TableSql, cls: type):
        self._tx = tx
        self._sql = sql
        self._cls = cls

    def get(self, key: Key) -> Any:
        row = self._tx.execute(self._sql.get, check_key(self._cls, key)).fetchone()
        return None if row is None else self._sql.rows.from_row(row)

    def put(self, record: object) -> None:
        if not isinstance(record, self._cls):
            raise TypeError(f"{self._sql.table} holds {self._cls.__name__}, not {type(record).__name__}")
        self._tx.execute(self._sql.put, self._sql.rows.to_row(record), writes=True)

    def delete(self, key: Key) -> bool:
        return self._tx.execute(self._sql.delete, check_key(self._cls, key), writes=True).rowcount > 0

    def find(self, *, order_by: str | None = None, limit: int | None = None, **equals: object) -> list[Any]:
        order_field, descending = check_query(self._cls, equals, order_by, limit)
        where, params = self._where(equals)
        sql = f"{self._sql.select}{where} ORDER BY {self._sql.order_by(order_field, descending)}"
        if limit is not None:
            sql += f" LIMIT {self._sql.dialect.mark}"
            params += (limit,)
        decode = self._sql.rows.from_row
        return [decode(row) for row in self._tx.execute(sql, params).fetchall()]

    def count(self, **equals: object) -> int:
        check_query(self._cls, equals, None, None)
        where, params = self._where(equals)
        return self._tx.execute(f'SELECT COUNT(*) FROM "{self._sql.table}"{where}', params).fetchone()[0]

    def _where(self, equals: Mapping[str, object]) -> tuple[str, tuple]:
        """A WHERE clause over names `check_query` has validated; values are parameters."""
        terms, params = [], []
        for name, value in equals.items():
            if value is None:
                terms.append(f'"{name}" IS NULL')
            else:
                terms.append(f'"{name}" = {self._sql.dialect.mark}')
                params.append(self._sql.rows.param(name, value))
        return (" WHERE " + " AND ".join(terms) if terms else ""), tuple(params)
