"""The agent's private files in stateDir (a 0700 directory): each a 0600 JSON file, saved atomically.

A save writes a temp file (mkstemp: mode 0600), fsyncs it, renames it over the old one and fsyncs the
directory, so a crash leaves the old file or the new one whole, never half of each. The token
(token_store.py), the trusted passkeys (trust_store.py) and the seen intent ids (intent_check.py) use it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def ensure_private_dir(state_dir: Path) -> None:
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(state_dir, 0o700)


def write_private_json(state_dir: Path, name: str, data: Any) -> None:
    """Replace `state_dir/name` with `data` as JSON (0600); OSError when it cannot be written."""
    state_dir = Path(state_dir)
    ensure_private_dir(state_dir)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=state_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, state_dir / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(state_dir, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a crash
    finally:
        os.close(dir_fd)


def read_json(path: Path) -> Any:
    """The file's JSON, or None when it is missing or not JSON."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
