"""The agent's only way to the relay: JSON over HTTP(S) on API.md's agent endpoints (stdlib only).

A relay that cannot be reached, or answers 5xx/429, is `RelayUnavailable` (retry later); any
other 4xx is `RelayRefused` carrying the relay's error code. A poll may carry a `PollInterrupt`
through which another thread cuts it short (`PollInterrupted`).
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
GOODBYE_TIMEOUT_SEC = 5  # a stopping agent does not wait long for a relay that is away


class RelayUnavailable(Exception):
    """The relay could not be reached or could not answer now."""


class PollInterrupted(RelayUnavailable):
    """The poll was cut short through its PollInterrupt (the agent stops, or a task slot came free)."""


class RelayRefused(Exception):
    def __init__(self, status: int, code: str):
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code


class PollInterrupt:
    """Lets another thread cut one poll short, whenever it asks.

    Asked before the poll has connected, the poll never sends (it raises PollInterrupted once it
    would); asked later, its socket is shut down, which ends a send or a held wait at once. An ask
    is never lost: the flag and the socket change only under this lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._asked = False
        self._sock: socket.socket | None = None

    @property
    def asked(self) -> bool:
        with self._lock:
            return self._asked

    def interrupt(self) -> None:
        with self._lock:
            self._asked = True
            if self._sock is not None:  # under the lock: the poll detaches before it closes the socket
                try:
                    self._sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def raise_if_asked(self) -> None:
        with self._lock:
            if self._asked:
                raise PollInterrupted("poll interrupted")

    def attach(self, sock: socket.socket) -> None:
        """The poll is connected: raise if it was asked to stop meanwhile, else expose its socket."""
        with self._lock:
            if self._asked:
                raise PollInterrupted("poll interrupted")
            self._sock = sock

    def detach(self) -> None:
        with self._lock:
            self._sock = None


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

    def poll(self, body: dict, interrupt: PollInterrupt | None = None) -> dict:
        """One poll; with `interrupt`, another thread may cut it short (PollInterrupted)."""
        timeout = body.get("waitMs", 0) / 1000 + POLL_GRACE_SEC
        return self._post("/api/agent/poll", body, timeout=timeout, interrupt=interrupt)

    def goodbye(self) -> dict:
        """Ours (docs/api.md): the agent stops cleanly, so the app shows it offline at once."""
        return self._post("/api/agent/goodbye", {}, timeout=GOODBYE_TIMEOUT_SEC)

    def passkeys(self) -> list[dict]:
        """Ours (issue 20): the passkeys of this agent's workspace's members, for `agent trust`."""
        listed = self._post("/api/agent/passkeys", {}).get("passkeys")
        return [entry for entry in listed if isinstance(entry, dict)] if isinstance(listed, list) else []

    def update(self, task_id: str, body: dict) -> dict:
        return self._post(f"/api/agent/tasks/{task_id}/update", body)

    # --- HTTP ----------------------------------------------------------------------------

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        if self._https:
            return http.client.HTTPSConnection(self._host, self._port, timeout=timeout, context=ssl.create_default_context())
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout)

    def _post(self, path: str, body: dict, *, auth: bool = True, timeout: float = REQUEST_TIMEOUT_SEC,
              interrupt: PollInterrupt | None = None) -> dict[str, Any]:  # fmt: skip
        headers = {"content-type": "application/json", "accept": "application/json", "user-agent": USER_AGENT}
        token = self.token
        if auth and token:
            headers["authorization"] = f"Bearer {token}"
        conn = self._connection(timeout)
        try:
            if interrupt is not None:
                interrupt.raise_if_asked()  # asked before it started: it never starts
            self._connect(conn)
            if interrupt is not None:
                interrupt.attach(conn.sock)  # asked while connecting: it never sends
            conn.request("POST", self._prefix + path, body=json.dumps(body).encode(), headers=headers)
            response = conn.getresponse()
            status, raw = response.status, response.read()
        except PollInterrupted:
            raise
        except (OSError, http.client.HTTPException) as err:
            if interrupt is not None and interrupt.asked:
                raise PollInterrupted("poll interrupted") from None
            raise RelayUnavailable(f"{type(err).__name__}: {err}") from None
        finally:
            if interrupt is not None:
                interrupt.detach()
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
