"""A session's conversation, read from its rollout JSONL file.

Lines `{"type":"response_item","payload":{"type":"message","role":...,"content":[...]}}` carry
the conversation. Developer messages and user messages that are context Codex injected (the
`<environment_context>` block, AGENTS.md instructions...) are not what the person typed: skipped.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import attrs

MAX_READ_BYTES = 16 * 1024 * 1024  # a huge rollout is read from its last 16 MiB
_INJECTED_PREFIXES = ("# AGENTS.md instructions", "<INSTRUCTIONS>")
# A message that starts with the opening tag of a block Codex injects (`<environment_context>`,
# `<user_instructions>`, ...: lowercase words joined by `_`) is context, whatever follows it —
# the block may be cut short or followed by more text. A person's `<b>` or `<div>` is not such a tag.
_BLOCK_OPENING = re.compile(r"<[a-z]+(?:_[a-z]+)+>")
# A message that is one whole `<some block>…</some block>` (Codex also names a few with a space).
_CONTEXT_BLOCK = re.compile(r"\s*<([a-z]+(?:[_ ][a-z]+)+)>.*</\1>\s*", re.DOTALL)


@attrs.frozen
class Message:
    role: str  # "user" | "assistant"
    text: str
    timestamp: str


def is_injected_context(text: str) -> bool:
    stripped = text.lstrip()
    return (
        stripped.startswith(_INJECTED_PREFIXES)
        or _BLOCK_OPENING.match(stripped) is not None
        or _CONTEXT_BLOCK.fullmatch(text) is not None
    )


def read_messages(path: str | Path) -> list[Message]:
    """User and assistant messages in order; [] when the file cannot be read."""
    try:
        with open(path, "rb") as stream:
            size = stream.seek(0, os.SEEK_END)
            start = max(0, size - MAX_READ_BYTES)
            stream.seek(start)
            data = stream.read()
    except OSError:
        return []
    lines = data.split(b"\n")
    if start > 0:
        lines = lines[1:]  # the first line is cut
    messages = []
    for raw in lines:
        message = _message(raw)
        if message is not None:
            messages.append(message)
    return messages


def _message(raw: bytes) -> Message | None:
    if b'"response_item"' not in raw:
        return None
    try:
        line = json.loads(raw)
    except (ValueError, RecursionError):  # not JSON, or nested too deep to parse
        return None
    if not isinstance(line, dict):  # a stray array, number or string is not a rollout item
        return None
    payload = line.get("payload")
    if line.get("type") != "response_item" or not isinstance(payload, dict) or payload.get("type") != "message":
        return None
    role = payload.get("role")
    if role not in ("user", "assistant"):
        return None
    parts = payload.get("content") if isinstance(payload.get("content"), list) else []
    text = "\n".join(
        str(p.get("text", "")) for p in parts if isinstance(p, dict) and p.get("type") in ("input_text", "output_text", "text")
    ).strip()
    if not text or (role == "user" and is_injected_context(text)):
        return None
    return Message(role=role, text=text, timestamp=str(line.get("timestamp") or ""))
