"""Codex's thread items as API.md's conversation `items[]` (userMessage, agentMessage, command, fileChange, notice).

Codex streams an item as `item/started`, deltas, then `item/completed` with its final form. The
phone gets the latest form under the same `itemId` every time (the channel keeps only the newest of
one id while queued). Item kinds the phone has no use for (reasoning, web search…) are left out.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from mobile_codex.core.interactive import COMMAND_BYTES, CWD_BYTES, ITEM_ID, ITEM_OUTPUT_BYTES, ITEM_STATUSES
from mobile_codex.core.text import clamp_head

from ...redaction import clamp_head_words, clamp_tail_words

TEXT_BYTES = 16000  # one message's text; all of a task's items share API.md's 64 KiB


def item_id(codex_id: object) -> str:
    """Codex's item id when it fits API.md's pattern, else a stable short hash of it."""
    text = str(codex_id or "")
    if ITEM_ID.fullmatch(text):
        return text
    return "i" + hashlib.sha256(text.encode()).hexdigest()[:32]


def relative(path: str, cwd: str) -> str:
    """`path` relative to the turn's cwd when it lies under it (what the phone shows)."""
    if cwd and path.rstrip("/") == cwd.rstrip("/"):
        return "."
    if cwd and path.startswith(cwd.rstrip("/") + "/"):
        return os.path.relpath(path, cwd)
    return path


def diff_stats(kind: str, diff: str) -> tuple[int, int]:
    """Lines added and removed. An added file's `diff` is its content; others are unified hunks."""
    lines = diff.splitlines()
    if kind == "add":
        return len(lines), 0
    if kind == "delete" and not any(line.startswith(("@@", "+++", "---")) for line in lines):
        return 0, len(lines)
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    return added, removed


def changes_of(item: dict, cwd: str) -> list[dict]:
    """A fileChange item's changes as `{path, kind, movePath, diff}` (paths relative to cwd)."""
    found = []
    for change in item.get("changes") or []:
        if not isinstance(change, dict):
            continue
        kind_info = change.get("kind") if isinstance(change.get("kind"), dict) else {"type": change.get("kind")}
        kind = kind_info.get("type") if kind_info.get("type") in ("add", "update", "delete") else "update"
        move = kind_info.get("move_path") or kind_info.get("movePath")
        found.append({
            "path": relative(str(change.get("path") or ""), cwd), "kind": kind,
            "movePath": relative(str(move), cwd) if move else None, "diff": str(change.get("diff") or ""),
        })  # fmt: skip
    return found


def user_text(item: dict) -> str:
    return "".join(part.get("text", "") for part in item.get("content") or [] if isinstance(part, dict))


def phone_item(item: dict, *, at: str, cwd: str, output: str | None = None) -> dict | None:
    """The API.md item for a Codex item, or None for kinds the phone does not show.

    `output` is the command output gathered from deltas while the command still runs.
    """
    kind = item.get("type")
    status = item.get("status") if item.get("status") in ITEM_STATUSES else None
    base: dict[str, Any] = {"itemId": item_id(item.get("id")), "at": at}
    if kind == "userMessage":
        return {**base, "type": "userMessage", "text": clamp_head_words(user_text(item), TEXT_BYTES), "status": "completed"}
    if kind == "agentMessage":
        return {**base, "type": "agentMessage", "text": clamp_head_words(str(item.get("text") or ""), TEXT_BYTES),
                "status": status or "completed"}  # fmt: skip
    if kind == "commandExecution":
        text = item.get("aggregatedOutput")
        return {
            **base, "type": "command", "command": clamp_head_words(str(item.get("command") or ""), COMMAND_BYTES),
            "cwd": clamp_head(relative(str(item.get("cwd") or ""), cwd) or ".", CWD_BYTES),
            "exitCode": item.get("exitCode"), "status": status or "inProgress",
            "output": clamp_tail_words(text if isinstance(text, str) else (output or ""), ITEM_OUTPUT_BYTES),
        }  # fmt: skip
    if kind == "fileChange":
        changes = []
        for change in changes_of(item, cwd):
            added, removed = diff_stats(change["kind"], change["diff"])
            changes.append({"path": change["path"], "kind": change["kind"], "movePath": change["movePath"],
                            "added": added, "removed": removed})  # fmt: skip
        return {**base, "type": "fileChange", "changes": changes[:50], "status": status or "inProgress"}
    return None


def notice(notice_id: str, text: str, *, at: str) -> dict:
    return {"itemId": notice_id, "type": "notice", "text": clamp_head(text, TEXT_BYTES), "status": "completed", "at": at}


def steer_item(steer_id: str, text: str, *, at: str) -> dict:
    return {"itemId": item_id(f"steer-{steer_id}"), "type": "steer", "text": clamp_head(text, TEXT_BYTES),
            "status": "completed", "at": at}  # fmt: skip
