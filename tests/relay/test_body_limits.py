"""waitress's own body limits (real server from make_server): an oversized body is refused before it
is read, an allowed one is read in memory and reaches the relay's own checks."""

from __future__ import annotations

import http.client
import json
import socket
import time

import pytest

from mobile_codex.relay_app.http.body import DEFAULT_BODY_CAP, LARGEST_BODY_CAP
from mobile_codex.relay_app.server import MAX_REQUEST_BODY

from .agent_helpers import LiveRelay
from .conftest import ORIGIN

PROMPT = 5.0  # seconds: a refusal before the body is read comes at once


@pytest.fixture
def live(tmp_path):
    instance = LiveRelay(tmp_path)
    yield instance
    instance.close()


def route_resources(app):
    """Every resource the app routes to (walking falcon's compiled router)."""
    found, nodes = [], list(app._router._roots)
    while nodes:
        node = nodes.pop()
        nodes.extend(node.children)
        if node.resource is not None:
            found.append(node.resource)
    return found


def body_caps(resource) -> list[int]:
    cap = getattr(resource, "body_cap", DEFAULT_BODY_CAP)
    return list(cap.values()) if isinstance(cap, dict) else [cap]


def test_the_server_limit_sits_just_above_the_largest_route_cap(live):
    caps = [cap for resource in route_resources(live.app) for cap in body_caps(resource)]
    assert max(caps) == LARGEST_BODY_CAP
    adj = live.server.adj
    assert LARGEST_BODY_CAP < adj.max_request_body_size == MAX_REQUEST_BODY <= 2 * LARGEST_BODY_CAP
    assert adj.inbuf_overflow > adj.max_request_body_size  # allowed bodies never go to a temp file


def test_an_oversized_body_is_refused_before_it_is_read(live):
    """Headers announcing 64 MiB and a few bytes of body: 413 at once, not a wait for the rest."""
    head = (
        "POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Origin: {ORIGIN}\r\nContent-Length: {64 * 1024 * 1024}\r\n\r\n"
    )
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", live.port), timeout=PROMPT) as sock:
        sock.sendall(head.encode() + b'{"bootstrapToken": "')
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < PROMPT


def post(live: LiveRelay, path: str, raw: bytes):
    conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
    try:
        conn.request("POST", path, body=raw, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def padded(size: int) -> bytes:
    raw = json.dumps({"pad": ""}).encode()
    return raw[:-2] + b"x" * (size - len(raw)) + raw[-2:]


def test_bodies_at_and_just_over_the_largest_cap_reach_the_relay(live):
    path = "/api/agent/tasks/t-1/update"
    status, body = post(live, path, padded(LARGEST_BODY_CAP))
    assert (status, json.loads(body)["error"]) == (401, "missing-token")  # read whole, past the body checks
    status, body = post(live, path, padded(LARGEST_BODY_CAP + 1))
    assert (status, json.loads(body)["error"]) == (413, "body-too-large")  # the relay's JSON 413, not waitress's

