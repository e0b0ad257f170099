"""Lines of a Codex rollout (JSONL), as Codex writes them, for the rollout and session-catalog tests."""

from __future__ import annotations

import json

# The context block Codex injects as a user message before the person's first words.
ENV = "<environment_context>\n  <cwd>/ws</cwd>\n  <shell>bash</shell>\n</environment_context>"


def item(role: str, text: str) -> str:
    """One message of `role` (user or assistant) as a rollout line."""
    kind = "output_text" if role == "assistant" else "input_text"
    return json.dumps({"timestamp": "t", "type": "response_item",
                       "payload": {"type": "message", "role": role, "content": [{"type": kind, "text": text}]}})  # fmt: skip
