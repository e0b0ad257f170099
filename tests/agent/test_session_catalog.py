"""The session catalog read from Codex's own `state_<N>.sqlite`: which database, read-only, which
sessions (only under workspaceRoot), in what order, how long it is cached, what the previews show.

The databases are real SQLite files with the columns of Codex's `threads` table (WAL mode, as Codex
keeps it), the rollouts real JSONL files.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
from pathlib import Path

import pytest

from mobile_codex.agent_app.codex.sessions import CodexSessions
from mobile_codex.agent_app.codex.threads import CodexThreads
from mobile_codex.agent_app.errors import TaskFailed
from mobile_codex.agent_app.workspace import Workspace

from .rollout_lines import ENV, item

# The columns of Codex 0.169's `threads` table this product reads, plus the NOT NULL ones it does not.
SCHEMA = """CREATE TABLE threads (
    id TEXT PRIMARY KEY, rollout_path TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    source TEXT NOT NULL, model_provider TEXT NOT NULL, cwd TEXT NOT NULL, title TEXT NOT NULL,
    sandbox_policy TEXT NOT NULL, approval_mode TEXT NOT NULL, tokens_used INTEGER NOT NULL DEFAULT 0,
    archived INTEGER NOT NULL DEFAULT 0, archived_at INTEGER,
    first_user_message TEXT NOT NULL DEFAULT '', preview TEXT NOT NULL DEFAULT '')"""
T0 = 1_795_660_000


def make_db(path: Path, *, wal: bool = True) -> Path:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode = {'WAL' if wal else 'DELETE'}")
    conn.execute(SCHEMA)
    conn.commit()
    conn.close()  # the last connection closing removes -wal and -shm, as after Codex exits
    return path


def write_rollout(path: Path, *messages: tuple[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = json.dumps({"timestamp": "t", "type": "session_meta", "payload": {"id": "x", "cwd": "/"}})
    developer = json.dumps({"timestamp": "t", "type": "response_item", "payload": {
        "type": "message", "role": "developer", "content": [{"type": "input_text", "text": "<permissions instructions>"}]}})  # fmt: skip
    path.write_text("\n".join([meta, developer, *(item(role, text) for role, text in messages)]) + "\n")
    return path


def add_thread(db: Path, cwd: Path | str, updated_at: int, *, title: str = "", first: str = "", archived: int = 0,
               messages: tuple[tuple[str, str], ...] = ()) -> str:  # fmt: skip
    """Insert a thread (and its rollout next to the database); returns its id."""
    thread_id = str(uuid.uuid4())
    rollout = write_rollout(db.parent / "sessions" / f"rollout-{thread_id}.jsonl", *(messages or (("user", title or "hi"),)))
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO threads (id, rollout_path, created_at, updated_at, source, model_provider, cwd, title,"
        " sandbox_policy, approval_mode, archived, first_user_message) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (thread_id, str(rollout), updated_at - 10, updated_at, "exec", "mock", str(cwd), title, "read-only", "never",
         archived, first),
    )  # fmt: skip
    conn.commit()
    conn.close()
    return thread_id


class Clock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def home(tmp_path) -> Path:
    path = tmp_path / "codex-home"
    path.mkdir()
    return path


@pytest.fixture
def sessions(home, workspace, agent_config):
    """sessions(root=workspace, clock=None, **codex settings) -> CodexSessions over `home`."""

    def make(root: Path = workspace, clock=None, **codex):
        config = agent_config(workspaceRoot=str(root), codex={"homeDir": str(home), **codex})
        return CodexSessions(home, Workspace(root), config.codex, monotonic=clock or time.monotonic)

    return make


def ids(catalog: list[dict]) -> list[str]:
    return [s["sessionId"] for s in catalog]


def test_the_highest_numbered_state_database_is_read_numerically(home, workspace, sessions):
    old = add_thread(make_db(home / "state_9.sqlite"), workspace, T0, title="from state 9")
    older = add_thread(make_db(home / "state_2.sqlite"), workspace, T0, title="from state 2")
    new = add_thread(make_db(home / "state_10.sqlite"), workspace, T0, title="from state 10")
    (home / "state_11.sqlite-wal").write_bytes(b"")  # not a database of its own
    (home / "logs_99.sqlite").write_bytes(b"")
    assert CodexThreads(home).database() == home / "state_10.sqlite"
    assert ids(sessions().catalog()) == [new]
    assert old != new and older != new


@pytest.mark.parametrize("wal", [True, False], ids=["wal-like-codex", "rollback-journal"])
def test_the_state_database_is_opened_read_only_and_left_untouched(home, workspace, sessions, wal):
    db = make_db(home / "state_5.sqlite", wal=wal)
    thread_id = add_thread(db, workspace / "app", T0, title="fix it")
    (workspace / "app").mkdir()
    before = (db.read_bytes(), db.stat().st_mtime_ns, sorted(os.listdir(home)))
    catalog = sessions()
    assert ids(catalog.catalog()) == [thread_id]
    assert catalog.resolve(thread_id).id == thread_id
    after = (db.read_bytes(), db.stat().st_mtime_ns, sorted(os.listdir(home)))
    assert after == before  # no byte, no mtime, and no -wal / -shm / -journal file next to it


def test_a_session_codex_just_wrote_is_seen_while_codex_keeps_the_database_open(home, workspace, sessions):
    db = make_db(home / "state_5.sqlite")
    old = add_thread(db, workspace, T0, title="old")
    codex = sqlite3.connect(db)  # Codex running: its -wal holds the newest rows, not yet checkpointed
    try:
        codex.execute("SELECT 1 FROM threads").fetchall()
        new = add_thread(db, workspace, T0 + 60, title="new")
        assert (home / "state_5.sqlite-wal").stat().st_size > 0
        assert ids(sessions().catalog()) == [new, old]
    finally:
        codex.close()


def test_a_locked_database_does_not_hang_the_poll(home, workspace, sessions):
    db = make_db(home / "state_5.sqlite", wal=False)  # in WAL mode a writer never blocks readers
    thread_id = add_thread(db, workspace, T0, title="fix it")
    clock = Clock()
    catalog = sessions(clock=clock)
    assert ids(catalog.catalog()) == [thread_id]
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")
    try:
        clock.now += 60  # the cached catalog has expired: it must be read again
        result: list = []
        reader = threading.Thread(target=lambda: result.append(catalog.catalog()), daemon=True)
        started = time.monotonic()
        reader.start()
        reader.join(timeout=15)
        assert not reader.is_alive(), "the catalog waited on the lock for more than 15 s"
        assert time.monotonic() - started < 15
        assert result and isinstance(result[0], list)  # no exception ended the call
        assert set(ids(result[0])) <= {thread_id}  # empty or the previous result, nothing invented
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    clock.now += 60
    assert ids(catalog.catalog()) == [thread_id]  # the lock's emptiness does not outlive the TTL


def test_only_sessions_whose_cwd_is_under_the_workspace_root_are_listed(tmp_path, home, sessions):
    parent = tmp_path / "x"
    root = parent / "re_p%"  # LIKE wildcards in the workspace path itself
    (root / "sub").mkdir(parents=True)
    outside = tmp_path / "outside"
    (outside / "deeper").mkdir(parents=True)
    (root / "link").symlink_to(outside, target_is_directory=True)
    db = make_db(home / "state_5.sqlite")
    inside = [add_thread(db, root, T0 + 1), add_thread(db, root / "sub", T0 + 2)]
    sibling = add_thread(db, parent / "re_p%-other" / "sub", T0 + 3)  # starts with the root's name
    wildcard = add_thread(db, parent / "reXpYZ" / "sub", T0 + 4)  # matches `re_p%/%` if `_`/`%` were not escaped
    bare_sibling = add_thread(db, parent / "re_p%-other", T0 + 5)
    linked = [add_thread(db, root / "link", T0 + 6), add_thread(db, root / "link" / "deeper", T0 + 7)]

    in_sql = {t.id for t in CodexThreads(home).recent(under=root.resolve(), limit=100)}
    assert not in_sql & {sibling, wildcard, bare_sibling}  # the query itself keeps them out
    catalog = sessions(root=root)
    assert ids(catalog.catalog()) == inside[::-1]
    for thread_id in (sibling, wildcard, bare_sibling, *linked):
        with pytest.raises(TaskFailed) as refused:
            catalog.resolve(thread_id)
        assert refused.value.code == "session-outside-workspace"


def test_newest_first_and_at_most_session_list_limit(tmp_path, home, workspace, sessions):
    db = make_db(home / "state_5.sqlite")
    outside = tmp_path / "outside"
    outside.mkdir()
    (workspace / "out").symlink_to(outside, target_is_directory=True)
    by_age = {offset: add_thread(db, workspace, T0 + offset, title=f"t{offset}") for offset in (30, 10, 50, 20, 40)}
    add_thread(db, workspace, T0 + 99, title="archived", archived=1)
    for offset in (97, 98):  # the newest rows of all lie outside through a symlink: they must not eat the limit
        add_thread(db, workspace / "out", T0 + offset)
    catalog = sessions(sessionListLimit=3).catalog()
    assert ids(catalog) == [by_age[50], by_age[40], by_age[30]]
    assert [s["title"] for s in catalog] == ["t50", "t40", "t30"]
    assert catalog[0]["updatedAt"] > catalog[1]["updatedAt"] > catalog[2]["updatedAt"]


def test_the_catalog_is_cached_for_session_catalog_ttl_ms(home, workspace, sessions):
    db = make_db(home / "state_5.sqlite")
    first = add_thread(db, workspace, T0, title="first")
    clock = Clock(1000.0)
    catalog = sessions(clock=clock, sessionCatalogTtlMs=5000)
    assert ids(catalog.catalog()) == [first]
    second = add_thread(db, workspace, T0 + 60, title="second")
    clock.now = 1004.5  # within the TTL: not read again
    assert ids(catalog.catalog()) == [first]
    clock.now = 1005.5  # past the TTL
    assert ids(catalog.catalog()) == [second, first]
    third = add_thread(db, workspace, T0 + 120, title="third")
    clock.now = 1006.0
    assert ids(catalog.catalog()) == [second, first]
    catalog.invalidate()  # after a run or a delete
    assert ids(catalog.catalog()) == [third, second, first]


def test_previews_skip_the_injected_environment_context(home, workspace, sessions):
    db = make_db(home / "state_5.sqlite")
    thread_id = add_thread(db, workspace, T0, title="", first=ENV,
                           messages=(("user", ENV), ("user", "why does the build fail?"), ("assistant", "A typo.")))  # fmt: skip
    [summary] = sessions().catalog()
    assert summary["sessionId"] == thread_id
    assert summary["firstUserMessage"] == "why does the build fail?"
    assert summary["title"] == "why does the build fail?"
    assert [(p["role"], p["text"]) for p in summary["preview"]] == [("user", "why does the build fail?"), ("assistant", "A typo.")]
    assert "environment_context" not in json.dumps(summary)


def test_the_first_user_message_is_the_first_real_one_even_past_the_preview(home, workspace, sessions):
    db = make_db(home / "state_5.sqlite")
    conversation = (("user", ENV), ("user", "first question"), ("assistant", "a1"), ("user", "second question"),
                    ("assistant", "a2"), ("user", "third question"), ("assistant", "a3"))  # fmt: skip
    add_thread(db, workspace, T0, title="", first="", messages=conversation)
    [summary] = sessions().catalog()
    assert [p["text"] for p in summary["preview"]] == ["second question", "a2", "third question", "a3"]
    assert summary["firstUserMessage"] == "first question"
    assert summary["title"] == "first question"
