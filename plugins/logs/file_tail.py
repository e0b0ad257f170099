"""File log sources from the agent config: `{label, path, maxLines}` read as a bounded tail.

An entry of `logSources` is a file source when it has `path`; this plugin checks it (FileLogConfig).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import attrs

from mobile_codex.core.config.schema import integer, label_defaults_to_id, path, setting, string
from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import ConfigModelSpec, LogNotReadable, LogSourceSpec, LogTail

from .tail import tail_lines

REQUIRES_FLAGS = ("readLog",)


@attrs.frozen(kw_only=True)
class FileLogConfig:
    """A file tail: the last `maxLines` lines of `path` (a tail reads at most 256 KiB)."""

    label: str = setting("", string(non_empty=True))
    path: Path = setting(parse=path())
    max_lines: int = setting(200, integer(1, 5000))

    finish = staticmethod(label_defaults_to_id)


def read_file_tail(path: Path, max_lines: int) -> LogTail:
    try:
        with open(path, "rb") as stream:
            if not Path(path).is_file():
                raise LogNotReadable(f"{path} is not a regular file")
            return tail_lines(stream, max_lines)
    except OSError as err:
        raise LogNotReadable(f"{path}: {err.strerror}") from None


@hookimpl
def register_config_models():
    return [ConfigModelSpec(section="logSources", kind="path", label="a file", model=FileLogConfig)]


@hookimpl
def register_log_sources(config):
    return [
        LogSourceSpec(id=source_id, label=source.label, read_tail=partial(read_file_tail, source.path, source.max_lines))
        for source_id, source in config.log_sources.items()
        if isinstance(source, FileLogConfig)
    ]
