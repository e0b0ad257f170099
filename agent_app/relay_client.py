"""The agent's only way to the relay: JSON over HTTP(S) on API.md's agent endpoints (stdlib only).

A relay that cannot be reached, or answers 5xx/429, is `RelayUnavailable` (retry later); any
other 4xx is `RelayRefused` carrying the relay's error code.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
from typing import Any, Callable
from urllib.parse import urlsplit

USER_AGENT = "mobile-codex-agent/0.1"
REQUEST_TIMEOUT_SEC = 30
POLL_GRACE_SEC = 15  # on top of waitMs: a held poll is not a dead relay


class RelayUnavailable(Exception):
    """The relay could not be reached or could not answer now."""


class RelayRefused(Exception):
    def __init__(self, status: int, code: str):
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code


def open_connection(conn: http.client.HTTPConnection) -> None:
    conn.connect()


class RelayClient:
    """`connect` opens each request's connection; tests inject one that pauses, to drive races."""

    def __init__(self, base_url: str, token: str | None = None, *,
                 connect: Callable[[http.client.HTTPConnection], None] = open_connection):  # fmt: skip
        parts = urlsplit(base_url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")
        self._lock = threading.Lock()
        self._token = token
        self._poll_conn: http.client.HTTPConnection | None = None
        self._connect = connect

    @property
    def token(self) -> str | None:
        with self._lock:
            return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        with self._lock:
            self._token = value

    # --- API.md agent endpoints ----------------------------------------------------------

    def pair(self, body: dict) -> dict:
        return self._post("/api/agent/pair", body, auth=False)

    def pair_status(self, request_id: str, request_token: str) -> dict:
        return self._post("/api/agent/pair/status", {"requestId": request_id, "requestToken": request_token}, auth=False)

    def poll(self, body: dict) -> dict:
        timeout = body.get("waitMs", 0) / 1000 + POLL_GRACE_SEC
        return self._post("/api/agent/poll", body, timeout=timeout, interruptible=True)

    def update(self, task_id: str, body: dict) -> dict:
        return self._post(f"/api/agent/tasks/{task_id}/update", body)

    def interrupt_poll(self) -> None:
        """Abort a poll in flight (from another thread); that poll raises RelayUnavailable."""
        with self._lock:
            conn = self._poll_conn
        if conn is not None and conn.sock is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    # --- HTTP ----------------------------------------------------------------------------

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        if self._https:
            return http.client.HTTPSConnection(self._host, self._port, timeout=timeout, context=ssl.create_default_context())
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout)

    def _post(self, path: str, body: dict, *, auth: bool = True, timeout: float = REQUEST_TIMEOUT_SEC,
              interruptible: bool = False) -> dict[str, Any]:  # fmt: skip
        headers = {"content-type": "application/json", "accept": "application/json", "user-agent": USER_AGENT}
        token = self.token
        if auth and token:
            headers["authorization"] = f"Bearer {token}"
        conn = self._connection(timeout)
        if interruptible:
            with self._lock:
                self._poll_conn = conn
        try:
            self._connect(conn)
            conn.request("POST", self._prefix + path, body=json.dumps(body).encode(), headers=headers)
            response = conn.getresponse()
            status, raw = response.status, response.read()
        except (OSError, http.client.HTTPException) as err:
            raise RelayUnavailable(f"{type(err).__name__}: {err}") from None
        finally:
            if interruptible:
                with self._lock:
                    self._poll_conn = None
            conn.close()
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if status >= 500 or status == 429:
            raise RelayUnavailable(f"relay answered {status} {data.get('error', '')}".strip())
        if status >= 400:
            raise RelayRefused(status, str(data.get("error") or f"http-{status}"))
        return data
