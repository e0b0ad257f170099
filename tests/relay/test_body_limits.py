"""waitress's own body limits (real server from make_server): an allowed body is read in memory and
reaches the relay's own checks. The report's 64 MiB login, refused before it is read, is replayed in
test_bad_input_regressions.py."""

from __future__ import annotations

import http.client
import json

import pytest

from mobile_codex.relay_app.http.body import DEFAULT_BODY_CAP, LARGEST_BODY_CAP
from mobile_codex.relay_app.server import MAX_REQUEST_BODY

from .agent_helpers import LiveRelay


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

