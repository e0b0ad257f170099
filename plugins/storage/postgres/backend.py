"""The `postgres` storage backend: the relay's metadata in a PostgreSQL database the operator runs.

Several relays may share one database. Connections come from a `psycopg_pool` pool that checks a
connection before lending it and replaces broken ones in the background, so a database restart
costs the requests made while it is down, not a relay restart. The check (an empty query) is skipped
for a connection a transaction gave back under `UNCHECKED_REUSE_S` ago: it was one round trip more
per transaction, ~13 % of an idle poll's relay CPU (issue 19), for connections that just worked.

Concurrency, matching the sqlite backend's guarantee (services read, modify and write records in
one transaction and rely on no other writer interleaving):
- a write transaction first takes a transaction-level advisory lock (`WRITE_LOCK_KEY`), so writers
  are serialized across every relay on the database, and runs READ COMMITTED: each statement after
  the lock sees every earlier writer's commit. Serializable isolation would give the same result
  but makes callers retry on serialization failures, which no service is written to do. Inside one
  relay a thread lock queues writers first, so waiting writers hold no pooled connection.
- a read transaction is REPEATABLE READ READ ONLY: one consistent snapshot, never blocked by writers.

Failures: no connection within `connectTimeoutMs`, or a connection lost mid-transaction, raise
`StorageUnavailable` (503 `storage-unavailable`); other database errors raise `StorageError`.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from mobile_codex.core.config.relay import StorageConfig
from mobile_codex.core.errors import StorageError, StorageUnavailable
from mobile_codex.core.record_codec import Key
from mobile_codex.core.records import TABLES
from mobile_codex.core.serial_writers import SerialWriters
from mobile_codex.core.sql.glance import agent_glance
from mobile_codex.core.sql.statements import Statements
from mobile_codex.core.store import AgentGlance
from mobile_codex.core.sql.transaction import SqlTransaction

from .dialect import POSTGRES
from .migrations import MIGRATIONS, migrate
from .settings import PostgresSettings

# The advisory lock every write transaction holds ("mcwritel" as a number; see migrations.py).
WRITE_LOCK_KEY = 0x6D6377726974656C


def open_postgres_store(storage: StorageConfig) -> PostgresStore:
    """Connect to the configured database and migrate it (once, whoever starts first)."""
    if storage.settings is None:
        raise StorageError("storage.dsn is required for the postgres backend")
    return PostgresStore(storage.settings)


_STATEMENTS = Statements.build(POSTGRES)


# A connection given back by a transaction this recently is lent again without the pool's check.
# A database that went away within this time fails that one request (503 `storage-unavailable`,
# and the pool drops the connection), as any request in flight when it goes away does.
UNCHECKED_REUSE_S = 1.0


def _check_unless_just_used(conn: psycopg.Connection) -> None:
    """The pool's `check`: ConnectionPool.check_connection, unless the connection just worked."""
    returned = getattr(conn, "_mobile_codex_returned", None)
    if returned is not None and time.monotonic() - returned < UNCHECKED_REUSE_S:
        return
    ConnectionPool.check_connection(conn)


class PostgresStore:
    """The `Store` over one PostgreSQL database, through a pool of at most `poolSize` connections."""

    backend = "postgres"

    def __init__(self, settings: PostgresSettings):
        self._timeout = settings.connect_timeout_ms / 1000
        kwargs: dict[str, Any] = {
            "autocommit": True,  # BEGIN and COMMIT are ours
            "connect_timeout": max(2, math.ceil(self._timeout)),  # libpq's minimum is 2 s
            "options": f"-c statement_timeout={settings.statement_timeout_ms:d}",
        }
        password = settings.password()
        if password is not None:
            kwargs["password"] = password
        self._closed = False
        self._writers = SerialWriters()
        self._pool = ConnectionPool(
            settings.dsn, kwargs=kwargs, min_size=1, max_size=settings.pool_size, timeout=self._timeout,
            check=_check_unless_just_used, open=False, name="mobile-codex-storage",
        )  # fmt: skip
        try:
            self._pool.open(wait=True, timeout=self._timeout)
            with self._pool.connection(timeout=self._timeout) as conn:
                migrate(conn)
        except PoolTimeout as exc:
            self._pool.close()
            raise StorageUnavailable(f"cannot connect to the PostgreSQL database within {self._timeout:g} s: {exc}") from None
        except psycopg.Error as exc:
            self._pool.close()
            raise StorageError(f"the PostgreSQL database cannot be used as the relay database: {exc}") from None
        except BaseException:
            self._pool.close()
            raise

    @contextlib.contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[SqlTransaction]:
        with self._writers.turn(write):
            yield from self._run(write)

    def _getconn(self) -> psycopg.Connection:
        if self._closed:
            raise StorageError("the store is closed")
        try:
            return self._pool.getconn(timeout=self._timeout)
        except PoolTimeout:
            raise StorageUnavailable(f"no database connection within {self._timeout:g} s") from None

    def _run(self, write: bool) -> Iterator[SqlTransaction]:
        conn = self._getconn()
        tx = SqlTransaction(conn, _STATEMENTS, writable=write)
        try:
            if write:
                conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
            else:
                conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield tx
            conn.execute("COMMIT")
        except BaseException as exc:
            self._failed(conn, exc)
            raise
        finally:
            tx.end()
            self._putconn(conn)

    def agent_glance(self, key: Key) -> AgentGlance | None:
        """One statement on an autocommit connection: its own snapshot, one round trip instead of
        a read transaction's five (BEGIN, the agent, its queued and running tasks, COMMIT)."""
        conn = self._getconn()
        try:
            return agent_glance(conn, _STATEMENTS, key)
        except BaseException as exc:
            self._failed(conn, exc)
            raise
        finally:
            self._putconn(conn)

    def _failed(self, conn: psycopg.Connection, exc: BaseException) -> None:
        """Roll back what `conn` has open; a database error raised as the relay's own."""
        with contextlib.suppress(psycopg.Error):
            if not conn.closed and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                conn.execute("ROLLBACK")
        if isinstance(exc, psycopg.OperationalError):
            raise StorageUnavailable(f"the PostgreSQL database is unavailable: {exc}") from exc
        if isinstance(exc, psycopg.Error):
            raise StorageError(f"PostgreSQL: {exc}") from exc

    def _putconn(self, conn: psycopg.Connection) -> None:
        conn._mobile_codex_returned = time.monotonic()  # type: ignore[attr-defined]
        self._pool.putconn(conn)  # the pool discards a broken connection

    def data_files(self) -> list[Path]:
        return []  # the cluster's files are the operator's (and its backups), not the relay's

    def integrity_check(self) -> list[str]:
        """The schema is this release's, and every table answers a query."""
        problems = []
        with self.transaction(write=False) as tx:
            version = tx.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0]
            if version != len(MIGRATIONS):
                problems.append(f"schema version {version}, expected {len(MIGRATIONS)}")
            for table in (*TABLES, "meta"):
                tx.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchall()
        return problems

    def close(self) -> None:
        self._closed = True
        self._pool.close()
