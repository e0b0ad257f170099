"""JSON-RPC over a child's stdio: one JSON object per line, requests matched to replies by id.

A reader thread parses every line the server writes. A reply completes the call waiting for its
id; a notification or a server request (it has both `method` and `id`) goes to `incoming`, a
queue the turn reads. Codex's ids restart in every process, so a server request's id is only
meaningful for replying on this same connection. A second thread keeps the tail of stderr, for a
`codex-crashed` report. Every message we send is kept in `sent` when asked (the schema canary).
"""

from __future__ import annotations

import itertools
import json
import queue
import threading
from typing import IO, Any

import attrs

STDERR_TAIL_BYTES = 4000
MAX_LINE_BYTES = 8 * 1024 * 1024  # a whole diff can travel in one line


class RpcError(Exception):
    """The server answered a request with an error (`code`, `message`), or the call could not finish."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


class ConnectionClosed(RpcError):
    """The server's stdout ended: it exited or crashed."""


@attrs.frozen
class Incoming:
    """A notification (`request_id` None) or a server request (reply with `respond`/`refuse`)."""

    method: str
    params: Any
    request_id: Any = None

    @property
    def is_request(self) -> bool:
        return self.request_id is not None


CLOSED = Incoming("", None)  # put on `incoming` when the server's stdout ends


class _Call:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Any = None
        self.error: RpcError | None = None


class RpcConnection:
    def __init__(self, stdin: IO[bytes], stdout: IO[bytes], stderr: IO[bytes] | None, *, record: list | None = None):
        self._stdin = stdin
        self._stdout = stdout
        self._write_lock = threading.Lock()
        self._calls: dict[int, _Call] = {}
        self._calls_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._stderr = bytearray()
        self.closed = threading.Event()
        self.incoming: queue.Queue[Incoming] = queue.Queue()
        self.sent = record
        threading.Thread(target=self._read, name="app-server-out", daemon=True).start()
        if stderr is not None:
            threading.Thread(target=self._drain, args=(stderr,), name="app-server-err", daemon=True).start()

    # --- sending ---------------------------------------------------------------------------------

    def request(self, method: str, params: Any, *, timeout: float) -> Any:
        """Send a request and wait up to `timeout` s for its reply; RpcError on error or timeout."""
        call_id = next(self._ids)
        call = _Call()
        with self._calls_lock:
            self._calls[call_id] = call
        try:
            self._send({"id": call_id, "method": method, "params": params})
            if not call.done.wait(timeout):
                raise RpcError(f"{method}: no reply within {timeout:g} s")
        finally:
            with self._calls_lock:
                self._calls.pop(call_id, None)
        if call.error is not None:
            raise call.error
        return call.result

    def notify(self, method: str, params: Any = None) -> None:
        message = {"method": method} if params is None else {"method": method, "params": params}
        self._send(message)

    def respond(self, request_id: Any, result: Any) -> None:
        self._send({"id": request_id, "result": result})

    def refuse(self, request_id: Any, message: str, code: int = -32601) -> None:
        self._send({"id": request_id, "error": {"code": code, "message": message}})

    def _send(self, message: dict) -> None:
        if self.closed.is_set():
            raise ConnectionClosed("the app-server has exited")
        line = (json.dumps(message, separators=(",", ":")) + "\n").encode("utf-8")
        with self._write_lock:
            if self.sent is not None:
                self.sent.append(message)
            try:
                self._stdin.write(line)
                self._stdin.flush()
            except (BrokenPipeError, ValueError, OSError):
                raise ConnectionClosed("the app-server has exited") from None

    # --- receiving -------------------------------------------------------------------------------

    def _read(self) -> None:
        try:
            for raw in iter(lambda: self._stdout.readline(MAX_LINE_BYTES), b""):
                try:
                    message = json.loads(raw)
                except ValueError:
                    continue  # not ours to understand (a stray log line)
                if isinstance(message, dict):
                    self._dispatch(message)
        except (OSError, ValueError):
            pass
        finally:
            self.closed.set()
            with self._calls_lock:
                calls = list(self._calls.values())
            for call in calls:
                call.error = ConnectionClosed("the app-server exited before it answered")
                call.done.set()
            self.incoming.put(CLOSED)

    def _dispatch(self, message: dict) -> None:
        method = message.get("method")
        if isinstance(method, str):
            self.incoming.put(Incoming(method, message.get("params"), message.get("id")))
            return
        with self._calls_lock:
            call = self._calls.get(message.get("id"))
        if call is None:
            return  # a late reply to a call that timed out
        error = message.get("error")
        if isinstance(error, dict):
            call.error = RpcError(str(error.get("message") or "error"), error.get("code"))
        else:
            call.result = message.get("result")
        call.done.set()

    def _drain(self, stderr: IO[bytes]) -> None:
        try:
            for chunk in iter(lambda: stderr.read1(4096) if hasattr(stderr, "read1") else stderr.read(4096), b""):
                self._stderr += chunk
                del self._stderr[:-STDERR_TAIL_BYTES]
        except (OSError, ValueError):
            pass

    def stderr_tail(self) -> str:
        return bytes(self._stderr).decode("utf-8", "replace")
