"""Finding the `codex` binary and its version; without one the agent still runs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import attrs

from mobile_codex.core.child_env import child_environment

VERSION_TIMEOUT_SEC = 20


@attrs.frozen
class CodexBinary:
    path: str | None  # absolute path, None when not installed
    version: str = ""

    @property
    def available(self) -> bool:
        return self.path is not None


def find_codex(binary: str, env: dict[str, str] | None = None) -> CodexBinary:
    """Resolve `binary` (a name on PATH or a path) and ask it for its version."""
    env = child_environment() if env is None else env
    path = shutil.which(binary, path=env.get("PATH")) if "/" not in binary else (binary if Path(binary).is_file() else None)
    if path is None:
        return CodexBinary(None)
    try:
        done = subprocess.run(
            [path, "--version"], stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env,
            timeout=VERSION_TIMEOUT_SEC,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return CodexBinary(None)
    match = re.search(r"\d+\.\d+\.\d+\S*", done.stdout)
    return CodexBinary(str(Path(path).absolute()), match.group(0) if match else done.stdout.strip()[:80])
