"""Real-browser fixtures: Debian's Chromium driven by Playwright, a waitress relay in a thread.

One Chromium per test module; each test gets its own relay (fresh store) and its own browser
contexts ("devices"), each page with a CDP virtual authenticator (ctap2, internal, resident
keys, user verification). The ceremonies run in the page, served from the relay's origin, as
the web app will run them: fetch options -> navigator.credentials -> POST verify.
A missing browser fails the run: these tests are the proof that passkeys work.
"""

from __future__ import annotations

import base64
import os
import threading
from pathlib import Path

import attrs
import pytest

from mobile_codex.core.plugins import load_plugins
from mobile_codex.relay_app.app import create_app
from mobile_codex.relay_app.server import make_server, open_store
from tests.relay.conftest import BOOTSTRAP_TOKEN, make_config

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip
CEREMONIES_JS = (Path(__file__).parent / "ceremonies.js").read_text()


def b64_to_b64url(text: str) -> str:
    """CDP speaks standard base64; the relay speaks base64url without padding."""
    return base64.urlsafe_b64encode(base64.b64decode(text)).rstrip(b"=").decode("ascii")


class LiveRelay:
    """The relay served by waitress on a free port, its publicOrigin `http://localhost:PORT`.

    The server binds first (port 0) and the app is built once the port, and so the origin, is
    known; `prepare(config)` runs in between, before the store is opened (e.g. import-state)."""

    def __init__(self, folder: Path, backend: str = "sqlite", prepare=None):
        holder = {}
        config = make_config(folder, backend)
        self.server = make_server(lambda environ, start: holder["app"](environ, start), config, port=0)
        self.origin = f"http://localhost:{self.server.effective_port}"
        self.config = attrs.evolve(config, public_origin=self.origin)
        if prepare:
            prepare(folder / "relay.json")
        self.store = open_store(self.config, load_plugins(entry_points=[]))
        self.app = holder["app"] = create_app(self.config, store=self.store)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.close()
        self.server.task_dispatcher.shutdown(timeout=1)
        self.thread.join(timeout=5)
        self.store.close()


class Device:
    """A browser context with one tab and one virtual platform authenticator: a phone."""

    def __init__(self, browser, origin: str):
        self.origin = origin
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("WebAuthn.enable")
        self.authenticator_id = self.cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {"options": {
                "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True,
            }},
        )["authenticatorId"]  # fmt: skip
        self.open(origin)

    def open(self, origin: str) -> None:
        """Load the app's page from `origin` and define the ceremony helpers in it."""
        self.page.goto(f"{origin}/")
        self.page.evaluate(CEREMONIES_JS)

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def post(self, path: str, body: dict | None = None) -> dict:
        return self.js("([path, body]) => mc.post(path, body)", [path, body])

    def status(self) -> dict:
        return self.js("() => mc.get('/api/auth/status')")["body"]

    def bootstrap_login(self) -> dict:
        result = self.post("/api/auth/login", {"bootstrapToken": BOOTSTRAP_TOKEN})
        assert result["status"] == 200, result
        return result["body"]["auth"]

    def register(self, label: str = "Phone") -> dict:
        return self.js("(label) => mc.register(label)", label)

    def login(self) -> dict:
        return self.js("() => mc.login()")

    def assertion(self, public_key: dict) -> dict:
        """An assertion over request options obtained elsewhere (as navigator.credentials gives it)."""
        return self.js("(publicKey) => mc.assert(publicKey)", public_key)

    def credentials(self) -> list[dict]:
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator_id})["credentials"]

    def add_credential(self, credential: dict) -> None:
        self.cdp.send("WebAuthn.addCredential", {"authenticatorId": self.authenticator_id, "credential": credential})

    def add_cookie(self, name: str, value: str) -> None:
        self.context.add_cookies([{"name": name, "value": value, "url": self.origin, "httpOnly": True, "sameSite": "Strict"}])

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def chromium():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: the passkey proof needs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_relay(tmp_path):
    relay = LiveRelay(tmp_path)
    yield relay
    relay.close()


@pytest.fixture
def devices(chromium):
    """devices(origin) -> a new Device; all closed after the test."""
    made: list[Device] = []

    def make(origin: str) -> Device:
        made.append(Device(chromium, origin))
        return made[-1]

    yield make
    for device in made:
        device.close()
