"""What only the postgres backend has: migrations under an advisory lock, and its config section."""

from __future__ import annotations

import json
import threading

import attrs
import psycopg
import psycopg.conninfo
import pytest

from mobile_codex.core.config import load_relay_config
from mobile_codex.core.errors import ConfigError
from mobile_codex.plugins.storage.postgres.migrations import MIGRATIONS, migrate

from .conftest import T0, backend_spec, run_python, storage_section


def test_relays_starting_at_once_on_an_empty_database_make_one_schema(postgres_server, postgres_dsn):
    # Four processes, each with four threads, open the store at the same moment.
    code = """
        import sys, threading
        from mobile_codex.core.config.relay import StorageConfig
        from mobile_codex.plugins.storage.postgres import open_postgres_store
        from mobile_codex.plugins.storage.postgres.settings import PostgresSettings
        section = StorageConfig(backend="postgres", settings=PostgresSettings(dsn=sys.argv[1]))
        errors = []
        def open_once():
            try:
                open_postgres_store(section).close()
            except BaseException as exc:
                errors.append(repr(exc))
        threads = [threading.Thread(target=open_once) for _ in range(4)]
        for thread in threads: thread.start()
        for thread in threads: thread.join()
        print(errors)
    """
    results: list = []
    processes = [threading.Thread(target=lambda: results.append(run_python(code, postgres_dsn))) for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    assert [(r.returncode, r.stdout.strip()) for r in results] == [(0, "[]")] * 4, [r.stderr for r in results]
    dbname = psycopg.conninfo.conninfo_to_dict(postgres_dsn)["dbname"]
    versions = postgres_server.psql("SELECT version FROM schema_migrations ORDER BY version", dbname)
    assert versions.split() == [str(n) for n in range(1, len(MIGRATIONS) + 1)]
    tables = postgres_server.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'tasks'", dbname)
    assert tables.strip() == "1"


def _relay_config(tmp_path, storage: dict):
    path = tmp_path / "relay.json"
    path.write_text(json.dumps({
        "publicOrigin": "http://localhost:8787", "dataDir": str(tmp_path / "data"),
        "tokenSecret": "x" * 48, "bootstrapAdminTokenHash": "a" * 64, "storage": storage,
    }))  # fmt: skip
    return load_relay_config(path)


@pytest.mark.parametrize(
    "dsn", ["postgresql://relay:s3cret@db.internal/relay", "host=db.internal user=relay password=s3cret dbname=relay"]
)
def test_a_dsn_holding_a_password_is_refused(tmp_path, dsn):
    with pytest.raises(ConfigError, match="storage.dsn: holds a password: put it in passwordEnv or passwordFile"):
        _relay_config(tmp_path, {"backend": "postgres", "dsn": dsn})


def test_the_password_comes_from_a_file_or_the_environment(tmp_path, monkeypatch):
    secret = tmp_path / "pg-password"
    secret.write_text("from-the-file\n")
    config = _relay_config(tmp_path, {"backend": "postgres", "dsn": "host=db user=relay", "passwordFile": str(secret)})
    assert config.storage.settings.password() == "from-the-file"
    monkeypatch.setenv("MC_TEST_PG_PASSWORD", "from-the-env")
    config = _relay_config(tmp_path, {"backend": "postgres", "dsn": "host=db user=relay", "passwordEnv": "MC_TEST_PG_PASSWORD"})
    assert config.storage.settings.password() == "from-the-env"
    assert (config.storage.settings.pool_size, config.storage.settings.connect_timeout_ms) == (10, 5000)
    with pytest.raises(ConfigError, match="storage.dsn: required key is missing"):
        _relay_config(tmp_path, {"backend": "postgres"})


def test_migrating_to_the_redaction_count_keeps_tasks_at_zero(postgres_dsn, tmp_path):
    # A database of schema version 5 (before the stored count) with a task: it reads with no
    # secrets hidden, and a count set later is kept.
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        assert migrate(conn, MIGRATIONS[:5]) == 5
        conn.execute(
            "INSERT INTO tasks (task_id, workspace_id, agent_id, type, title, status, created_at, updated_at)"
            " VALUES ('task_1', 'ws_1', 'vm', 'codex_exec', 'codex_exec', 'running', %s, %s)", (T0, T0)
        )
    section = storage_section("postgres", tmp_path / "data", postgres_dsn)
    store = backend_spec("postgres").open(section)
    try:
        with store.transaction() as tx:
            task = tx.tasks.get("task_1")
            assert (task.status, task.redactions) == ("running", 0)
            tx.tasks.put(attrs.evolve(task, redactions=5))
    finally:
        store.close()
    store = backend_spec("postgres").open(section)
    try:
        with store.transaction(write=False) as tx:
            assert tx.tasks.get("task_1").redactions == 5
    finally:
        store.close()
