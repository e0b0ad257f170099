"""The epoch rule (services/volatile_epoch.py): unfinished tasks are interrupted when the volatile
store that held their text is new — every start on `memory`, a wiped Redis — and only then, once."""

from __future__ import annotations

import pytest

from .agent_helpers import created, pair_agent, stored
from .conftest import Relay


def test_on_memory_every_start_interrupts_and_a_sweep_does_not(tmp_path, backend):
    first = Relay(tmp_path, backend)
    owner = first.owner()
    pair_agent(first, owner)
    before = created(owner)["taskId"]
    first.close()

    second = Relay(tmp_path, backend)
    try:
        assert stored(second, "tasks", before).status == "interrupted"
        with second.store.transaction(write=False) as tx:
            assert tx.get_meta().volatile_epoch == second.app.relay.shared.epoch()
        owner = second.browser()
        owner.login_bootstrap()
        after = created(owner)["taskId"]
        assert second.sweep().interrupted == 0
        assert stored(second, "tasks", after).status == "queued"
    finally:
        second.close()


def test_a_new_bootstrap_owner_keeps_the_stored_epoch(tmp_path, backend):
    """A store whose bootstrap user is gone gets a new one at start; the meta record it rewrites still
    names the volatile store's epoch, so the next sweep does not take the store for a wiped one."""
    import attrs

    from mobile_codex.core.timeutil import system_clock
    from mobile_codex.relay_app.services.bootstrap import ensure_bootstrap

    relay = Relay(tmp_path, backend)
    try:
        with relay.store.transaction() as tx:
            meta = tx.get_meta()
            assert meta.volatile_epoch
            tx.set_meta(attrs.evolve(meta, bootstrap_user_id="user_gone"))
        ensure_bootstrap(relay.store, system_clock)
        with relay.store.transaction(write=False) as tx:
            after = tx.get_meta()
        assert after.volatile_epoch == meta.volatile_epoch and after.bootstrap_user_id not in (None, "user_gone")
        assert after.admin_user_ids == (after.bootstrap_user_id, *meta.admin_user_ids)
    finally:
        relay.close()


def _replica(tmp_path, name: str, redis_url: str, backend: str = "sqlite", dsn: str | None = None) -> Relay:
    """One replica of a relay: its own app, the shared data (one SQLite file or one database) and Redis."""
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    shared = {"backend": "redis", "url": redis_url}
    return Relay(folder, backend, dsn=dsn, dataDir=str(tmp_path / "data"), volatile=shared)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_on_redis_a_restart_keeps_the_work_and_a_wipe_interrupts_it_once(
    tmp_path, backend, new_dsn, redis_server, redis_url
):  # fmt: skip
    dsn = new_dsn()
    a = _replica(tmp_path, "a", redis_url, backend, dsn)
    owner = a.owner()
    pair_agent(a, owner)
    queued = created(owner)["taskId"]
    b = _replica(tmp_path, "b", redis_url, backend, dsn)  # a second replica starting does not interrupt a's work
    try:
        assert stored(b, "tasks", queued).status == "queued"
        a.close()
        a = _replica(tmp_path, "a", redis_url, backend, dsn)  # nor does a restart of a replica
        assert stored(a, "tasks", queued).status == "queued"
        assert (a.sweep().interrupted, b.sweep().interrupted) == (0, 0)

        redis_server.flush()  # Redis restarted empty: the text of every unfinished task is gone
        assert b.sweep().interrupted == 1
        assert a.sweep().interrupted == 0  # the other replica finds it done
        assert stored(a, "tasks", queued).status == "interrupted"
        with a.store.transaction(write=False) as tx:
            assert tx.get_meta().volatile_epoch == a.app.relay.shared.epoch() == b.app.relay.shared.epoch()
        assert (a.sweep().interrupted, b.sweep().interrupted) == (0, 0)
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_sweep_goes_on_while_redis_is_away(tmp_path, backend, redis_server, redis_url):
    relay = _replica(tmp_path, "a", redis_url)
    try:
        redis_server.stop()
        assert relay.sweep().interrupted == 0  # the epoch cannot be read: nothing is judged, nothing fails
    finally:
        redis_server.start()
        relay.close()
