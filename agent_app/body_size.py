"""How many bytes a value takes in an update body, as RelayClient sends it (json.dumps defaults).

maxTaskLogBytes bounds a whole update body on the wire, so sizes here are JSON sizes: with
json.dumps' ASCII escaping a CJK character costs 6 bytes and an emoji 12, not their UTF-8 3 and 4.
Counting UTF-8 instead let a large maxTaskLogBytes of non-ASCII output overrun the relay's 1 MiB
update cap (413, and the output was lost).
"""

from __future__ import annotations

import json
from typing import Any

from mobile_codex.core.text import split_head


def encoded_size(value: Any) -> int:
    return len(json.dumps(value))


def member_overhead(name: str) -> int:
    """A body member's name, ': ' and the ', ' before the next one (a list's '[]' not included)."""
    return encoded_size(name) + 4


def split_encoded_head(text: str, budget: int) -> tuple[str, str]:
    """(head, rest) with `head + rest == text` and head's JSON string, quotes included, at most `budget` bytes."""
    head = split_head(text, max(0, budget - 2))[0]  # JSON is never shorter than UTF-8: an upper bound
    if encoded_size(head) > budget:  # escapes: the longest prefix that fits, by bisection
        low, high = 0, len(head)  # text[:low] fits, text[:high] does not
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if encoded_size(text[:middle]) <= budget else (low, middle)
        head = text[:low]
    return head, text[len(head) :]
