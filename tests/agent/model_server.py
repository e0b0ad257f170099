"""A scripted Responses-API model server on loopback: the test double for Codex's model.

Codex (configured per PRODUCT.md "Codex CLI facts") POSTs `/v1/responses` and reads SSE events.
Each request takes the next scripted turn (an assistant message, an `exec_command` call such as a
slow `sleep`, or an apply_patch heredoc that Codex makes a file change of); when the script is empty
it answers with a plain message. Every request body is recorded (what the model received).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DEFAULT_REPLY = "Done."


def message(text: str) -> dict:
    return {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": text, "annotations": []}]}


def exec_command(cmd: str) -> dict:
    """A function call asking Codex to run `cmd` (its call_id is filled in when sent)."""
    return {"type": "function_call", "name": "exec_command", "arguments": json.dumps({"cmd": cmd, "login": False})}


def mcp_tool_call(server: str, tool: str) -> dict:
    """A call of an MCP server's tool (Codex offers each server's tools in a namespace `mcp__SERVER`)."""
    return {"type": "function_call", "name": tool, "namespace": f"mcp__{server}", "arguments": "{}"}


def slow(turn: dict, seconds: float) -> dict:
    """`turn`, answered only after `seconds` (a model that thinks long, or stalls)."""
    return {**turn, "delay": seconds}


def add_file(path: str, text: str) -> dict:
    """An `exec_command` whose cmd is an apply_patch heredoc adding `path`: Codex turns it into a file change."""
    body = "".join(f"+{line}\n" for line in text.splitlines())
    return exec_command(f"apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: {path}\n{body}*** End Patch\nEOF\n")


class ModelServer:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self._turns: list[dict] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> "ModelServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(self, *turns: dict) -> None:
        """Queue the replies of the next requests, one turn each."""
        with self._lock:
            self._turns.extend(turns)

    def reset(self) -> None:
        with self._lock:
            self._turns.clear()
            self.requests.clear()

    def texts(self) -> list[str]:
        """Every input text of every recorded request (user, developer and tool output)."""
        found = []
        for body in self.requests:
            for item in body.get("input", []):
                if item.get("type") == "function_call_output":
                    found.append(str(item.get("output")))
                for part in item.get("content") or []:
                    if isinstance(part, dict) and "text" in part:
                        found.append(part["text"])
        return found

    def user_texts(self, request: dict) -> list[str]:
        return [
            part["text"]
            for item in request.get("input", [])
            if item.get("type") == "message" and item.get("role") == "user"
            for part in item.get("content") or []
            if part.get("type") == "input_text"
        ]

    def write_codex_home(self, home: Path) -> Path:
        """A CODEX_HOME whose config points Codex at this server, offline."""
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.toml").write_text(
            'model = "mock-model"\n'
            'model_provider = "mock"\n'
            "[model_providers.mock]\n"
            'name = "mock"\n'
            f'base_url = "{self.base_url}"\n'
            'wire_api = "responses"\n'
            "request_max_retries = 0\n"
            "stream_max_retries = 0\n",
            encoding="utf-8",
        )
        return home

    # --- serving -------------------------------------------------------------------------

    def _next_turn(self, body: dict) -> dict:
        with self._lock:
            self.requests.append(body)
            turn = self._turns.pop(0) if self._turns else message(DEFAULT_REPLY)
            number = next(self._ids)
        turn = dict(turn)
        if turn["type"] == "function_call":
            turn.setdefault("call_id", f"call_{number}")
        turn.setdefault("id", f"item_{number}")
        return {"response_id": f"resp_{number}", "item": turn, "delay": turn.get("delay", 0)}

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"unparsed": raw.decode("utf-8", "replace")}
                if not self.path.endswith("/responses"):
                    self.send_response(404)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                turn = server._next_turn(body)
                if turn["item"].pop("delay", None):
                    time.sleep(turn["delay"])
                rid = turn["response_id"]
                usage = {
                    "input_tokens": 10, "input_tokens_details": {"cached_tokens": 0},
                    "output_tokens": 5, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 15,
                }  # fmt: skip
                events = [
                    ("response.created", {"type": "response.created", "response": {"id": rid}}),
                    ("response.output_item.done", {"type": "response.output_item.done", "item": turn["item"]}),
                    ("response.completed", {"type": "response.completed", "response": {"id": rid, "usage": usage}}),
                ]
                payload = b"".join(
                    f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events
                )
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):  # e.g. /v1/models: nothing to list
                body = b'{"data": [], "models": []}'
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
