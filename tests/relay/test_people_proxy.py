"""Over a real waitress server: X-Forwarded-For picks the rate-limit bucket only behind a trusted proxy."""

from __future__ import annotations

import http.client
import json
import threading

import pytest

from mobile_codex.relay_app.server import make_server

from .conftest import ORIGIN, Relay

REDEEM = "/api/auth/invitations/redeem"
BUDGET = 2


@pytest.fixture
def serve(tmp_path, backend):
    """serve(**config overrides) -> (relay, port); a waitress server on 127.0.0.1, stopped at teardown."""
    running = []

    def start(**overrides):
        folder = tmp_path / f"live{len(running)}"
        folder.mkdir()
        relay = Relay(folder, backend, listenHost="127.0.0.1", maxLoginAttemptsPerMinute=BUDGET, **overrides)
        server = make_server(relay.app, relay.config, port=0)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        running.append((relay, server, thread))
        return relay, server.effective_port

    yield start
    for relay, server, thread in running:
        server.close()
        server.task_dispatcher.shutdown(timeout=1)
        thread.join(5)
        relay.close()


def redeem(port: int, forwarded_for: str | None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", "Origin": ORIGIN}
    if forwarded_for is not None:
        headers["X-Forwarded-For"] = forwarded_for
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", REDEEM, body=json.dumps({"inviteCode": "AAAA-BBBB-CCCC", "displayName": "x"}), headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def statuses(port: int, forwarded_for: str | None, times: int) -> list[int]:
    return [redeem(port, forwarded_for)[0] for _ in range(times)]


def test_trusted_proxy_forwarded_for_picks_the_bucket(serve):
    _, port = serve(trustedProxies=["127.0.0.1"])
    assert statuses(port, "203.0.113.1", BUDGET + 1) == [401] * BUDGET + [429]
    assert redeem(port, "203.0.113.1") == (429, {"error": "rate-limited"})
    # Another client behind the same proxy has its own budget.
    assert statuses(port, "203.0.113.2", BUDGET) == [401] * BUDGET
    # The right-most untrusted hop counts: a client cannot escape its bucket by prepending entries.
    assert statuses(port, "198.51.100.9, 203.0.113.3", BUDGET) == [401] * BUDGET
    assert redeem(port, "192.0.2.77, 203.0.113.3")[0] == 429
    # Trusted hops on the right are skipped.
    assert statuses(port, "203.0.113.4, 127.0.0.1", BUDGET + 1) == [401] * BUDGET + [429]


@pytest.mark.parametrize("trusted", [[], ["10.9.9.9"]])
def test_untrusted_peer_forwarded_for_is_ignored(serve, trusted):
    _, port = serve(trustedProxies=trusted)
    assert statuses(port, "203.0.113.1", BUDGET) == [401] * BUDGET
    # A different X-Forwarded-For from the same untrusted peer is the same client: same bucket.
    assert redeem(port, "203.0.113.2") == (429, {"error": "rate-limited"})
    assert redeem(port, None)[0] == 429


def test_buckets_are_per_endpoint(serve):
    _, port = serve(trustedProxies=["127.0.0.1"])
    assert statuses(port, "203.0.113.1", BUDGET + 1)[-1] == 429
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        body = json.dumps({"recoveryCode": "AAAA-BBBB-CCCC"})
        conn.request("POST", "/api/auth/recovery/redeem", body=body,
                     headers={"Content-Type": "application/json", "X-Forwarded-For": "203.0.113.1"})  # fmt: skip
        response = conn.getresponse()
        assert (response.status, json.loads(response.read())) == (401, {"error": "invalid-recovery-code"})
    finally:
        conn.close()
