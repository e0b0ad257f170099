"""The sqlite backend: schema matches the records, migrations, WAL, a second process."""

from __future__ import annotations

import sqlite3

import attrs
import pytest

from mobile_codex.core.errors import StorageError
from mobile_codex.core.record_codec import key_fields
from mobile_codex.core.records import TABLES, RelayMeta, Workspace
from mobile_codex.plugins.storage.sqlite.backend import DB_NAME
from mobile_codex.plugins.storage.sqlite.migrations import MIGRATIONS, migrate

from .conftest import BACKEND_PLUGINS, T0, run_python


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def db(store, data_dir):
    """A plain sqlite3 connection to the migrated database, for looking at the schema."""
    conn = sqlite3.connect(data_dir / DB_NAME)
    yield conn
    conn.close()


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]


def test_schema_columns_are_the_record_fields(db):
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {*TABLES, "meta"}
    for table, cls in TABLES.items():
        assert _columns(db, table) == [field.name for field in attrs.fields(cls)], table
        primary = sorted((row[5], row[1]) for row in db.execute(f'PRAGMA table_info("{table}")') if row[5])
        assert tuple(name for _, name in primary) == key_fields(cls), table
    assert _columns(db, "meta") == ["id", *(field.name for field in attrs.fields(RelayMeta))]


def test_indexes_cover_the_relay_lookups(db):
    wanted = {
        ("tasks", ("workspace_id", "agent_id", "status", "created_at")),
        ("tasks", ("workspace_id", "updated_at")),
        ("sessions", ("user_id",)),
        ("passkeys", ("user_id",)),
        ("passkeys", ("credential_id",)),
        ("memberships", ("user_id",)),
        ("memberships", ("workspace_id",)),
        ("invitations", ("code_hash",)),
        ("recovery_codes", ("code_hash",)),
        ("recovery_codes", ("user_id",)),
        ("login_codes", ("code_hash",)),
        ("pairings", ("code_hash",)),
        ("pair_requests", ("workspace_id", "status")),
        ("agents", ("workspace_id", "agent_id")),  # the key's own index
    }
    found = set()
    for table, index in db.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'index'"):
        columns = tuple(row[2] for row in db.execute(f'PRAGMA index_info("{index}")'))
        found.add((table, columns))
    assert wanted <= found
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM tasks WHERE workspace_id = ? AND agent_id = ? AND status = ? ORDER BY created_at",
        ("ws", "a", "queued"),
    ).fetchall()
    assert "tasks_agent_status_created" in str(plan)


def test_wal_mode_and_user_version(db):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) >= 1


def test_reopening_migrates_nothing_and_keeps_data(open_store, data_dir):
    store = open_store()
    with store.transaction() as tx:
        tx.workspaces.put(Workspace(workspace_id="ws", name="n", created_at=T0))
    store.close()
    schema_before = _schema(data_dir)
    for _ in range(2):
        open_store().close()
    assert _schema(data_dir) == schema_before
    with open_store().transaction(write=False) as tx:
        assert tx.workspaces.count() == 1


def _schema(data_dir) -> tuple:
    conn = sqlite3.connect(data_dir / DB_NAME)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        return version, sorted(conn.execute("SELECT type, name, sql FROM sqlite_master"))
    finally:
        conn.close()


def test_a_failing_migration_leaves_the_database_untouched(tmp_path):
    conn = sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None)
    broken = (("CREATE TABLE a (x TEXT)",), ("CREATE TABLE b (x TEXT)", "CREATE TABLE a (x TEXT)"))
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, broken)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    assert not conn.in_transaction
    assert migrate(conn, broken[:1]) == 1
    assert migrate(conn, broken[:1]) == 1  # idempotent
    conn.close()


def test_a_newer_schema_is_refused(open_store, data_dir):
    data_dir.mkdir()
    conn = sqlite3.connect(data_dir / DB_NAME)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer"):
        open_store()


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(open_store, data_dir):
    data_dir.mkdir()
    path = data_dir / DB_NAME
    path.write_bytes(b"this is not sqlite, " * 100)
    with pytest.raises(StorageError, match="cannot be opened"):
        open_store()
    assert path.read_bytes() == b"this is not sqlite, " * 100


def test_a_second_process_can_use_the_same_file(store, data_dir):
    with store.transaction() as tx:
        tx.workspaces.put(Workspace(workspace_id="mine", name="n", created_at=T0))
    result = run_python(
        """
        import importlib, sys
        from pathlib import Path
        from mobile_codex.core.config.relay import StorageConfig
        from mobile_codex.core.records import Workspace
        [spec] = importlib.import_module(sys.argv[1]).register_storage_backends()
        store = spec.open(StorageConfig(backend=spec.name, data_dir=Path(sys.argv[2])))
        with store.transaction() as tx:
            assert tx.workspaces.get("mine") is not None
            tx.workspaces.put(Workspace(workspace_id="theirs", name="n", created_at="t"))
        store.close()
        """,
        BACKEND_PLUGINS["sqlite"],
        data_dir,
    )
    assert result.returncode == 0, result.stderr
    with store.transaction(write=False) as tx:
        assert [w.workspace_id for w in tx.workspaces.find()] == ["mine", "theirs"]
    assert store.integrity_check() == []


def test_data_files_lists_the_wal_while_open(store, data_dir):
    with store.transaction() as tx:
        tx.workspaces.put(Workspace(workspace_id="ws", name="n", created_at=T0))
    names = {path.name for path in store.data_files()}
    assert names == {DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"}


def test_migrating_to_per_workspace_agent_ids_keeps_the_agents(open_store, data_dir):
    # A database as it was before agent ids became per workspace (schema version 4), with an agent
    # and a task of it; opening it migrates, and both are still there under the new key.
    data_dir.mkdir()
    conn = sqlite3.connect(data_dir / DB_NAME, isolation_level=None)
    assert migrate(conn, MIGRATIONS[:4]) == 4
    conn.execute(
        "INSERT INTO agents (agent_id, workspace_id, label, created_at, token_hash, features, actions, log_sources,"
        " workspace_root_name, codex_available, codex_version, exec_modes)"
        """ VALUES ('vm', 'ws_1', 'VM', ?, ?, '{"codexExec": true}', '[]', '[]', 'repo', 1, '0.169.0', '[]')""",
        (T0, "f" * 64),
    )
    conn.execute(
        "INSERT INTO tasks (task_id, workspace_id, agent_id, type, title, status, created_at, updated_at, cwd,"
        " write_access, needs_approval) VALUES ('task_1', 'ws_1', 'vm', 'status', 't', 'queued', ?, ?, '.', 0, 0)",
        (T0, T0),
    )
    conn.close()

    store = open_store()
    with store.transaction() as tx:
        agent = tx.agents.get(("ws_1", "vm"))
        assert (agent.label, agent.token_hash, agent.features, agent.codex_available) == ("VM", "f" * 64, {"codexExec": True}, True)
        assert [t.task_id for t in tx.tasks.find(workspace_id="ws_1", agent_id="vm", status="queued")] == ["task_1"]
        tx.agents.put(attrs.evolve(agent, workspace_id="ws_2", label="another workspace's vm"))
    with store.transaction(write=False) as tx:
        assert [(a.workspace_id, a.label) for a in tx.agents.find(agent_id="vm")] == [
            ("ws_1", "VM"), ("ws_2", "another workspace's vm"),
        ]
    assert store.integrity_check() == []


def test_migrating_to_the_two_person_rule_keeps_workspaces_with_it_off(open_store, data_dir):
    # A database of schema version 7 (before issue 18's setting) with a workspace: it reads with
    # the rule off, and the setting is kept once turned on.
    data_dir.mkdir()
    conn = sqlite3.connect(data_dir / DB_NAME, isolation_level=None)
    assert migrate(conn, MIGRATIONS[:7]) == 7
    conn.execute("INSERT INTO workspaces (workspace_id, name, created_at) VALUES ('ws_1', 'Home', ?)", (T0,))
    conn.close()

    store = open_store()
    with store.transaction() as tx:
        workspace = tx.workspaces.get("ws_1")
        assert (workspace.name, workspace.require_second_approver) == ("Home", False)
        tx.workspaces.put(attrs.evolve(workspace, require_second_approver=True))
    store.close()
    with open_store().transaction(write=False) as tx:
        assert tx.workspaces.get("ws_1").require_second_approver is True


def test_migrating_to_the_volatile_epoch_keeps_the_meta(open_store, data_dir):
    # A database of schema version 8 (before issue 19's epoch) with its owners: they are kept and
    # the epoch reads as unknown, so the next start reconciles unfinished tasks as it always did.
    data_dir.mkdir()
    conn = sqlite3.connect(data_dir / DB_NAME, isolation_level=None)
    assert migrate(conn, MIGRATIONS[:8]) == 8
    conn.execute("INSERT INTO meta (id, bootstrap_user_id, admin_user_ids) VALUES (1, 'user_1', '[\"user_1\"]')")
    conn.close()

    store = open_store()
    with store.transaction() as tx:
        assert tx.get_meta() == RelayMeta(bootstrap_user_id="user_1", admin_user_ids=("user_1",))
        tx.set_meta(attrs.evolve(tx.get_meta(), volatile_epoch="e1"))
    store.close()
    with open_store().transaction(write=False) as tx:
        assert tx.get_meta().volatile_epoch == "e1"


def test_migrating_to_last_sign_in_keeps_users_with_none(open_store, data_dir):
    # A database of schema version 9 (before issue 21's column) with a user: it reads with no last
    # sign-in, and one set later is kept.
    data_dir.mkdir()
    conn = sqlite3.connect(data_dir / DB_NAME, isolation_level=None)
    assert migrate(conn, MIGRATIONS[:9]) == 9
    conn.execute(
        "INSERT INTO users (user_id, user_handle, display_name, created_at) VALUES ('user_1', 'aGFuZGxl', 'Lin', ?)", (T0,)
    )
    conn.close()

    store = open_store()
    with store.transaction() as tx:
        user = tx.users.get("user_1")
        assert (user.display_name, user.last_sign_in_at) == ("Lin", None)
        tx.users.put(attrs.evolve(user, last_sign_in_at=T0))
    store.close()
    with open_store().transaction(write=False) as tx:
        assert tx.users.get("user_1").last_sign_in_at == T0


def test_migrating_to_the_redaction_count_keeps_tasks_at_zero(open_store, data_dir):
    # A database of schema version 12 (before the stored count) with a task: it reads with no
    # secrets hidden, and a count set later is kept.
    data_dir.mkdir()
    conn = sqlite3.connect(data_dir / DB_NAME, isolation_level=None)
    assert migrate(conn, MIGRATIONS[:12]) == 12
    conn.execute(
        "INSERT INTO tasks (task_id, workspace_id, agent_id, type, title, status, created_at, updated_at)"
        " VALUES ('task_1', 'ws_1', 'vm', 'codex_exec', 'codex_exec', 'running', ?, ?)", (T0, T0)
    )
    conn.close()

    store = open_store()
    with store.transaction() as tx:
        task = tx.tasks.get("task_1")
        assert (task.status, task.redactions) == ("running", 0)
        tx.tasks.put(attrs.evolve(task, redactions=5))
    store.close()
    with open_store().transaction(write=False) as tx:
        assert tx.tasks.get("task_1").redactions == 5
