"""No volatile task text (API.md "Volatile fields") reaches any file in the data dir.

Task views in their full camelCase form, volatile text included, go through `record_from_dict`
and every backend; then every file in the data dir (postgres: the cluster's directory, WAL
included) is searched as bytes, while the store is open (WAL and SHM present) and after it closed. A control marker in a metadata field proves
the same search does find text that was stored.
"""

from __future__ import annotations

import json
from pathlib import Path

import attrs

from mobile_codex.core.record_codec import record_from_dict
from mobile_codex.core.records import VOLATILE_TASK_FIELDS, RelayMeta, Task

from .conftest import T0, T1, sample_records

SECRETS = ("VOLATILE-MARKER-7f3a", "秘密标记-ß-🔒")
CONTROLS = ("CONTROL-MARKER-41d0", "控制标记-ü-🔑")


def _encodings(text: str) -> list[bytes]:
    """The byte forms a file could hold `text` in: UTF-8, and JSON's \\u escapes."""
    escaped = json.dumps(text, ensure_ascii=True)[1:-1].encode()
    return list(dict.fromkeys([text.encode(), escaped]))


def _files_holding(data_dir: Path, text: str) -> list[str]:
    files = [path for path in sorted(data_dir.rglob("*")) if path.is_file()]
    assert files, "nothing to search"
    return [
        path.name for path in files if any(form in path.read_bytes() for form in _encodings(text))
    ]


def _task_view(n: int, secret: str, control: str) -> dict:
    """A task as the API shows it (plus workspaceId), volatile text full of `secret`."""
    return {
        "taskId": f"task_{n}", "workspaceId": "ws_1", "agentId": "server-main", "type": "codex_exec",
        "title": f"{control} #{n}", "status": "running", "createdAt": T0, "updatedAt": T1,
        "needsApproval": False, "approvedAt": None, "rejectedAt": None, "writeAccess": False,
        "resumeSessionId": "", "sessionId": "", "actionId": "", "logSourceId": "", "cwd": ".",
        "execMode": "read-only", "cancelRequestedAt": None, "threadId": "",
        "prompt": f"please {secret}",
        "summary": secret,
        "outputTail": f"line 1\n{secret}\n" * 50,
        "diffText": f"+++ b/file\n+{secret}\n",
        "result": {"exitCode": 0, "signal": None, "completedAt": T1, "threadId": secret},
        "error": f"failed: {secret}",
    }


def test_volatile_text_never_reaches_disk(backend, store, data_dir, request):
    # postgres: the whole cluster directory of this run (heap files and WAL of every database).
    server = request.getfixturevalue("postgres_server") if backend == "postgres" else None
    searched = server.data_dir if server else data_dir
    assert set(VOLATILE_TASK_FIELDS) <= set(_task_view(0, "s", "c"))
    with store.transaction() as tx:
        for table, record in sample_records().items():
            getattr(tx, table).put(record)
        tx.set_meta(RelayMeta(bootstrap_user_id="user_1", admin_user_ids=["user_1"]))
    for n, (secret, control) in enumerate(zip(SECRETS, CONTROLS)):
        task = record_from_dict(Task, _task_view(n, secret, control))
        with store.transaction() as tx:
            tx.tasks.put(task)
        with store.transaction() as tx:  # later updates of the same task, as the relay makes them
            tx.tasks.put(attrs.evolve(task, status="completed", updated_at=T1))

    if store.backend == "sqlite":
        assert {path.name for path in store.data_files()} >= {"relay.sqlite3-wal", "relay.sqlite3-shm"}
    if server:
        # The heap pages on disk too, not only the WAL: a WAL record may be split by a page header,
        # a row in a heap page never is, so the control marker is always found there.
        server.psql("CHECKPOINT")
    _assert_clean(searched)
    store.close()
    if server:
        server.psql("CHECKPOINT")
    _assert_clean(searched)


def _assert_clean(data_dir: Path) -> None:
    for secret in SECRETS:
        assert _files_holding(data_dir, secret) == [], secret
    for control in CONTROLS:  # the search works: stored metadata is found
        assert _files_holding(data_dir, control), control
