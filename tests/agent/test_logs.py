"""read_log: bounded tails of configured sources; unreadable ones fail `log-not-readable`."""

from __future__ import annotations

import os

import pytest

from mobile_codex.agent_app.errors import TaskFailed
from mobile_codex.plugins.logs.tail import MAX_TAIL_BYTES

from .conftest import Collected, dispatcher


def read_log(config, source_id: str = "app") -> Collected:
    job = Collected({"taskId": "task_1", "type": "read_log", "logSourceId": source_id})
    job.outcome = dispatcher(config).run(job.ctx)
    return job


def bytes_read_by_this_process() -> int:
    with open("/proc/self/io") as handle:
        return int(next(line for line in handle if line.startswith("rchar:")).split()[1])


def test_tail_of_a_1_gb_sparse_file_reads_at_most_the_cap(agent_config, tmp_path):
    log = tmp_path / "huge.log"
    with open(log, "wb") as handle:
        handle.truncate(1024**3)  # sparse: 1 GB of zeros on no disk at all
        handle.seek(0, os.SEEK_END)
        handle.write(b"".join(b"line %d\n" % n for n in range(1000)))
    config = agent_config(logSources={"app": {"path": str(log), "maxLines": 5}})
    handler = dispatcher(config)
    before = bytes_read_by_this_process()
    job = Collected({"taskId": "task_1", "type": "read_log", "logSourceId": "app"})
    outcome = handler.run(job.ctx)
    read = bytes_read_by_this_process() - before
    assert read <= MAX_TAIL_BYTES + 16 * 1024, read  # the tail window plus /proc and config reads
    assert job.text == "".join(f"line {n}\n" for n in range(995, 1000))
    assert outcome.result["lineCount"] == 5 and outcome.result["logSourceId"] == "app"


def test_the_phone_gets_at_most_the_last_12000_bytes(agent_config, tmp_path):
    log = tmp_path / "app.log"
    log.write_text("".join(f"{n:07d} " + "x" * 92 + "\n" for n in range(5000)))
    job = read_log(agent_config(logSources={"app": {"path": str(log), "maxLines": 5000}}))
    assert len(job.text.encode()) <= 12000 and job.text.endswith("0004999 " + "x" * 92 + "\n")


@pytest.mark.parametrize("kind", ["missing", "directory", "dangling-link", "no-permission"])
def test_missing_and_unreadable_logs_fail_log_not_readable(agent_config, tmp_path, kind):
    path = tmp_path / "app.log"
    if kind == "directory":
        path.mkdir()
    elif kind == "dangling-link":
        path.symlink_to(tmp_path / "gone.log")
    elif kind == "no-permission":
        if os.geteuid() == 0:  # root reads any mode-000 file; another process's memory it may not
            path = "/proc/1/mem"
        else:
            path.write_text("secret\n")
            path.chmod(0)
    config = agent_config(logSources={"app": {"path": str(path)}})
    with pytest.raises(TaskFailed) as caught:
        read_log(config)
    assert caught.value.code == "log-not-readable"


def test_unknown_log_source(agent_config):
    with pytest.raises(TaskFailed) as caught:
        read_log(agent_config(), "nope")
    assert caught.value.code == "unknown-log-source"
