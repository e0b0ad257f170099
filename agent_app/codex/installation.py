"""One agent's Codex: the binary, its home (CODEX_HOME) and the sessions the phone may use."""

from __future__ import annotations

from pathlib import Path

import attrs

from mobile_codex.core.child_env import child_environment
from mobile_codex.core.config.agent import CodexConfig

from ..errors import TaskFailed
from .binary import CodexBinary
from .sessions import CodexSessions


@attrs.frozen
class Codex:
    binary: CodexBinary
    home: Path
    config: CodexConfig
    sessions: CodexSessions

    def env(self) -> dict[str, str]:
        """A child's environment: the allowlist, with CODEX_HOME pinned to the agent's."""
        return child_environment(CODEX_HOME=str(self.home))

    def require_binary(self) -> str:
        if not self.binary.available:
            raise TaskFailed("codex-not-installed", f"no {self.config.binary!r} found on this server")
        return self.binary.path
