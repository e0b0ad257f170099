"""Writing files the CLI creates: atomically, private, never silently over an existing one."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .exit_codes import CommandFailed


def write_private_json(path: Path, data: dict, *, force: bool = False) -> None:
    """Write `data` as JSON to `path` with mode 0600; refuse to replace a file unless `force`."""
    path = Path(path)
    if path.exists() and not force:
        raise CommandFailed(f"{path} already exists; keep it, choose --output, or pass --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
