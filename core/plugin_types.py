"""The values plugins hand to the core through hooks: small frozen classes, never dicts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

import attrs

if TYPE_CHECKING:
    from .store import Store


@attrs.frozen(kw_only=True)
class ActionSpec:
    """A predefined command the agent may run by id. Always an argv list: never a shell string."""

    id: str
    label: str
    argv: tuple[str, ...] = attrs.field(converter=tuple)
    cwd: str = "."  # relative to workspaceRoot; resolved and confined by the agent
    timeout_sec: int = 300

    def __attrs_post_init__(self) -> None:
        if not self.argv or not all(isinstance(part, str) and part for part in self.argv):
            raise ValueError(f"action {self.id!r}: argv must be a non-empty list of non-empty strings")


@attrs.frozen
class LogTail:
    """The end of a log, already bounded by the source that read it."""

    text: str
    line_count: int


class LogNotReadable(Exception):
    """Raised by `read_tail` when the log cannot be read now; the agent reports `log-not-readable`."""


@attrs.frozen(kw_only=True)
class LogSourceSpec:
    """A predefined log the phone may read by id, as a bounded tail."""

    id: str
    label: str
    read_tail: Callable[[], LogTail] = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class CodexRun:
    """Everything an exec mode needs to build one `codex` command line."""

    binary: str
    cwd: Path  # already resolved inside workspaceRoot
    prompt: str
    output_file: Path
    model: str = ""
    extra_args: tuple[str, ...] = ()
    session_id: str = ""  # set for modes that continue a session


@attrs.frozen(kw_only=True)
class ExecModeSpec:
    """How a codex_exec task becomes a command line.

    `writes` means the mode may change the workspace and so needs `codexExecWrite` at both ends.
    `flags` lists every feature flag (camelCase) the mode needs.
    """

    id: str
    label: str
    writes: bool
    flags: tuple[str, ...] = attrs.field(converter=tuple)
    build_command: Callable[[CodexRun], list[str]] = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class StorageBackendSpec:
    """A named persistence backend for the relay's metadata."""

    name: str
    open: Callable[[Path], "Store"] = attrs.field(eq=False, repr=False)  # data dir -> open store


@attrs.frozen
class Contribution:
    """An item returned by a hook, tagged with the plugin that gave it."""

    item: object
    plugin: str
