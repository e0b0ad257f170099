"""`codex exec --json` prints JSONL events; the phone gets readable text instead.

Agent messages as paragraphs, each command as `$ command`, its output and its exit code. The
thread id and the last agent message (the run's summary) are kept for the final update.
"""

from __future__ import annotations

import json

OUTPUT_PER_COMMAND = 4000  # characters of one command's output shown (its tail)


class EventRenderer:
    def __init__(self) -> None:
        self.thread_id: str | None = None
        self.last_message: str = ""
        self.failure: str = ""
        self._started: set[str] = set()

    def render(self, line: str) -> str:
        """The readable text for one line of Codex's stdout ("" when there is nothing to show)."""
        stripped = line.strip()
        if not stripped:
            return ""
        try:
            event = json.loads(stripped)
        except ValueError:
            return stripped + "\n"  # not an event: show it as it is
        if not isinstance(event, dict):
            return stripped + "\n"
        kind = event.get("type")
        if kind == "thread.started":
            self.thread_id = str(event.get("thread_id") or "") or None
            return ""
        if kind in ("item.started", "item.completed", "item.updated"):
            item = event.get("item") if isinstance(event.get("item"), dict) else {}
            return self._item(kind, item)
        if kind == "turn.failed":
            error = event.get("error") if isinstance(event.get("error"), dict) else {}
            self.failure = str(error.get("message") or "turn failed")
            return f"error: {self.failure}\n"
        if kind == "error":
            self.failure = str(event.get("message") or "error")
            return f"error: {self.failure}\n"
        return ""  # turn.started, turn.completed and events we do not show

    def _item(self, kind: str, item: dict) -> str:
        item_type = item.get("type")
        item_id = str(item.get("id", ""))
        if item_type == "command_execution":
            command = str(item.get("command", ""))
            if kind == "item.started":
                self._started.add(item_id)
                return f"$ {command}\n"
            if kind != "item.completed":
                return ""
            text = "" if item_id in self._started else f"$ {command}\n"
            output = str(item.get("aggregated_output") or "")
            if len(output) > OUTPUT_PER_COMMAND:
                output = "…" + output[-OUTPUT_PER_COMMAND:]
            if output:
                text += output if output.endswith("\n") else output + "\n"
            exit_code = item.get("exit_code")
            status = item.get("status")
            text += f"[exit code {exit_code}]\n" if exit_code is not None else f"[{status or 'ended'}]\n"
            return text + "\n"
        if kind != "item.completed":
            return ""
        if item_type == "agent_message":
            self.last_message = str(item.get("text") or "")
            return self.last_message + "\n\n"
        if item_type == "error":
            return f"warning: {item.get('message', '')}\n"
        if item_type == "file_change":
            changes = item.get("changes") if isinstance(item.get("changes"), list) else []
            return "".join(f"{c.get('kind', 'changed')}: {c.get('path', '?')}\n" for c in changes if isinstance(c, dict))
        if item_type == "mcp_tool_call":
            return f"tool: {item.get('server', '')}.{item.get('tool', '')} [{item.get('status', '')}]\n"
        if item_type == "web_search":
            return f"web search: {item.get('query', '')}\n"
        return ""  # reasoning, todo lists and future item types
