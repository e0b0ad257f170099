"""The repository contract (core/store.py), run against every storage backend."""

from __future__ import annotations

import signal
import stat
import threading

import attrs
import pytest

from mobile_codex.core.errors import StorageError
from mobile_codex.core.record_codec import key_fields, key_of
from mobile_codex.core.records import TABLES, Passkey, RelayMeta, Task, Workspace

from .conftest import BACKEND_PLUGINS, T0, run_python, sample_records

TABLE_NAMES = list(TABLES)


def _task(task_id: str, **changes) -> Task:
    base = dict(
        task_id=task_id, workspace_id="ws_1", agent_id="a1", type="codex_exec", title=task_id,
        status="queued", created_at=T0, updated_at=T0,
    )
    return Task(**{**base, **changes})


def _changed(record):
    """The record with one non-key string field changed (for replace)."""
    keys = key_fields(type(record))
    name = next(f.name for f in attrs.fields(type(record)) if f.name not in keys and f.type == "str")
    return attrs.evolve(record, **{name: getattr(record, name) + "-changed"})


def test_every_table_has_a_sample():
    assert set(sample_records()) == set(TABLES)
    assert all(isinstance(record, TABLES[name]) for name, record in sample_records().items())


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_put_get_replace_delete(store, samples, table):
    record = samples[table]
    key = key_of(record)
    with store.transaction() as tx:
        assert getattr(tx, table).get(key) is None
        getattr(tx, table).put(record)
    with store.transaction(write=False) as tx:
        assert getattr(tx, table).get(key) == record
        assert getattr(tx, table).count() == 1

    replaced = _changed(record)
    with store.transaction() as tx:
        getattr(tx, table).put(replaced)
    with store.transaction() as tx:
        assert getattr(tx, table).get(key) == replaced
        assert getattr(tx, table).find() == [replaced]
        assert getattr(tx, table).delete(key) is True
        assert getattr(tx, table).get(key) is None
        assert getattr(tx, table).delete(key) is False
    with store.transaction(write=False) as tx:
        assert getattr(tx, table).get(key) is None
        assert getattr(tx, table).count() == 0


def test_records_round_trip_exactly_across_reopen(open_store, samples):
    # Defaults (empty lists and dicts, False, None) must come back as they went in, too.
    bare_agent = attrs.evolve(
        samples["agents"], agent_id="bare", features={}, actions=[], log_sources=[], exec_modes=[],
        codex_available=False, next_token_hash=None,
    )
    store = open_store()
    with store.transaction() as tx:
        for table, record in samples.items():
            getattr(tx, table).put(record)
        tx.agents.put(bare_agent)
    store.close()

    with open_store().transaction(write=False) as tx:
        for table, record in samples.items():
            got = getattr(tx, table).get(key_of(record))
            assert got == record
            # Equality alone would accept 1 for True: check the stored types too.
            assert [type(v) for v in attrs.astuple(got, recurse=False)] == [
                type(v) for v in attrs.astuple(record, recurse=False)
            ]
        assert tx.agents.get(("ws_1", "bare")) == bare_agent


def test_returned_records_do_not_alias_the_store(store, samples):
    with store.transaction() as tx:
        tx.agents.put(samples["agents"])
    with store.transaction() as tx:
        tx.agents.get(("ws_1", "server-main")).features["codexExec"] = "mutated"
    with store.transaction(write=False) as tx:
        assert tx.agents.get(("ws_1", "server-main")).features["codexExec"] is True


def test_agent_ids_are_keyed_per_workspace(open_store, samples):
    # Issue 15: two workspaces may each have an agent `vm`; each is its own record.
    theirs = attrs.evolve(samples["agents"], workspace_id="ws_2", agent_id="vm", label="theirs")
    mine = attrs.evolve(samples["agents"], workspace_id="ws_1", agent_id="vm", label="mine")
    store = open_store()
    with store.transaction() as tx:
        tx.agents.put(theirs)
        tx.agents.put(mine)
        tx.agents.put(attrs.evolve(mine, label="mine, replaced"))  # same key: replaces only mine
    store.close()
    store = open_store()
    with store.transaction(write=False) as tx:
        assert tx.agents.get(("ws_1", "vm")).label == "mine, replaced"
        assert tx.agents.get(("ws_2", "vm")) == theirs
        assert tx.agents.get(("ws_3", "vm")) is None
        assert [(a.workspace_id, a.label) for a in tx.agents.find(agent_id="vm")] == [
            ("ws_1", "mine, replaced"), ("ws_2", "theirs"),  # ties go by the key, field by field
        ]
        assert tx.agents.count(workspace_id="ws_2") == 1
    with store.transaction() as tx:
        assert tx.agents.delete(("ws_2", "vm")) is True
        assert tx.agents.delete(("ws_2", "vm")) is False
    with store.transaction(write=False) as tx:
        assert [a.workspace_id for a in tx.agents.find()] == ["ws_1"]


def test_agent_glance_reads_the_agent_and_whether_it_has_queued_and_running_tasks(store, samples):
    # Issue 19: an idle poll's whole read, in one statement on the SQL backends.
    mine = attrs.evolve(samples["agents"], workspace_id="ws_1", agent_id="vm")
    theirs = attrs.evolve(mine, workspace_id="ws_2", label="theirs")
    with store.transaction() as tx:
        tx.agents.put(mine)
        tx.agents.put(theirs)
        # tasks of the same agent id in another workspace, and of another agent, count for nobody else
        tx.tasks.put(_task("t_theirs_q", workspace_id="ws_2", agent_id="vm", status="queued"))
        tx.tasks.put(_task("t_other_r", workspace_id="ws_1", agent_id="other", status="running"))
        tx.tasks.put(_task("t_done", workspace_id="ws_1", agent_id="vm", status="completed"))
    glance = store.agent_glance(("ws_1", "vm"))
    assert (glance.agent, glance.queued, glance.running) == (mine, False, False)
    assert store.agent_glance(("ws_2", "vm")).queued is True
    assert store.agent_glance(("ws_2", "vm")).running is False
    assert store.agent_glance(("ws_3", "vm")) is None
    with store.transaction() as tx:
        tx.tasks.put(_task("t_mine_r", workspace_id="ws_1", agent_id="vm", status="running"))
    glance = store.agent_glance(("ws_1", "vm"))
    assert (glance.queued, glance.running) == (False, True)
    with store.transaction() as tx:
        tx.tasks.put(_task("t_mine_q", workspace_id="ws_1", agent_id="vm", status="queued"))
        tx.tasks.put(_task("t_mine_r", workspace_id="ws_1", agent_id="vm", status="failed"))
    glance = store.agent_glance(("ws_1", "vm"))
    assert (glance.agent, glance.queued, glance.running) == (mine, True, False)
    with pytest.raises(TypeError, match="workspace_id, agent_id"):
        store.agent_glance("vm")


@pytest.mark.parametrize("key", ["vm", ("vm",), ("ws_1", "vm", "x"), ["ws_1", "vm"], ("ws_1", None)])
def test_a_compound_key_must_be_whole(store, key):
    # A bare agent id would be a lookup across workspaces: it fails loudly instead of finding nothing.
    with store.transaction() as tx:
        with pytest.raises(TypeError, match="workspace_id, agent_id"):
            tx.agents.get(key)
        with pytest.raises(TypeError, match="workspace_id, agent_id"):
            tx.agents.delete(key)


def test_find_filters_by_equals_and_null(store):
    tasks = [
        _task("t1", agent_id="a1", status="queued"),
        _task("t2", agent_id="a1", status="running", approved_at=T0),
        _task("t3", agent_id="a2", status="queued", write_access=True),
        _task("t4", agent_id="a1", status="queued", approved_at=T0),
    ]
    with store.transaction() as tx:
        for task in tasks:
            tx.tasks.put(task)
    with store.transaction(write=False) as tx:
        assert [t.task_id for t in tx.tasks.find(agent_id="a1", status="queued")] == ["t1", "t4"]
        assert [t.task_id for t in tx.tasks.find(approved_at=None)] == ["t1", "t3"]
        assert [t.task_id for t in tx.tasks.find(agent_id="a1", approved_at=None)] == ["t1"]
        assert [t.task_id for t in tx.tasks.find(write_access=True)] == ["t3"]
        assert [t.task_id for t in tx.tasks.find(write_access=False, status="queued")] == ["t1", "t4"]
        assert tx.tasks.find(agent_id="nobody") == []
        assert tx.tasks.count(agent_id="a1") == 3
        assert tx.tasks.count(approved_at=None) == 2
        assert tx.tasks.count(agent_id="a1", status="running") == 1
        assert tx.tasks.count() == 4


def test_find_orders_limits_and_breaks_ties_by_key(store):
    # Inserted out of order; "b" and "c" tie on created_at, "n" has no approved_at.
    with store.transaction() as tx:
        tx.tasks.put(_task("d", created_at="2026-01-04T00:00:00.000Z", approved_at="4"))
        tx.tasks.put(_task("c", created_at="2026-01-02T00:00:00.000Z", approved_at="2"))
        tx.tasks.put(_task("a", created_at="2026-01-03T00:00:00.000Z", approved_at="3"))
        tx.tasks.put(_task("b", created_at="2026-01-02T00:00:00.000Z", approved_at="1"))
        tx.tasks.put(_task("n", created_at="2026-01-01T00:00:00.000Z", approved_at=None))
    with store.transaction(write=False) as tx:
        ids = lambda tasks: [t.task_id for t in tasks]  # noqa: E731
        assert ids(tx.tasks.find()) == ["a", "b", "c", "d", "n"]  # no order_by: by key
        assert ids(tx.tasks.find(order_by="created_at")) == ["n", "b", "c", "a", "d"]
        assert ids(tx.tasks.find(order_by="-created_at")) == ["d", "a", "b", "c", "n"]
        assert ids(tx.tasks.find(order_by="created_at", limit=2)) == ["n", "b"]
        assert ids(tx.tasks.find(order_by="-created_at", limit=3)) == ["d", "a", "b"]
        assert ids(tx.tasks.find(order_by="-created_at", limit=0)) == []
        assert ids(tx.tasks.find(order_by="-task_id")) == ["n", "d", "c", "b", "a"]
        # NULLs sort first ascending and last descending (SQL's rule, kept by every backend).
        assert ids(tx.tasks.find(order_by="approved_at")) == ["n", "b", "c", "a", "d"]
        assert ids(tx.tasks.find(order_by="-approved_at")) == ["d", "a", "c", "b", "n"]
        assert ids(tx.tasks.find(status="queued", order_by="-created_at", limit=1)) == ["d"]


@pytest.mark.parametrize(
    "query",
    [
        {"nope": 1},
        {"order_by": "nope"},
        {"order_by": "-nope"},
        {"order_by": "created_at; DROP TABLE tasks"},
        {'status" OR 1=1 --': "x"},
        {"order_by": "created_at", "limit": -1},
    ],
)
def test_find_rejects_unknown_fields_and_bad_limits(store, query):
    with store.transaction(write=False) as tx:
        with pytest.raises(ValueError):
            tx.tasks.find(**query)


def test_structured_fields_cannot_be_queried(store):
    with store.transaction(write=False) as tx:
        with pytest.raises(ValueError):
            tx.agents.find(features={})
        with pytest.raises(ValueError):
            tx.agents.find(order_by="actions")
        with pytest.raises(ValueError):
            tx.agents.count(nope="x")


def test_put_rejects_a_record_of_another_kind(store, samples):
    with store.transaction() as tx:
        with pytest.raises(TypeError):
            tx.tasks.put(samples["users"])


def test_meta_get_and_set(open_store):
    store = open_store()
    with store.transaction(write=False) as tx:
        assert tx.get_meta() == RelayMeta()
    meta = RelayMeta(bootstrap_user_id="user_1", admin_user_ids=["user_1", "user_2"], volatile_epoch="epoch-1")
    with store.transaction() as tx:
        tx.set_meta(meta)
        assert tx.get_meta() == meta
    store.close()
    with open_store().transaction(write=False) as tx:
        assert tx.get_meta() == meta
        assert tx.get_meta().admin_user_ids == ("user_1", "user_2")


def test_exception_rolls_back_every_write(store, samples):
    with store.transaction() as tx:
        tx.workspaces.put(samples["workspaces"])
    with pytest.raises(RuntimeError, match="boom"):
        with store.transaction() as tx:
            for table, record in samples.items():
                getattr(tx, table).put(_changed(record) if table == "workspaces" else record)
            tx.set_meta(RelayMeta(bootstrap_user_id="user_1"))
            assert tx.users.get("user_1") == samples["users"]  # reads see the transaction's writes
            assert tx.users.count() == 1
            assert tx.workspaces.delete("ws_1") is True
            assert tx.workspaces.find() == []
            raise RuntimeError("boom")
    with store.transaction(write=False) as tx:
        assert tx.workspaces.find() == [samples["workspaces"]]
        assert all(getattr(tx, table).count() == 0 for table in TABLES if table != "workspaces")
        assert tx.get_meta() == RelayMeta()


def test_read_only_transaction_refuses_writes(store, samples):
    with store.transaction(write=False) as tx:
        with pytest.raises(StorageError):
            tx.users.put(samples["users"])
        with pytest.raises(StorageError):
            tx.users.delete("user_1")
        with pytest.raises(StorageError):
            tx.set_meta(RelayMeta())
    with store.transaction(write=False) as tx:
        assert tx.users.count() == 0


def test_a_finished_transaction_cannot_be_used(store, samples):
    with store.transaction() as tx:
        pass
    with pytest.raises(StorageError):
        tx.users.get("user_1")
    with pytest.raises(StorageError):
        tx.users.put(samples["users"])


def test_nested_write_transaction_fails_instead_of_deadlocking(store):
    with store.transaction():
        with pytest.raises(StorageError):
            with store.transaction():
                pass
        with store.transaction(write=False) as reader:  # a read beside it is fine
            assert reader.users.count() == 0


def test_closed_store_refuses_transactions(open_store):
    store = open_store()
    store.close()
    with pytest.raises(StorageError):
        with store.transaction(write=False):
            pass


def test_concurrent_threads_serialize_writes(store):
    """Read-modify-write from many threads: no increment may be lost."""
    threads_count, rounds = 8, 25
    passkey = Passkey(
        passkey_id="pk", credential_id="c", user_id="u", sign_count=0, label="l", created_at=T0,
    )
    with store.transaction() as tx:
        tx.passkeys.put(passkey)
    errors: list[BaseException] = []
    start = threading.Barrier(threads_count * 2)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(rounds):
                with store.transaction() as tx:
                    current = tx.passkeys.get("pk")
                    tx.passkeys.put(attrs.evolve(current, sign_count=current.sign_count + 1))
                    tx.workspaces.put(Workspace(workspace_id=f"ws-{n}-{i}", name="w", created_at=T0))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    def reader() -> None:
        try:
            start.wait()
            for _ in range(rounds):
                with store.transaction(write=False) as tx:
                    # A snapshot is consistent: each increment commits with its workspace.
                    assert tx.passkeys.get("pk").sign_count == tx.workspaces.count()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(threads_count)]
    threads += [threading.Thread(target=reader) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with store.transaction(write=False) as tx:
        assert tx.passkeys.get("pk").sign_count == threads_count * rounds
        assert tx.workspaces.count() == threads_count * rounds


def test_integrity_check_is_empty_when_healthy(store, samples):
    assert store.integrity_check() == []
    with store.transaction() as tx:
        for table, record in samples.items():
            getattr(tx, table).put(record)
    assert store.integrity_check() == []


def test_files_are_private(backend, store, samples, data_dir):
    with store.transaction() as tx:
        tx.users.put(samples["users"])
    if backend == "postgres":
        # The cluster's files are the operator's: the relay keeps none of its own.
        assert store.data_files() == [] and not data_dir.exists()
        return
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    files = store.data_files()
    assert files and all(path.parent == data_dir for path in files)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert {path.name for path in data_dir.iterdir()} == {path.name for path in files}


def test_a_committed_write_survives_sigkill(backend, open_store, data_dir, dsn):
    result = run_python(
        """
        import importlib, os, signal, sys
        from pathlib import Path
        from mobile_codex.core.config.relay import StorageConfig
        from mobile_codex.core.records import Workspace
        plugin = importlib.import_module(sys.argv[1])
        [spec] = plugin.register_storage_backends()
        [model] = plugin.register_config_models()
        settings = model.model(dsn=sys.argv[3]) if sys.argv[3] else None
        store = spec.open(StorageConfig(backend=spec.name, data_dir=Path(sys.argv[2]), settings=settings))
        for i in range(20):
            with store.transaction() as tx:
                tx.workspaces.put(Workspace(workspace_id=f"ws{i}", name="n", created_at="t"))
        print("committed", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """,
        BACKEND_PLUGINS[backend],
        data_dir,
        dsn or "",
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert result.stdout == "committed\n"
    store = open_store()
    with store.transaction(write=False) as tx:
        assert tx.workspaces.count() == 20
        assert tx.workspaces.get("ws19") == Workspace(workspace_id="ws19", name="n", created_at="t")
    assert store.integrity_check() == []
