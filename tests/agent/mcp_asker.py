"""A tiny stdio MCP server with one tool, `ask`, for provoking Codex's `mcpServer/elicitation/request`.

Run by Codex (an `[mcp_servers.asker]` entry in CODEX_HOME's config.toml): in a turn whose approval
policy asks, Codex asks the app-server's client to approve the tool call by MCP elicitation, a server
request our agent does not render. Every message it receives is appended to the file named by argv[1].
"""

from __future__ import annotations

import json
import sys


def send(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main(log_path: str) -> None:
    with open(log_path, "a", encoding="utf-8") as log:
        for line in sys.stdin:
            message = json.loads(line)
            log.write(line)
            log.flush()
            method, call_id = message.get("method"), message.get("id")
            if method == "initialize":
                send({"jsonrpc": "2.0", "id": call_id, "result": {
                    "protocolVersion": message["params"].get("protocolVersion", "2025-06-18"),
                    "capabilities": {"tools": {}}, "serverInfo": {"name": "asker", "version": "1"}}})  # fmt: skip
            elif method == "tools/list":
                send({"jsonrpc": "2.0", "id": call_id, "result": {"tools": [{
                    "name": "ask", "description": "asks the person", "inputSchema": {"type": "object", "properties": {}}}]}})  # fmt: skip
            elif method == "tools/call":
                send({"jsonrpc": "2.0", "id": call_id, "result": {"content": [{"type": "text", "text": "asked"}]}})
            elif method and call_id is not None:
                send({"jsonrpc": "2.0", "id": call_id, "result": {}})


if __name__ == "__main__":
    main(sys.argv[1])
