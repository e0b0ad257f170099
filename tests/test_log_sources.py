"""Built-in log sources: bounded file tails and real systemd journals."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import pytest

from mobile_codex.core.config import load_agent_config
from mobile_codex.core.plugin_types import LogNotReadable
from mobile_codex.core.plugins import load_plugins
from mobile_codex.plugins.logs.file_tail import read_file_tail
from mobile_codex.plugins.logs.tail import MAX_TAIL_BYTES, tail_lines

from .conftest import write_json


class CountingReader(io.BytesIO):
    """A seekable stream that counts the bytes handed out."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_tail_returns_the_last_lines():
    tail = tail_lines(io.BytesIO(b"one\ntwo\nthree\nfour\n"), max_lines=2)
    assert (tail.text, tail.line_count) == ("three\nfour\n", 2)


def test_tail_reads_a_bounded_number_of_bytes_whatever_the_size():
    data = b"".join(b"line %08d\n" % i for i in range(200_000))  # 2.8 MB
    stream = CountingReader(data)
    tail = tail_lines(stream, max_lines=5000)
    assert stream.bytes_read <= MAX_TAIL_BYTES
    assert tail.text.endswith("line 00199999\n") and tail.line_count == 5000
    assert tail.text.startswith("line 00195000\n")  # whole lines only, never a torn first line


def test_tail_of_a_sparse_huge_file_is_quick_and_correct(tmp_path):
    big = tmp_path / "huge.log"
    with open(big, "wb") as handle:
        handle.truncate(20 * 1024**3)  # 20 GiB of holes: reading it all would never finish in time
        handle.seek(0, 2)
        handle.write("first\nsecond\nlast line é\n".encode())
    tail = read_file_tail(big, max_lines=3)
    assert tail.text == "second\nlast line é\n"  # the torn line of holes before "first" is dropped


def test_a_line_longer_than_the_window_keeps_its_end():
    tail = tail_lines(io.BytesIO(b"x" * (MAX_TAIL_BYTES * 2) + b"END\n"), max_lines=3)
    assert tail.line_count == 1 and tail.text.endswith("xxEND\n") and len(tail.text) <= MAX_TAIL_BYTES


def test_tail_survives_invalid_utf8_and_empty_files(tmp_path):
    log = tmp_path / "bin.log"
    log.write_bytes(b"ok\n\xff\xfe broken\n")
    assert read_file_tail(log, 10).text == "ok\n\ufffd\ufffd broken\n"
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    assert (read_file_tail(empty, 10).text, read_file_tail(empty, 10).line_count) == ("", 0)


def test_unreadable_files_raise_log_not_readable(tmp_path):
    with pytest.raises(LogNotReadable, match="No such file"):
        read_file_tail(tmp_path / "missing.log", 10)
    with pytest.raises(LogNotReadable, match="directory|regular"):
        read_file_tail(tmp_path, 10)


def _journal_export(unit: str, messages: list[str]) -> str:
    entries = []
    for index, message in enumerate(messages):
        entries.append(
            "\n".join([
                f"__CURSOR=s=0;i={index}",
                f"__REALTIME_TIMESTAMP={1764000000000000 + index * 1000000}",
                f"__MONOTONIC_TIMESTAMP={1000000 + index}",
                "_BOOT_ID=0123456789abcdef0123456789abcdef",
                "_HOSTNAME=testhost",
                f"_SYSTEMD_UNIT={unit}",
                "SYSLOG_IDENTIFIER=web",
                "PRIORITY=6",
                f"MESSAGE={message}",
            ])
        )
    return "\n\n".join(entries) + "\n\n"


@pytest.fixture
def journal_dir(tmp_path):
    remote = shutil.which("systemd-journal-remote") or "/lib/systemd/systemd-journal-remote"
    if not shutil.which("journalctl") or not shutil.which(remote):
        pytest.fail("journalctl and systemd-journal-remote are required: the test command installs them (apt)")
    export = tmp_path / "export.txt"
    export.write_text(_journal_export("web.service", [f"request {i}" for i in range(30)]) + _journal_export("other.service", ["noise"]))
    directory = tmp_path / "journal"
    directory.mkdir()
    subprocess.run([remote, "-o", str(directory / "x.journal"), str(export)], check=True, capture_output=True, timeout=60)
    return directory


def test_journal_source_reads_a_real_journal(tmp_path, journal_dir):
    config = load_agent_config(write_json(tmp_path / "agent.json", {
        "relayBaseUrl": "http://localhost:8787", "agentId": "box", "workspaceRoot": str(tmp_path),
        "logSources": {
            "web": {"label": "Web", "unit": "web.service", "maxLines": 5, "directory": str(journal_dir)},
            "gone": {"label": "Gone", "unit": "absent.service", "directory": str(journal_dir)},
        },
    }))  # fmt: skip
    sources = load_plugins(entry_points=[]).log_sources(config)
    assert sources["web"].plugin == "mobile_codex.plugins.logs.journal"
    tail = sources["web"].item.read_tail()
    lines = tail.text.splitlines()
    assert tail.line_count == 5 and len(lines) == 5
    assert lines[-1].endswith("request 29") and lines[0].endswith("request 25")
    assert "noise" not in tail.text
    empty = sources["gone"].item.read_tail()
    assert (empty.text, empty.line_count) == ("", 0)


def test_journalctl_gets_only_the_allowlisted_environment(tmp_path, journal_dir, monkeypatch):
    """A variable outside SECURITY.md's allowlist, set in the agent, must not reach journalctl.

    TZ is such a variable, and journalctl shows whether it saw it: short-iso times carry its offset.
    """
    probe = "XYZ-5:45"  # a POSIX zone string (no tzdata needed): UTC+05:45
    argv = ["journalctl", f"--directory={journal_dir}", "-u", "web.service", "-n", "1", "--no-pager", "-o", "short-iso"]
    leaked = subprocess.run(argv, env={**os.environ, "TZ": probe}, capture_output=True, text=True, timeout=60)
    assert "+0545 " in leaked.stdout, leaked  # the control: given the whole environment, journalctl shows the probe
    monkeypatch.setenv("TZ", probe)
    config = load_agent_config(write_json(tmp_path / "agent.json", {
        "relayBaseUrl": "http://localhost:8787", "agentId": "box", "workspaceRoot": str(tmp_path),
        "logSources": {"web": {"unit": "web.service", "maxLines": 3, "directory": str(journal_dir)}},
    }))  # fmt: skip
    tail = load_plugins(entry_points=[]).log_sources(config)["web"].item.read_tail()
    assert tail.line_count == 3 and tail.text.splitlines()[-1].endswith("request 29")
    assert "+0545" not in tail.text


def test_journal_source_failure_is_log_not_readable(tmp_path):
    config = load_agent_config(write_json(tmp_path / "agent.json", {
        "relayBaseUrl": "http://localhost:8787", "agentId": "box", "workspaceRoot": str(tmp_path),
        "logSources": {"web": {"unit": "web.service", "directory": str(tmp_path / "no-such-dir")}},
    }))  # fmt: skip
    source = load_plugins(entry_points=[]).log_sources(config)["web"].item
    if shutil.which("journalctl") is None:
        pytest.fail("journalctl is required: the test command installs it (apt)")
    with pytest.raises(LogNotReadable):
        source.read_tail()
