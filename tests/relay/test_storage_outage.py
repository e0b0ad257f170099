"""The database goes away under a running relay (postgres backend): 503, then recovery by itself.

The test stops its own PostgreSQL cluster mid-test: requests that need the store answer 503
`storage-unavailable` within the connect timeout (never 500, never a hang), and once the server is
back the same relay object serves again, its pool having replaced the broken connections.
"""

from __future__ import annotations

import time

import pytest

from ..servers.postgres import start_postgres
from ..waiting import wait_until
from .conftest import BOOTSTRAP_TOKEN, Relay


@pytest.fixture
def own_postgres():
    server = start_postgres()
    yield server
    server.destroy()


def test_requests_get_503_while_the_database_is_down_and_recover_after(tmp_path, own_postgres):
    dsn = own_postgres.create_database("relay")
    storage = {"backend": "postgres", "dsn": dsn, "connectTimeoutMs": 1000, "poolSize": 4}
    relay = Relay(tmp_path, "postgres", storage=storage)
    try:
        owner = relay.owner()
        assert owner.get("/api/admin/state").status_code == 200
        assert relay.browser().get("/api/ready").status_code == 200

        own_postgres.stop()
        for path in ("/api/admin/state", "/api/admin/state"):  # the pool's idle connection, then a new one
            started = time.monotonic()
            result = owner.get(path)
            assert (result.status_code, result.json) == (503, {"error": "storage-unavailable"})
            assert time.monotonic() - started < 20  # the 1 s connect timeout, with room for a busy machine
        login = relay.browser().post("/api/auth/login", {"bootstrapToken": BOOTSTRAP_TOKEN})
        assert (login.status_code, login.json) == (503, {"error": "storage-unavailable"})
        assert relay.browser().get("/api/ready").json == {"error": "not-ready", "detail": "storage"}
        assert relay.browser().get("/api/health").status_code == 200  # liveness does not need the store

        own_postgres.start()
        wait_until(lambda: owner.get("/api/admin/state").status_code == 200, timeout=60)
        created = owner.post("/api/admin/workspaces", {"name": "after the outage"})
        assert created.status_code in (200, 201), created.text
        assert relay.browser().get("/api/ready").status_code == 200
    finally:
        relay.close()
