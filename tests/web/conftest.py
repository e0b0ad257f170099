"""The phone web app in Debian's Chromium (Playwright), 390×844 with touch, against a real relay.

Every page records console messages, uncaught errors and CSP violations (an init script listens
for `securitypolicyviolation` before any app code runs); `Phone.check(name)` asserts none of them
happened, runs the layout rules (no horizontal overflow at 390 px, every visible control at least
44×44) and writes a screenshot to tests/artifacts/web/.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import attrs
import pytest

from mobile_codex.core.plugins import load_plugins
from mobile_codex.core.timeutil import system_clock
from mobile_codex.relay_app.app import create_app
from mobile_codex.relay_app.server import make_server, open_store
from tests.browser.conftest import chromium  # noqa: F401  (one Debian Chromium per module, same flags)
from tests.relay.conftest import BOOTSTRAP_TOKEN, make_config

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"
ARTIFACTS = REPO / "tests" / "artifacts" / "web"
VIEWPORT = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}  # a laptop browser: no touch, not mobile
MIN_TAP = 44

__all__ = ["BOOTSTRAP_TOKEN", "chromium"]

RECORDER = """
window.__mc = { violations: [] };
document.addEventListener("securitypolicyviolation", (e) => {
  window.__mc.violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber });
});
"""

LAYOUT = """
() => {
  const describe = (el, r) => `${el.tagName.toLowerCase()}${el.className ? "." + String(el.className).replace(/ +/g, ".") : ""}`
    + ` "${(el.textContent || el.getAttribute("aria-label") || el.name || "").trim().slice(0, 40)}" ${Math.round(r.width)}×${Math.round(r.height)}`;
  const small = [];
  for (const el of document.querySelectorAll("button, a[href], input, select, textarea, summary")) {
    if (el.type === "hidden") continue;
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if ((r.width === 0 && r.height === 0) || style.visibility === "hidden" || style.display === "none") continue;
    if (r.width < 44 - 0.5 || r.height < 44 - 0.5) small.push(describe(el, r));
  }
  // Inside a box that scrolls sideways by itself (and fits the screen), content may reach past the
  // edge: the person scrolls that box, not the page.
  const scrolledInside = (el) => {
    for (let x = el.parentElement; x && x !== document.body; x = x.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(x).overflowX)) return x.getBoundingClientRect().right <= window.innerWidth + 0.5;
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > window.innerWidth + 0.5 && getComputedStyle(el).position !== "fixed" && !scrolledInside(el)) wide.push(describe(el, r));
  }
  return {
    scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
    innerWidth: window.innerWidth, small, wide: wide.slice(0, 10),
  };
}
"""


class WebRelay:
    """The relay (sqlite, real waitress) on `http://localhost:PORT`; can stop and start again on
    the same port and data dir (a relay restart, as the phone sees it)."""

    def __init__(self, folder: Path, *, plugins=None, **overrides):
        self.folder = folder
        self.plugins = plugins  # loaded plugins give the relay its notifiers (Web Push); none without
        self.overrides = overrides
        self.port = 0
        self.server = None
        self.start()

    def start(self) -> None:
        holder = {}
        config = make_config(self.folder, "sqlite", **self.overrides)
        self.server = make_server(lambda environ, start: holder["app"](environ, start), config, port=self.port)
        self.port = self.server.effective_port
        self.origin = f"http://localhost:{self.port}"
        self.config = attrs.evolve(config, public_origin=self.origin)
        (self.folder / "relay.json").write_text(
            json.dumps({**json.loads((self.folder / "relay.json").read_text()), "publicOrigin": self.origin})
        )
        self.store = open_store(self.config, load_plugins(entry_points=[]))
        self.clock = system_clock
        self.app = holder["app"] = create_app(self.config, store=self.store, clock=self.clock, plugins=self.plugins)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is None:
            return
        self.server.close()
        for channel in list(getattr(self.server, "_map", {}).values()):  # held long waits: drop them too
            try:
                channel.close()
            except OSError:
                pass
        self.server.task_dispatcher.shutdown(timeout=1)
        self.thread.join(timeout=5)
        self.app.relay.services.notifications.stop()
        self.store.close()
        self.server = None

    def http(self, *, token: str | None = None):
        """A stdlib HTTP caller (another phone, or an agent with `token`)."""
        from tests.relay.agent_helpers import Http

        return Http(self.port, token=token, origin=None if token else self.origin)

    def agent(self, token: str):
        return self.http(token=token)

    def owner(self):
        """An HTTP caller signed in with the bootstrap token."""
        caller = self.http()
        status, body = caller.post("/api/auth/login", {"bootstrapToken": BOOTSTRAP_TOKEN})
        assert status == 200, body
        return caller


class Phone:
    """One browser context (a phone) with one page, and what went wrong in it."""

    def __init__(self, browser, relay: WebRelay, test_name: str, viewport: dict | None = None):
        self.relay = relay
        self.test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
        self.viewport = viewport or VIEWPORT  # a phone unless told otherwise (DESKTOP: a laptop, no touch)
        phone_sized = self.viewport["width"] < 900
        self.context = browser.new_context(
            viewport=self.viewport, has_touch=phone_sized, is_mobile=phone_sized, device_scale_factor=2 if phone_sized else 1
        )
        self.context.add_init_script(RECORDER)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.console: list[dict] = []
        self.page_errors: list[str] = []
        self.expected_failures: list[str] = []  # url fragments of requests the test expects to fail
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda err: self.page_errors.append(str(err)))
        self.shots = 0

    def _on_console(self, message) -> None:
        self.console.append({"type": message.type, "text": message.text, "url": (message.location or {}).get("url", "")})

    def open(self, path: str = "/") -> None:
        self.page.goto(f"{self.relay.origin}{path}")

    def expect_failure(self, fragment: str) -> None:
        self.expected_failures.append(fragment)

    def problems(self) -> list[str]:
        found = [f"page error: {text}" for text in self.page_errors]
        for entry in self.console:
            if entry["type"] != "error":
                continue
            is_load = entry["text"].startswith("Failed to load resource")
            if is_load and any(fragment in entry["url"] for fragment in self.expected_failures):
                continue
            found.append(f"console error: {entry['text']} ({entry['url']})")
        try:
            violations = self.page.evaluate("() => window.__mc ? window.__mc.violations : []")
        except Exception:  # the page is mid-navigation: the next check reads them
            violations = []
        found += [f"CSP violation: {v}" for v in violations]
        return found

    def check(self, name: str) -> None:
        """Layout rules + no errors on the screen shown now, and its screenshot."""
        self.page.wait_for_timeout(50)  # let a pending render finish
        self.page.evaluate("() => window.scrollTo(0, 0)")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        self.page.screenshot(path=str(ARTIFACTS / f"{self.test_name}-{self.shots:02d}-{name}.png"), full_page=True)
        self.assert_layout(name)
        assert not self.problems(), f"{name}: {self.problems()}"

    def assert_layout(self, name: str) -> None:
        """No horizontal overflow (390 px on a phone), every visible control at least 44×44."""
        layout = self.page.evaluate(LAYOUT)
        assert layout["scrollWidth"] <= self.viewport["width"], f"{name}: horizontal overflow {layout}"
        assert not layout["wide"], f"{name}: elements wider than the screen: {layout['wide']}"
        assert not layout["small"], f"{name}: controls smaller than {MIN_TAP}×{MIN_TAP}: {layout['small']}"

    # --- app interactions ---------------------------------------------------------------------

    def screen(self, css_class: str):
        """Wait until the screen with this class is shown; the layout rules hold on every screen a
        test visits, not only where it takes a screenshot."""
        locator = self.page.locator(f"main .screen.{css_class}")
        locator.wait_for(state="visible")
        self.page.wait_for_timeout(50)  # let a pending render finish
        self.assert_layout(css_class)
        return locator

    def bootstrap_sign_in(self, token: str = BOOTSTRAP_TOKEN) -> None:
        self.screen("signin")
        self.page.locator("summary", has_text="Bootstrap token").click()
        self.page.fill("input[name=bootstrapToken]", token)
        self.page.locator("button", has_text="Sign in with the token").click()

    def add_passkey_from_home(self, label: str) -> None:
        """From Home: Add a passkey -> (label) -> Register passkey -> back on Home (needs add_authenticator)."""
        self.page.locator("a", has_text="Add a passkey").first.click()
        self.screen("enroll")
        self.page.fill("input[name=label]", label)
        self.page.locator("button", has_text="Register passkey").click()
        self.screen("home")

    def new_pairing_code(self, note: str = "") -> str:
        """From the Agents screen (Manage): Pair an agent -> (note) -> Create pairing code; the code shown."""
        self.page.locator("a", has_text="Pair an agent").click()
        self.screen("pairing")
        if note:
            self.page.fill("input[name=note]", note)
        self.page.locator("button", has_text="Create pairing code").click()
        return self.page.locator("[data-pairing-code]").inner_text()

    def add_authenticator(self) -> str:
        """A CDP virtual platform authenticator (resident keys, user verification) on this page."""
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("WebAuthn.enable")
        options = {
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
            "isUserVerified": True, "automaticPresenceSimulation": True,
        }  # fmt: skip
        return self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})["authenticatorId"]

    def sign_in_with_cookie(self, cookie: str) -> None:
        self.context.add_cookies([{"name": "mobilecodex_session", "value": cookie, "url": self.relay.origin, "httpOnly": True, "sameSite": "Strict"}])

    def tab(self, label: str, screen: str):
        self.page.locator(".tabbar a", has_text=label).click()
        return self.screen(screen)

    def manage(self, label: str, screen: str):
        """A screen under the Manage tab (agents, people, passkeys...): the tab, then its menu entry."""
        self.tab("Manage", "more")
        self.page.locator("main .menu a", has_text=label).click()
        return self.screen(screen)

    def codex_form(self):
        """The full prompt form (folder, mode, model, effort): Home's composer, then Options."""
        self.tab("Home", "home")
        self.page.locator("main .composer-choices a", has_text="Options").click()
        return self.screen("codex")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def relay(tmp_path):
    instance = WebRelay(tmp_path)
    yield instance
    instance.stop()


@pytest.fixture
def phones(chromium, request):
    """phones(relay[, viewport]) -> a new Phone (VIEWPORT, or DESKTOP for a laptop browser); each is
    checked for stray errors and closed after the test."""
    made: list[Phone] = []

    def make(relay: WebRelay, viewport: dict | None = None) -> Phone:
        made.append(Phone(chromium, relay, f"{request.node.name}{'-' + str(len(made)) if made else ''}", viewport))
        return made[-1]

    yield make
    late = {}
    for phone in made:  # what went wrong after the test's last check counts too
        late[phone.test_name] = phone.problems()
        phone.close()
    assert not any(late.values()), f"errors after the last check: {late}"


@pytest.fixture
def phone(relay, phones):
    return phones(relay)
