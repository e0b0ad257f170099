"""A secret a config names but does not hold: a password in an environment variable or a file.

Storage and volatile-store backends read their passwords the same way, so an operator's file
(first line, the newline after it dropped) means the same thing to each.
"""

from __future__ import annotations

import os
from pathlib import Path


def read_secret(key: str, env_name: str, file: Path | str | None) -> str | None:
    """The value of the variable `env_name`, else the first line of `file`, else None.

    ValueError (its message names `key`, e.g. `storage`) when the one named cannot be read."""
    if env_name:
        value = os.environ.get(env_name)
        if value is None:
            raise ValueError(f"{key}.passwordEnv: the environment variable {env_name} is not set")
        return value
    if file:
        try:
            return Path(file).read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else "it is empty"
            raise ValueError(f"{key}.passwordFile: cannot read a password from {file}: {why}") from None
    return None
