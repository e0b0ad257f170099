"""The environment a child process sees: an allowlist, never the agent's whole environment.

SECURITY.md's list. Used for every child the agent or a plugin starts (with `child_process.run`).
"""

from __future__ import annotations

import os
from typing import Mapping

from .identity import AGENT_TOKEN_ENV

ALLOWED_NAMES = frozenset({
    "HOME", "PATH", "USER", "LOGNAME", "SHELL", "TMPDIR", "TMP", "TEMP", "LANG", "LC_ALL", "TERM",
    "COLORTERM", "NO_COLOR", "CI", "SSH_AUTH_SOCK", "SSH_AGENT_PID", "GIT_ASKPASS", "GIT_SSH_COMMAND",
    "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "no_proxy", "all_proxy",
})  # fmt: skip
ALLOWED_PREFIXES = ("OPENAI_", "CODEX_", "GIT_", "SSH_", "XDG_")
NEVER = frozenset({AGENT_TOKEN_ENV})  # ours: a child never sees the agent's token


def allowed(name: str) -> bool:
    return name not in NEVER and (name in ALLOWED_NAMES or name.startswith(ALLOWED_PREFIXES))


def child_environment(source: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    """The allowlisted part of `source` (default os.environ), plus `extra` set by the agent itself."""
    source = os.environ if source is None else source
    env = {name: value for name, value in source.items() if allowed(name)}
    env.update(extra)
    return env
