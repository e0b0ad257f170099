"""Helpers for agent-side tests: pairing an agent through the API, bearer-token requests, tasks."""

from __future__ import annotations

import pytest
from falcon import testing


@pytest.fixture
def relay_with(tmp_path, backend, new_dsn):
    """Like conftest's make_relay (config overrides), creating each relay's folder first."""
    from .conftest import Relay

    made = []

    def make(**overrides):
        folder = tmp_path / f"relay{len(made)}"
        folder.mkdir()
        made.append(Relay(folder, backend, dsn=new_dsn(), **overrides))
        return made[-1]

    yield make
    for instance in made:
        instance.close()


class AgentClient:
    """An agent calling the relay through a TestClient with its bearer token."""

    def __init__(self, app, token: str | None):
        self.client = testing.TestClient(app)
        self.token = token

    def post(self, path: str, json=None, *, token: str | None = "default", body=None, headers=None):
        all_headers = dict(headers or {})
        token = self.token if token == "default" else token
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        return self.client.simulate_post(path, json=json, body=body, headers=all_headers)

    def poll(self, **body):
        result = self.post("/api/agent/poll", body)
        assert result.status_code == 200, result.text
        return result.json

    def update(self, task_id: str, **body):
        return self.post(f"/api/agent/tasks/{task_id}/update", body)


def new_pairing_code(browser, **body) -> str:
    result = browser.post("/api/admin/pairings", body)
    assert result.status_code == 201, result.text
    return result.json["pairingCode"]


def request_pairing(relay, code: str, agent_id: str = "agent-1", **extra):
    client = testing.TestClient(relay.app)
    return client.simulate_post("/api/agent/pair", json={"pairingCode": code, "agentId": agent_id, **extra})


def pair_status(relay, request_id: str, request_token: str):
    client = testing.TestClient(relay.app)
    return client.simulate_post("/api/agent/pair/status", json={"requestId": request_id, "requestToken": request_token})


def pair_agent(relay, browser, agent_id: str = "agent-1", **extra) -> AgentClient:
    """Code -> request -> approve -> token, all through the API; returns the agent's client."""
    pending = request_pairing(relay, new_pairing_code(browser), agent_id, **extra)
    assert pending.status_code == 200, pending.text
    approved = browser.post(f"/api/admin/pair-requests/{pending.json['requestId']}/approve")
    assert approved.status_code == 200, approved.text
    done = pair_status(relay, pending.json["requestId"], pending.json["requestToken"])
    assert done.json["status"] == "approved", done.text
    return AgentClient(relay.app, done.json["token"])


def create_task(browser, agent_id: str = "agent-1", **body):
    return browser.post("/api/admin/tasks", {"type": "codex_exec", "agentId": agent_id, "prompt": "hello", **body})


def created(browser, agent_id: str = "agent-1", **body) -> dict:
    result = create_task(browser, agent_id, **body)
    assert result.status_code == 201, result.text
    return result.json["task"]


def member(relay, role: str, *, workspace_id: str | None = None):
    """A browser signed in as a new user holding `role` in the given (default: Primary) workspace."""
    from mobile_codex.core.crypto import new_id
    from mobile_codex.core.records import Membership, User
    from mobile_codex.core.timeutil import iso

    from .conftest import Browser

    ctx = relay.app.relay
    now = iso(relay.clock())
    with ctx.store.transaction() as tx:
        if workspace_id is None:
            workspace_id = tx.users.get(tx.get_meta().bootstrap_user_id).last_workspace_id
        user = User(user_id=new_id("user"), user_handle=new_id("h"), display_name=role, created_at=now)
        tx.users.put(user)
        tx.memberships.put(
            Membership(membership_id=new_id("membership"), user_id=user.user_id, workspace_id=workspace_id, role=role, created_at=now)
        )
        cookie = ctx.services.sessions.create(tx, user_id=user.user_id, workspace_id=workspace_id)
    browser = Browser(relay.app)
    browser.cookies["mobilecodex_session"] = cookie
    return browser


def other_workspace(relay) -> tuple[str, object]:
    """A second workspace and an owner browser in it (for the 404-on-foreign-id checks)."""
    from mobile_codex.core.crypto import new_id
    from mobile_codex.core.records import Workspace
    from mobile_codex.core.timeutil import iso

    workspace_id = new_id("ws")
    with relay.app.relay.store.transaction() as tx:
        tx.workspaces.put(Workspace(workspace_id=workspace_id, name="Other", created_at=iso(relay.clock())))
    return workspace_id, member(relay, "owner", workspace_id=workspace_id)


def state_parts(relay, browser) -> dict:
    """The agent parts of the state view as `browser` sees them."""
    from mobile_codex.relay_app.views.agents_and_tasks import agent_state_parts

    ctx = relay.app.relay
    with ctx.store.transaction(write=False) as tx:
        caller = ctx.services.sessions.resolve(tx, browser.cookies["mobilecodex_session"])
        return agent_state_parts(ctx, tx, caller)


def stored(relay, table: str, key: str):
    with relay.app.relay.store.transaction(write=False) as tx:
        return getattr(tx, table).get(key)


def only_agent(store, agent_id: str):
    """The agent of that id, in whichever workspace holds it (tests where exactly one does, or None)."""
    with store.transaction(write=False) as tx:
        found = tx.agents.find(agent_id=agent_id)
    assert len(found) <= 1, found
    return found[0] if found else None


def agent_key(store, agent_id: str) -> tuple[str, str]:
    """(workspace_id, agent_id) of the one agent of that id: what the relay's in-memory maps use."""
    agent = only_agent(store, agent_id)
    return (agent.workspace_id, agent.agent_id)


# --- over real HTTP (end-to-end tests) ---------------------------------------------------------


class Http:
    """A stdlib http.client caller for one relay port; keeps one session cookie, like a phone.
    `host` is what it connects to and names in Host (`localhost` for a Caddy site of that name);
    `headers` are the last answer's."""

    def __init__(self, port: int, *, token: str | None = None, origin: str | None = None, host: str = "127.0.0.1"):
        self.port = port
        self.token = token
        self.origin = origin
        self.host = host
        self.cookie: str | None = None
        self.headers: dict[str, str] = {}

    def call(self, method: str, path: str, body=None, *, timeout: float = 40, headers: dict | None = None):
        import http.client
        import json as jsonlib

        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        headers = {"Content-Type": "application/json", **(headers or {})}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.origin and method == "POST":
            headers["Origin"] = self.origin
        if self.cookie:
            headers["Cookie"] = self.cookie
        try:
            conn.request(method, path, body=None if body is None else jsonlib.dumps(body), headers=headers)
            response = conn.getresponse()
            raw = response.read()
            self.headers = dict(response.getheaders())
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    pair = value.split(";")[0]
                    self.cookie = None if pair.endswith("=") or "Max-Age=0" in value else pair
            return response.status, (jsonlib.loads(raw) if raw else None)
        finally:
            conn.close()

    def post(self, path: str, body=None, **kw):
        return self.call("POST", path, {} if body is None else body, **kw)

    def get(self, path: str, **kw):
        return self.call("GET", path, **kw)


class LiveRelay:
    """The relay app served by a real waitress server in a thread, on 127.0.0.1 and a free port."""

    def __init__(self, folder, *, clock=None, backend: str = "sqlite", plugins=None, **overrides):
        import threading

        from mobile_codex.core.plugins import load_plugins
        from mobile_codex.core.timeutil import FixedClock
        from mobile_codex.relay_app.app import create_app
        from mobile_codex.relay_app.server import make_server, open_store

        from .conftest import START, make_config

        self.config = make_config(folder, backend, **overrides)
        self.clock = clock or FixedClock(START)
        self.store = open_store(self.config, load_plugins(entry_points=[]))
        self.app = create_app(self.config, store=self.store, clock=self.clock, plugins=plugins)
        self.server = make_server(self.app, self.config, port=0)
        self.port = self.server.effective_port
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def phone(self) -> Http:
        from .conftest import BOOTSTRAP_TOKEN, ORIGIN

        phone = Http(self.port, origin=ORIGIN)
        status, body = phone.post("/api/auth/login", {"bootstrapToken": BOOTSTRAP_TOKEN})
        assert status == 200, body
        return phone

    def agent(self, token: str) -> Http:
        return Http(self.port, token=token)

    def close(self) -> None:
        from mobile_codex.relay_app.server import stop_serving

        stop_serving(self.app, self.server, timeout=1)  # held requests answer, workers stop, then the sockets
        self.app.relay.services.notifications.stop()
        self.store.close()


def pair_over_http(live: LiveRelay, phone: Http, agent_id: str = "agent-1") -> Http:
    status, made = phone.post("/api/admin/pairings", {"note": "e2e"})
    assert status == 201, made
    anonymous = live.agent(None)  # through whatever `live` is reached by (a relay, or a proxy)
    status, pending = anonymous.post("/api/agent/pair", {"pairingCode": made["pairingCode"], "agentId": agent_id, "label": "E2E"})
    assert status == 200 and pending["status"] == "pending", pending
    status, body = anonymous.post("/api/agent/pair/status", {"requestId": pending["requestId"], "requestToken": pending["requestToken"]})
    assert body == {"ok": True, "status": "pending"}
    status, body = phone.post(f"/api/admin/pair-requests/{pending['requestId']}/approve")
    assert status == 200, body
    status, body = anonymous.post("/api/agent/pair/status", {"requestId": pending["requestId"], "requestToken": pending["requestToken"]})
    assert status == 200 and body["status"] == "approved", body
    return live.agent(body["token"])


def in_thread(fn):
    """Run fn() in a thread; returns (thread, box) with box["result"] and box["elapsed"] when done."""
    import threading
    import time

    box: dict = {}

    def target():
        started = time.monotonic()
        box["result"] = fn()
        box["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, box


def wait_held(relay, count: int = 1) -> None:
    """Until `relay` (a Relay or LiveRelay) holds `count` requests: agent long-polls and state waits
    count alike, from the moment they are admitted to wait (HoldLimit)."""
    from ..waiting import wait_until

    holds = relay.app.relay.holds
    wait_until(lambda: holds.held == count, what=f"{count} held request(s), {holds.held} held")
