"""Relay API fixtures: a real app on each storage backend, and browser-like clients."""

from __future__ import annotations

import json
import os
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path

import falcon.inspect
import pytest
from falcon import testing

from mobile_codex.core.config import load_relay_config
from mobile_codex.core.plugins import load_plugins
from mobile_codex.core.timeutil import FixedClock, system_clock
from mobile_codex.relay_app.app import create_app
from mobile_codex.relay_app.server import open_store

BOOTSTRAP_TOKEN = "reference-fixture-bootstrap-token"
BOOTSTRAP_HASH = "2b27b852b9f8eb8b58e00c91a8e3aa1d340828c98263ecebdbbbb4c569119ba9"
TOKEN_SECRET = "reference-fixture-token-secret-0123456789abcdef"
ORIGIN = "http://localhost:8787"
START = datetime(2026, 11, 26, 12, 0, 0, tzinfo=timezone.utc)


def make_config(tmp_path: Path, backend: str = "sqlite", *, dsn: str | None = None, **overrides):
    """A relay config in tmp_path on `backend` (postgres: on the database `dsn`)."""
    storage = {"backend": backend, **({"dsn": dsn} if dsn else {})}
    doc = {
        "publicOrigin": ORIGIN, "dataDir": str(tmp_path / "data"), "bootstrapAdminTokenHash": BOOTSTRAP_HASH,
        "tokenSecret": TOKEN_SECRET, "storage": storage,
        "maxLoginAttemptsPerMinute": 1000, "maxPairAttemptsPerMinute": 1000, **overrides,
    }  # fmt: skip
    path = tmp_path / "relay.json"
    path.write_text(json.dumps(doc))
    return load_relay_config(path)


class Browser:
    """A TestClient with a cookie jar, the way a phone's browser would call the relay."""

    def __init__(self, app, origin: str = ORIGIN):
        self.client = testing.TestClient(app)
        self.cookies: dict[str, str] = {}
        self.origin = origin

    def request(self, method: str, path: str, *, json=None, body=None, headers=None, origin=True):
        all_headers = dict(headers or {})
        if origin and self.origin and method == "POST":
            all_headers.setdefault("Origin", self.origin)
        result = self.client.simulate_request(
            method, path, json=json, body=body, headers=all_headers, cookies=dict(self.cookies)
        )
        for name, cookie in result.cookies.items():
            if cookie.max_age == 0 or not cookie.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = cookie.value
        return result

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def login_bootstrap(self):
        result = self.post("/api/auth/login", {"bootstrapToken": BOOTSTRAP_TOKEN})
        assert result.status_code == 200, result.text
        return result.json["auth"]


class Relay:
    """One relay app on one backend with an injectable clock."""

    def __init__(self, tmp_path: Path, backend: str, *, plugins=None, dsn: str | None = None, **overrides):
        self.config = make_config(tmp_path, backend, dsn=dsn, **overrides)
        self.clock = FixedClock(START)
        self.store = open_store(self.config, load_plugins(entry_points=[]))
        self.app = create_app(self.config, store=self.store, clock=self.clock, plugins=plugins)

    def browser(self, **kw) -> Browser:
        return Browser(self.app, **kw)

    def owner(self) -> Browser:
        browser = self.browser()
        browser.login_bootstrap()
        return browser

    def sweep(self):
        """One housekeeping pass, as the relay's sweeper thread makes every few seconds."""
        return self.app.relay.services.housekeeping.sweep()

    def close(self):
        self.app.relay.services.notifications.stop()
        self.app.relay.shared.close()
        self.store.close()


def real_time(relay: Relay) -> Relay:
    """The CLI mints with the system clock: let the relay's clock agree."""
    relay.clock.now = system_clock()
    return relay


def app_routes(app) -> set[tuple[str, str]]:
    """(method, uri template) of every route the app serves, from falcon's own inspection."""
    return {
        (method.method, route.path)
        for route in falcon.inspect.inspect_app(app).routes
        for method in route.methods
        if not method.internal
    }


def route_resources(app):
    """(method, uri template, resource) of every route the app serves."""
    for route in falcon.inspect.inspect_app(app).routes:
        resource, _, _, template = app._router.find(re.sub(r"\{[^}]+\}", "x", route.path))
        assert template == route.path
        for method in route.methods:
            if not method.internal:
                yield method.method, route.path, resource


# The relay API tests that also run on PostgreSQL (every test of these modules taking `backend`):
# the core flows (agents, tasks, state, sign-in, pairing, people) without tripling the suite's time.
# MOBILE_CODEX_TEST_POSTGRES=all runs every relay test on it too.
POSTGRES_MODULES = {
    "test_basics", "test_agent_api", "test_tasks", "test_state_view", "test_state_deltas", "test_idempotency",
    "test_pairing", "test_login_code", "test_people_workspaces", "test_two_person_rule", "test_retention",
    "test_audit_trail",  # issue 21: the trail's chain and its events on every backend
}


# Modules whose hundreds of cases check rules that live above the store (who may call what, how bad
# input is refused) run on sqlite alone: the store's own behaviour, the same under every rule, is the
# storage contract's (tests/storage), on all three backends. MOBILE_CODEX_TEST_POSTGRES=all runs
# them on every backend too.
SQLITE_ONLY_MODULES = {"test_isolation_matrix", "test_bad_input"}


def pytest_generate_tests(metafunc):
    """`backend`: sqlite and json everywhere, postgres for POSTGRES_MODULES (or all, see above)."""
    if "backend" not in metafunc.fixturenames:
        return
    if any("backend" in marker.args[0] for marker in metafunc.definition.iter_markers("parametrize")):
        return  # the test names its own backends
    module = metafunc.module.__name__.rpartition(".")[2]
    every = os.environ.get("MOBILE_CODEX_TEST_POSTGRES") == "all"
    if module in SQLITE_ONLY_MODULES and not every:
        metafunc.parametrize("backend", ["sqlite"])
        return
    on_postgres = module in POSTGRES_MODULES or every
    metafunc.parametrize("backend", ["sqlite", "json", *(["postgres"] if on_postgres else [])])


@pytest.fixture
def new_dsn(backend, request):
    """new_dsn(): for postgres a fresh database on the run's cluster (dropped at teardown), else None."""
    if backend != "postgres":
        yield lambda: None
        return
    server = request.getfixturevalue("postgres_server")
    made = []

    def make() -> str:
        made.append("t_" + uuid.uuid4().hex[:16])
        return server.create_database(made[-1])

    yield make
    for name in made:
        if server.running:
            server.drop_database(name)


@pytest.fixture
def relay(tmp_path, backend, new_dsn):
    instance = Relay(tmp_path, backend, dsn=new_dsn())
    yield instance
    instance.close()


@pytest.fixture
def make_relay(tmp_path, backend, new_dsn):
    """For tests that need config overrides: make_relay(features={...})."""
    made = []

    def make(**overrides) -> Relay:
        directory = tmp_path / f"r{len(made)}"
        directory.mkdir()
        instance = Relay(directory, backend, dsn=new_dsn(), **overrides)
        made.append(instance)
        return instance

    yield make
    for instance in made:
        instance.close()
