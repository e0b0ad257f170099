"""Reading the body of a change to one's notification preferences."""

from __future__ import annotations

from mobile_codex.core.notifications import CHOOSABLE_KINDS

from ..errors import invalid_field
from ..fields import obj


def preference_kinds(body: dict) -> dict[str, bool]:
    """`{kinds: {kind: bool}}`: only choosable kinds, each true or false (400 `invalid-field` else)."""
    kinds = obj(body, "kinds")
    if kinds is None:
        raise invalid_field("kinds")
    for kind, wanted in kinds.items():
        if kind not in CHOOSABLE_KINDS or not isinstance(wanted, bool):
            raise invalid_field("kinds")
    return dict(kinds)
