"""The agent's config model: every key of PRODUCT.md's agent table with its default and range.

`logSources` entries and `plugins.config` are the plugins' to check (core/config/plugin_sections.py):
the file and journal kinds live in plugins/logs/.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import attrs
import platformdirs

from .. import intents
from ..features import FeatureFlags
from ..identity import AGENT_ID_EXPECTED, AGENT_ID_PATTERN, APP_DIR_NAME
from .common import PluginsConfig, features
from .schema import (
    Invalid, boolean, choice, http_url, integer, label_defaults_to_id, mapping_of, path, plugin_owned, section, setting, string,
    string_list,
)  # fmt: skip

ITEM_ID_PATTERN = r"[A-Za-z0-9._-]{1,80}"  # action and log source ids (API.md budget: 80)
ITEM_ID_EXPECTED = "1 to 80 characters from A-Z a-z 0-9 . _ -"
RP_ID_PATTERN = r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?"


@attrs.frozen(kw_only=True)
class ActionConfig:
    """An argv action: run `argv` (no shell) in `cwd` (relative to workspaceRoot)."""

    label: str = setting("", string(non_empty=True))
    cwd: str = setting(".", string(non_empty=True))
    argv: tuple[str, ...] = setting(parse=string_list(non_empty=True))
    timeout_sec: int = setting(300, integer(1, 86400))

    finish = staticmethod(label_defaults_to_id)


@attrs.frozen(kw_only=True)
class CodexConfig:
    IGNORED_KEYS = ("writeModeDefaultsToOff",)  # the reference's; write mode is the feature flag

    model: str = setting("", string())
    extra_args: tuple[str, ...] = setting((), string_list())
    session_list_limit: int = setting(12, integer(1, 20))
    session_catalog_ttl_ms: int = setting(30000, integer(5000, 300000))
    session_read_message_limit: int = setting(24, integer(4, 80))
    home_dir: Path | None = setting(None, path(empty_is_none=True))  # absent or "": $CODEX_HOME or ~/.codex
    binary: str = setting("codex", string(non_empty=True))
    # Interactive turns (API.md "Interactive Codex"): writes only where a person approves each step,
    # and the models / reasoning efforts the phone may pick for a conversation ("" = Codex's default).
    write_only_supervised: bool = setting(False, boolean)
    conversation_models: tuple[str, ...] = setting((), string_list(item=string(
        pattern=r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}", expected="a model name of 1 to 80 characters from A-Z a-z 0-9 . _ : / -")))
    conversation_efforts: tuple[str, ...] = setting((), string_list(item=string(pattern=r"[a-z]{1,20}", expected="a reasoning effort such as low, medium, high")))

    @staticmethod
    def finish(values, ctx, **_):
        binary = values.get("binary", "codex")
        if "/" in binary and not Path(binary).is_absolute():
            values["binary"] = str((ctx.base_dir / binary).resolve())
        return []


def regex(value, ctx, key, issues):
    try:
        re.compile(value)
    except re.error as err:
        raise Invalid(f"expected a regular expression, got {value!r}: {err}") from None
    return value


@attrs.frozen(kw_only=True)
class RedactionConfig:
    """Secrets never leave the server: the text filters every outbound text passes (docs/security.md)."""

    enabled: bool = setting(True, boolean)
    # A finding whose text matches one of these (re.search) is let through, e.g. a known test key.
    allowlist: tuple[str, ...] = setting((), string_list(item=regex))


@attrs.frozen(kw_only=True)
class AgentConfig:
    relay_base_url: str = setting(parse=http_url())
    agent_id: str = setting(parse=string(pattern=AGENT_ID_PATTERN, expected=AGENT_ID_EXPECTED))
    agent_label: str = setting("", string(non_empty=True))
    state_dir: Path = setting(None, path())
    workspace_root: Path = setting(parse=path())  # existence is checked when the agent starts
    poll_interval_ms: int = setting(2500, integer(250, 60000))
    max_task_log_bytes: int = setting(12000, integer(1024, 524288))
    features: FeatureFlags = setting(FeatureFlags(), features)
    actions: dict = setting(factory=dict, parse=mapping_of(lambda _: ActionConfig, id_pattern=ITEM_ID_PATTERN, id_expected=ITEM_ID_EXPECTED))
    # {id: entry}; each entry is checked by the model of its kind, from a log-source plugin.
    log_sources: dict = setting(factory=dict, parse=plugin_owned)
    codex: CodexConfig = setting(CodexConfig(), section(CodexConfig))
    plugins: PluginsConfig = setting(PluginsConfig(), section(PluginsConfig))
    max_concurrent_tasks: int = setting(2, integer(1, 8))
    long_poll_ms: int = setting(20000, integer(0, 25000))
    approval_timeout_sec: int = setting(900, integer(30, 86400))
    turn_stall_sec: int = setting(600, integer(30, 86400))
    # Signed intents (issue 20, core/intents.py): which tasks need a person's passkey signature, and the
    # WebAuthn origin and RP id those signatures must name, pinned here, never taken from the relay.
    require_signed_intents: str = setting(intents.OFF, choice(*intents.SETTINGS))
    webauthn_origin: str = setting("", http_url(origin_only=True))
    webauthn_rp_id: str = setting("", string(pattern=RP_ID_PATTERN, expected="a host name such as example.com"))
    redaction: RedactionConfig = setting(RedactionConfig(), section(RedactionConfig))

    @staticmethod
    def finish(values, ctx, **_):
        values.setdefault("agent_label", values["agent_id"])
        values.setdefault("state_dir", Path(platformdirs.user_state_dir(APP_DIR_NAME)) / "agent")
        origin = values.get("webauthn_origin", "")
        if values.get("require_signed_intents", intents.OFF) != intents.OFF and not origin:
            return [("webauthnOrigin", "required when requireSignedIntents is writes or all: the phone's origin "
                                       "(the relay's publicOrigin), which every signature must name")]  # fmt: skip
        if origin and not values.get("webauthn_rp_id"):
            values["webauthn_rp_id"] = urlsplit(origin).hostname or ""
        return []


AGENT_MARKER_KEYS = frozenset({"relayBaseUrl", "agentId", "workspaceRoot"})
