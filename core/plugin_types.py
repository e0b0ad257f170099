"""The values plugins hand to the core through hooks: small frozen classes, never dicts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

import attrs

from .task_catalog import TurnRules, turn_rules_problem

if TYPE_CHECKING:
    from .notifications import NotificationEvent
    from .config.relay import StorageConfig, VolatileConfig
    from .store import Store
    from .volatile_store import VolatileStore

# Where a plugin's config model applies (ConfigModelSpec.section).
OWN_SECTION = "plugin"  # `plugins.config.<distribution>`: the plugin's own section
KIND_SECTIONS = ("logSources", "storage")  # shared sections whose entries come in kinds plugins add


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


@attrs.frozen
class Finding:
    """A secret a text filter found: `text[start:end]` is it, `kind` says what it is ("Private Key")."""

    start: int
    end: int
    kind: str


TEXT_FILTER_PLACES = ("output", "item", "request", "diff", "summary", "error", "result", "session")


@attrs.frozen(kw_only=True)
class TextFilterSpec:
    """A filter over every text the agent sends: `find(text, where)` returns the Findings in it.

    `where` is one of TEXT_FILTER_PLACES (what the text is); `text` is whole lines, except that a
    text the agent cuts to a budget may end mid-line. `find` must not change anything: the agent
    does the replacing, the allowlist and the counting. Raising withholds the text.
    """

    id: str
    label: str
    find: Callable[[str, str], "list[Finding]"] = attrs.field(eq=False, repr=False)


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
    """How a codex_exec task runs: one `codex exec` command line, or a turn of a conversation.

    A *command-line* mode gives `build_command`. An *interactive* mode gives `turn` instead (the
    sandbox and approval policy each turn runs with, from `task_catalog.TURN_SANDBOXES` and
    `TURN_APPROVAL_POLICIES`), and may fix `model` and `effort` (reasoning effort); the agent drives
    it over `codex app-server`. A mode that does not write must use approval policy `never`.

    `writes` means the mode may change the workspace and so needs `codexExecWrite` at both ends;
    for an interactive mode it must say what its sandbox does. `flags` lists every feature flag
    (camelCase) the mode needs.
    """

    id: str
    label: str
    writes: bool
    flags: tuple[str, ...] = attrs.field(converter=tuple)
    build_command: Callable[[CodexRun], list[str]] | None = attrs.field(default=None, eq=False, repr=False)
    turn: "TurnRules | None" = None
    model: str = ""
    effort: str = ""

    @property
    def interactive(self) -> bool:
        return self.turn is not None

    @property
    def writes_unasked(self) -> bool:
        """It may change the workspace without a person approving each step (`codex.writeOnlySupervised`
        refuses such modes)."""
        return self.writes and not (self.turn is not None and self.turn.supervised)

    def __attrs_post_init__(self) -> None:
        if (self.build_command is None) == (self.turn is None):
            raise ValueError(f"exec mode {self.id!r}: give either build_command (codex exec) or turn (interactive), not both")
        if self.turn is not None:
            problem = turn_rules_problem(self.turn)
            if problem:
                raise ValueError(f"exec mode {self.id!r}: {problem}")
            if self.writes != self.turn.writes:
                raise ValueError(f"exec mode {self.id!r}: writes must be {self.turn.writes} for sandbox {self.turn.sandbox!r}")
        elif self.model or self.effort:
            raise ValueError(f"exec mode {self.id!r}: model and effort are for interactive modes (a command line sets its own)")


@attrs.frozen(kw_only=True)
class StorageBackendSpec:
    """A named persistence backend for the relay's metadata.

    `open` receives the relay's `storage` section (`StorageConfig`: `backend`, `data_dir`, and
    `settings`, the instance of the model the backend declared with `register_config_models`)
    and returns an open `Store`.
    """

    name: str
    open: Callable[["StorageConfig"], "Store"] = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class VolatileBackendSpec:
    """A named backend of the shared volatile store (core/volatile_store.py).

    `open` receives the relay's `volatile` section (`VolatileConfig`) and returns an open
    `VolatileStore`, or raises `VolatileStoreRefused` saying why it must not be used.
    """

    name: str
    open: Callable[["VolatileConfig"], "VolatileStore"] = attrs.field(eq=False, repr=False)


def _section(spec: "ConfigModelSpec", attribute, value: str) -> None:
    if value != OWN_SECTION and value not in KIND_SECTIONS:
        raise ValueError(f"section must be {OWN_SECTION!r} or one of {', '.join(KIND_SECTIONS)}, got {value!r}")


def _config_model(spec: "ConfigModelSpec", attribute, value: type) -> None:
    if not (isinstance(value, type) and attrs.has(value)):
        raise ValueError(f"model must be an attrs class of core.config.schema settings, got {value!r}")


@attrs.frozen(kw_only=True)
class ConfigModelSpec:
    """A config model a plugin checks its part of a config file with, and where that part is.

    `model` is an attrs class whose fields are `core.config.schema.setting(...)`, like the core's
    own config models. `section` says which part of the file it checks:

    - `"plugin"`: the plugin's own section, `plugins.config.<distribution>` (PEP 503 name);
    - `"logSources"`: one entry `{id: {...}}` of the agent's `logSources`, of the kind whose
      `kind` key it has (`"unit"`: a journal source); `label` says what that kind is, for messages;
    - `"storage"`: the keys beside `backend` in the relay's `storage` object, when `backend` is
      `kind` (the name of a storage backend this plugin registers).
    """

    model: type = attrs.field(validator=_config_model)
    section: str = attrs.field(default=OWN_SECTION, validator=_section)
    kind: str = ""
    label: str = ""

    def __attrs_post_init__(self) -> None:
        if (self.section == OWN_SECTION) == bool(self.kind):
            raise ValueError(f"kind must be {'empty' if self.section == OWN_SECTION else 'set'} for section {self.section!r}")


@attrs.frozen(kw_only=True)
class NotifierSpec:
    """A channel the relay hands every `NotificationEvent` to (core/notifications.py).

    `deliver(event)` sends it (to whom is the channel's business: Web Push to each recipient's
    devices, Apprise to its operator's URLs) and returns, or raises `DeliveryFailed` (with
    `retry_after` for a 429 or 5xx). It runs on the relay's notification workers, never on a request
    thread, and is abandoned after `timeout_sec`. `close()` is called when the relay stops.
    """

    id: str
    label: str
    deliver: Callable[["NotificationEvent"], None] = attrs.field(eq=False, repr=False)
    timeout_sec: float = 10.0
    close: Callable[[], None] = attrs.field(default=lambda: None, eq=False, repr=False)


@attrs.frozen
class Contribution:
    """An item returned by a hook, tagged with the plugin that gave it."""

    item: object
    plugin: str
