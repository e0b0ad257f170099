"""Journal log sources: `{label, unit, maxLines, directory?}` read through `journalctl`.

The command is an argv list built from config values only; the phone sends a source id.
"""

from __future__ import annotations

import subprocess
from functools import partial

from mobile_codex.core.config.agent import JournalLogConfig
from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import LogNotReadable, LogSourceSpec, LogTail

from .tail import MAX_TAIL_BYTES

REQUIRES_FLAGS = ("readLog",)
JOURNALCTL_TIMEOUT_SEC = 20


def journal_command(source: JournalLogConfig) -> list[str]:
    argv = ["journalctl"]
    if source.directory is not None:
        argv.append(f"--directory={source.directory}")
    argv += ["-u", source.unit, "-n", str(source.max_lines), "--no-pager", "-o", "short-iso"]
    return argv


def read_journal_tail(source: JournalLogConfig) -> LogTail:
    try:
        done = subprocess.run(
            journal_command(source), stdin=subprocess.DEVNULL, capture_output=True, timeout=JOURNALCTL_TIMEOUT_SEC
        )
    except FileNotFoundError:
        raise LogNotReadable("journalctl is not installed") from None
    except subprocess.TimeoutExpired:
        raise LogNotReadable(f"journalctl did not answer within {JOURNALCTL_TIMEOUT_SEC} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LogNotReadable(message[-1] if message else f"journalctl exited {done.returncode}")
    text = done.stdout[-MAX_TAIL_BYTES:].decode("utf-8", "replace")
    # journalctl says "-- No entries --" (and marks reboots with "-- Boot ... --"): not log lines.
    lines = [line for line in text.splitlines() if line and not line.startswith("-- ")][-source.max_lines :]
    return LogTail(text="\n".join(lines) + ("\n" if lines else ""), line_count=len(lines))


@hookimpl
def register_log_sources(config):
    return [
        LogSourceSpec(id=source_id, label=source.label, read_tail=partial(read_journal_tail, source))
        for source_id, source in config.log_sources.items()
        if isinstance(source, JournalLogConfig)
    ]
