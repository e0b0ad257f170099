"""File log sources from the agent config: `{label, path, maxLines}` read as a bounded tail."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from mobile_codex.core.config.agent import FileLogConfig
from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import LogNotReadable, LogSourceSpec, LogTail

from .tail import tail_lines

REQUIRES_FLAGS = ("readLog",)


def read_file_tail(path: Path, max_lines: int) -> LogTail:
    try:
        with open(path, "rb") as stream:
            if not Path(path).is_file():
                raise LogNotReadable(f"{path} is not a regular file")
            return tail_lines(stream, max_lines)
    except OSError as err:
        raise LogNotReadable(f"{path}: {err.strerror}") from None


@hookimpl
def register_log_sources(config):
    return [
        LogSourceSpec(id=source_id, label=source.label, read_tail=partial(read_file_tail, source.path, source.max_lines))
        for source_id, source in config.log_sources.items()
        if isinstance(source, FileLogConfig)
    ]
