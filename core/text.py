"""Text within a byte budget: API.md counts sizes in UTF-8 bytes, and a cut never splits a character.

The relay clamps fields to their budgets and the agent splits output into updates with the same
functions, so both ends agree on what "at most N bytes" means.
"""

from __future__ import annotations


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def split_head(text: str, budget: int) -> tuple[str, str]:
    """(the first at most `budget` bytes, the rest): `head + rest == text`."""
    raw = text.encode("utf-8")
    if len(raw) <= budget:
        return text, ""
    head = raw[: max(0, budget)].decode("utf-8", "ignore")
    return head, text[len(head) :]


def clamp_head(text: str, budget: int) -> str:
    """At most `budget` UTF-8 bytes from the start."""
    return split_head(text, budget)[0]


def clamp_tail(text: str, budget: int) -> str:
    """At most `budget` UTF-8 bytes from the end."""
    raw = text.encode("utf-8")
    return text if len(raw) <= budget else raw[len(raw) - max(0, budget) :].decode("utf-8", "ignore")
