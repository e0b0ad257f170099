"""snake_case attribute names and the camelCase keys of config files and the wire, in one place.

Config keys (`listenPort`), feature flags (`codexExecWrite`) and record fields on disk and on the
wire (`sessionIdHash`) all follow the reference's camelCase; our attrs classes use snake_case.
"""

from __future__ import annotations

import re

_CAPITAL = re.compile(r"(?<!^)(?=[A-Z])")


def to_camel(name: str) -> str:
    """`session_id_hash` -> `sessionIdHash`."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def to_snake(name: str) -> str:
    """`sessionIdHash` -> `session_id_hash`."""
    return _CAPITAL.sub("_", name).lower()
