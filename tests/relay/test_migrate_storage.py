"""`mobile-codex migrate-storage`: a relay's metadata moves from SQLite to PostgreSQL and back."""

from __future__ import annotations

import pytest

from mobile_codex.core.records import Task

from .conftest import Relay, make_config

TASKS = 10_000


def _fill(relay: Relay) -> None:
    """A signed-in owner (users, memberships, sessions) and 10,000 finished tasks, three in four of
    which hid secrets (the stored redaction count: 0, 1, 2, 3, 0, ...)."""
    with relay.store.transaction() as tx:
        workspace_id = tx.workspaces.find()[0].workspace_id
        for n in range(TASKS):
            tx.tasks.put(Task(
                task_id=f"task_{n:05d}", workspace_id=workspace_id, agent_id="agent-1", type="codex_exec",
                title=f"task {n} ✓", status="completed", created_at="2026-11-26T12:00:00.000Z",
                updated_at="2026-11-26T12:00:01.000Z", redactions=n % 4,
            ))  # fmt: skip


@pytest.mark.slow  # 10,000 tasks through two CLI runs
def test_sqlite_to_postgres_and_back(tmp_path, run_cli, postgres_dsn):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    source = Relay(tmp_path / "a", "sqlite")
    owner = source.owner()
    _fill(source)
    source.close()
    make_config(tmp_path / "b", "postgres", dsn=postgres_dsn)
    make_config(tmp_path / "c", "sqlite")

    result = run_cli("migrate-storage", "--from", tmp_path / "a" / "relay.json", "--to", tmp_path / "b" / "relay.json")
    assert result.returncode == 0, result.stderr
    assert f"{TASKS} tasks" in result.stdout and "counts verified" in result.stdout

    again = run_cli("migrate-storage", "--from", tmp_path / "a" / "relay.json", "--to", tmp_path / "b" / "relay.json")
    assert again.returncode == 1 and "already holds data" in again.stderr and "--force" in again.stderr
    forced = run_cli(
        "migrate-storage", "--from", tmp_path / "a" / "relay.json", "--to", tmp_path / "b" / "relay.json", "--force"
    )  # fmt: skip
    assert forced.returncode == 0, forced.stderr

    # The relay serves the copy: the owner's session from the SQLite relay still signs them in.
    served = Relay(tmp_path / "b", "postgres", dsn=postgres_dsn)
    try:
        phone = served.browser()
        phone.cookies = dict(owner.cookies)
        assert phone.get("/api/auth/status").json["authenticated"] is True
        tasks = phone.get("/api/admin/tasks").json["tasks"]
        assert tasks and all(task["status"] == "completed" for task in tasks)
        assert all(task["redactions"] == int(task["taskId"][5:]) % 4 for task in tasks)
        with served.store.transaction(write=False) as tx:
            assert tx.tasks.count() == TASKS
            assert tx.tasks.get("task_09999").title == "task 9999 ✓"
            assert tx.tasks.get("task_09999").redactions == 3
            assert tx.tasks.count(redactions=0) == TASKS // 4
    finally:
        served.close()

    back = run_cli("migrate-storage", "--from", tmp_path / "b" / "relay.json", "--to", tmp_path / "c" / "relay.json")
    assert back.returncode == 0, back.stderr
    assert f"{TASKS} tasks" in back.stdout
    returned = Relay(tmp_path / "c", "sqlite")
    try:
        with returned.store.transaction(write=False) as tx:
            assert tx.tasks.count() == TASKS
            assert [tx.tasks.count(redactions=n) for n in range(4)] == [TASKS // 4] * 4
        phone = returned.browser()
        phone.cookies = dict(owner.cookies)
        assert phone.get("/api/auth/status").json["authenticated"] is True
    finally:
        returned.close()
