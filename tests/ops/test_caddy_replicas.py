"""A real Caddy in front of two real relay processes, configured as `scaffold-production --replicas 2`
writes it: both serve, and when one is killed every request through Caddy still gets its answer."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.servers.caddy import CaddyProxy, free_port
from tests.servers.relay_replica import RelayReplica

pytestmark = pytest.mark.slow  # relay and caddy processes


def get(origin: str, path: str) -> tuple[int, dict]:
    with urllib.request.urlopen(origin + path, timeout=20) as answer:
        return answer.status, json.loads(answer.read())


def test_a_killed_replica_is_skipped_and_no_request_fails(run_cli, tmp_path, user_dirs):
    caddy_port = free_port()
    replicas = []
    for name in ("a", "b"):  # each its own store here: this test is about the proxy, not shared state
        config = tmp_path / f"relay-{name}.json"
        done = run_cli("init-relay", "--origin", f"http://localhost:{caddy_port}", "--output", config, "--data-dir", tmp_path / name)
        assert done.returncode == 0, done.stderr
        replicas.append(RelayReplica(config, free_port(), env=user_dirs))
    caddy = CaddyProxy(tmp_path / "caddy", [r.upstream for r in replicas], port=caddy_port)
    try:
        for _ in range(6):
            assert get(caddy.origin, "/api/ready") == (200, {"ok": True, "storage": "ok", "volatile": "ok"})
        replicas[0].kill()
        answers = [get(caddy.origin, "/api/health")[0] for _ in range(20)]
        assert answers == [200] * 20  # the dead one is tried, then the request goes to the other
        assert replicas[1].proc.poll() is None
    finally:
        caddy.stop()
        for replica in replicas:
            replica.stop()
