"""Journal log sources: `{label, unit, maxLines, directory?}` read through `journalctl`.

An entry of `logSources` is a journal source when it has `unit`; this plugin checks it
(JournalLogConfig). The command is an argv list built from config values only; the phone sends
a source id. `journalctl` runs in the core's sandbox for child processes (core/child_process.py,
the one the agent uses for actions and Codex too): the allowlisted environment, its own process
group, the whole group killed at the timeout.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import attrs

from mobile_codex.core import child_process
from mobile_codex.core.child_env import child_environment
from mobile_codex.core.config.schema import integer, label_defaults_to_id, path, setting, string
from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import ConfigModelSpec, LogNotReadable, LogSourceSpec, LogTail

from .tail import MAX_TAIL_BYTES

REQUIRES_FLAGS = ("readLog",)
JOURNALCTL_TIMEOUT_SEC = 20


@attrs.frozen(kw_only=True)
class JournalLogConfig:
    """A systemd journal unit: `journalctl [--directory=DIR] -u UNIT -n maxLines`."""

    label: str = setting("", string(non_empty=True))
    unit: str = setting(parse=string(pattern=r"[A-Za-z0-9@._:-]{1,200}", expected="a systemd unit name"))
    max_lines: int = setting(200, integer(1, 5000))
    directory: Path | None = setting(None, path())

    finish = staticmethod(label_defaults_to_id)


def journal_command(source: JournalLogConfig) -> list[str]:
    argv = ["journalctl"]
    if source.directory is not None:
        argv.append(f"--directory={source.directory}")
    argv += ["-u", source.unit, "-n", str(source.max_lines), "--no-pager", "-o", "short-iso"]
    return argv


def read_journal_tail(source: JournalLogConfig) -> LogTail:
    window = bytearray()  # the last MAX_TAIL_BYTES of the output

    def keep(text: str) -> None:
        window.extend(text.encode("utf-8"))
        del window[:-MAX_TAIL_BYTES]

    try:
        outcome = child_process.run(
            journal_command(source), cwd=Path("/"), env=child_environment(), on_line=keep,
            timeout_sec=JOURNALCTL_TIMEOUT_SEC, merge_stderr=False,
        )  # fmt: skip
    except FileNotFoundError:
        raise LogNotReadable("journalctl is not installed") from None
    except OSError as err:
        raise LogNotReadable(f"journalctl cannot be started: {err.strerror}") from None
    if outcome.timed_out:
        raise LogNotReadable(f"journalctl did not answer within {JOURNALCTL_TIMEOUT_SEC} s")
    if outcome.exit_code != 0:
        message = outcome.stderr_tail.strip().splitlines()
        raise LogNotReadable(message[-1] if message else f"journalctl ended with {outcome.exit_code or outcome.signal}")
    text = window.decode("utf-8", "replace")
    # journalctl says "-- No entries --" (and marks reboots with "-- Boot ... --"): not log lines.
    lines = [line for line in text.splitlines() if line and not line.startswith("-- ")][-source.max_lines :]
    return LogTail(text="\n".join(lines) + ("\n" if lines else ""), line_count=len(lines))


@hookimpl
def register_config_models():
    return [ConfigModelSpec(section="logSources", kind="unit", label="a journal unit", model=JournalLogConfig)]


@hookimpl
def register_log_sources(config):
    return [
        LogSourceSpec(id=source_id, label=source.label, read_tail=partial(read_journal_tail, source))
        for source_id, source in config.log_sources.items()
        if isinstance(source, JournalLogConfig)
    ]
