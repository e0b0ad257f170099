"""Relay rules of SECURITY.md that no other suite pins down on its own.

Cookies on https, no session token a script can read, the bootstrap login (constant-time,
a recovery session that is never enrollment-locked), rate limits on every login-like endpoint
with their one-minute window and bounded memory, the exact CSP, static files that cannot be
escaped through symlinks or absolute paths, challenges that live only in memory, and a locked
session that may still revoke its own passkeys.
"""

from __future__ import annotations

import pytest

from mobile_codex.core import crypto
from mobile_codex.core.crypto import sha256_hex
from mobile_codex.relay_app.app import create_app
from mobile_codex.relay_app.services import sessions as session_service
from mobile_codex.relay_app.http.client import rate_limit_client
from mobile_codex.plugins.volatile.memory.store import MemoryVolatileStore
from mobile_codex.relay_app.services.rate_limit import RateLimiter

from .conftest import BOOTSTRAP_HASH, BOOTSTRAP_TOKEN, ORIGIN, Browser, Relay
from .passkey_helpers import REGISTER_OPTIONS, REGISTER_VERIFY, passkey_login, register
from .soft_authenticator import SoftAuthenticator

COOKIE = "mobilecodex_session"
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self' {origin}; manifest-src 'self'; worker-src 'self'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def session_record(relay: Relay, cookie: str):
    with relay.store.transaction(write=False) as tx:
        return tx.sessions.get(sha256_hex(cookie))


def signed_in_four_ways(relay: Relay) -> list[tuple[str, object]]:
    """(route, response) of every cookie-setting route except the passkey ceremony (tested below):
    bootstrap login, invite redeem, recovery redeem, login-code redeem."""
    from mobile_codex.relay_app.services.login_codes import mint_login_code

    owner = relay.browser()
    made = [("login", owner.post("/api/auth/login", {"bootstrapToken": BOOTSTRAP_TOKEN}))]
    code = owner.post("/api/admin/invitations", {"type": "workspace", "role": "viewer"}).json["inviteCode"]
    made.append(("invite", relay.browser().post("/api/auth/invitations/redeem", {"inviteCode": code, "displayName": "Ana"})))
    users = owner.get("/api/admin/state").json["users"]
    (ana,) = [u for u in users if u["displayName"] == "Ana"]
    recovery = owner.post(f"/api/admin/users/{ana['userId']}/recovery-codes", {}).json["recoveryCode"]
    made.append(("recovery", relay.browser().post("/api/auth/recovery/redeem", {"recoveryCode": recovery})))
    login_code = mint_login_code(relay.store, relay.clock)
    made.append(("login-code", relay.browser().post("/api/auth/login-code", {"loginCode": login_code})))
    for route, result in made:
        assert result.status_code == 200, (route, result.text)
    return made


# --- cookies and session tokens -------------------------------------------------------------


def test_every_cookie_setting_route_sets_the_same_strict_cookie_and_never_shows_its_value(relay):
    for route, result in signed_in_four_ways(relay):
        header = result.headers["set-cookie"]
        assert header.startswith(f"{COOKIE}="), route
        for part in ("HttpOnly", "SameSite=Strict", "Path=/"):
            assert part in header, (route, header)
        assert "Domain" not in header, route
        value = result.cookies[COOKIE].value
        assert len(value) >= 32 and value not in result.text, route  # no token a script could read


def test_passkey_login_sets_the_same_cookie_and_never_shows_its_value(relay):
    authenticator = SoftAuthenticator(ORIGIN)
    assert register(relay.owner(), authenticator).status_code == 200
    result = passkey_login(relay.browser(), authenticator)
    header = result.headers["set-cookie"]
    assert result.status_code == 200 and header.startswith(f"{COOKIE}=")
    assert all(part in header for part in ("HttpOnly", "SameSite=Strict", "Path=/"))
    assert result.cookies[COOKIE].value not in result.text


def test_on_https_the_cookie_is_host_prefixed_and_secure(tmp_path):
    origin = "https://relay.example"
    relay = Relay(tmp_path, "sqlite", publicOrigin=origin)
    try:
        browser = Browser(relay.app, origin=origin)
        result = browser.post("/api/auth/login", {"bootstrapToken": BOOTSTRAP_TOKEN})
        header = result.headers["set-cookie"]
        assert result.status_code == 200 and result.json["auth"]["sessionCookieName"] == f"__Host-{COOKIE}"
        assert header.startswith(f"__Host-{COOKIE}="), header
        assert all(part in header for part in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/")), header
        assert "Domain" not in header
        assert browser.get("/api/admin/state").status_code == 200  # and it is the cookie the relay reads
    finally:
        relay.close()


def test_a_session_token_is_not_accepted_as_a_bearer_token(relay):
    cookie = relay.browser().post("/api/auth/login", {"bootstrapToken": BOOTSTRAP_TOKEN}).cookies[COOKIE].value
    bearer = relay.browser().get("/api/admin/state", headers={"Authorization": f"Bearer {cookie}"})
    assert bearer.status_code == 401
    cookie_holder = relay.browser()
    cookie_holder.cookies[COOKIE] = cookie
    assert cookie_holder.get("/api/admin/state").status_code == 200  # the same value as a cookie works


# --- the bootstrap login --------------------------------------------------------------------


def test_the_bootstrap_token_is_compared_in_constant_time(relay, monkeypatch):
    compared = []
    real_compare = crypto.hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return real_compare(a, b)

    monkeypatch.setattr(crypto.hmac, "compare_digest", spy)
    assert session_service.same_secret is crypto.same_secret
    assert relay.browser().post("/api/auth/login", {"bootstrapToken": "wrong"}).status_code == 401
    assert relay.browser().post("/api/auth/login", {"bootstrapToken": BOOTSTRAP_TOKEN}).status_code == 200
    hashes = [(a.decode(), b.decode()) for a, b in compared]
    assert (sha256_hex("wrong"), BOOTSTRAP_HASH) in hashes and (sha256_hex(BOOTSTRAP_TOKEN), BOOTSTRAP_HASH) in hashes


def test_the_bootstrap_login_is_a_full_recovery_session_even_once_passkeys_exist(relay):
    assert register(relay.owner(), SoftAuthenticator(ORIGIN)).status_code == 200  # a passkey exists now
    result = relay.browser().post("/api/auth/login", {"bootstrapToken": BOOTSTRAP_TOKEN})
    assert result.status_code == 200 and result.json["auth"]["needsPasskeyEnrollment"] is False
    stored = session_record(relay, result.cookies[COOKIE].value)
    assert stored.recovery is True and stored.needs_passkey_enrollment is False


# --- rate limits ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/auth/login", {"bootstrapToken": "wrong"}),
        ("/api/auth/recovery/redeem", {"recoveryCode": "AAAA-AAAA-AAAA"}),
        ("/api/auth/invitations/redeem", {"inviteCode": "AAAA-AAAA-AAAA", "displayName": "X"}),
        ("/api/auth/login-code", {"loginCode": "AAAA-AAAA-AAAA"}),
        ("/api/auth/passkeys/login/options", {}),
    ],
)
def test_login_like_endpoints_are_rate_limited(make_relay, path, body):
    relay = make_relay(maxLoginAttemptsPerMinute=2)
    answers = [relay.browser().post(path, body) for _ in range(3)]
    assert all(a.status_code != 429 for a in answers[:2]), [a.text for a in answers]
    assert (answers[2].status_code, answers[2].json) == (429, {"error": "rate-limited"})


def test_the_budget_comes_back_after_a_minute(tmp_path):
    now = [1000.0]
    relay = Relay(tmp_path, "sqlite", maxLoginAttemptsPerMinute=2)
    try:
        app = create_app(relay.config, store=relay.store, clock=relay.clock, limiter=RateLimiter(MemoryVolatileStore(), now=lambda: now[0]))

        def attempt():
            return Browser(app).post("/api/auth/login", {"bootstrapToken": "wrong"}).status_code

        assert [attempt(), attempt(), attempt()] == [401, 401, 429]
        now[0] += 59.9
        assert attempt() == 429  # still the same minute
        now[0] += 0.2
        assert [attempt(), attempt(), attempt()] == [401, 401, 429]
    finally:
        relay.close()


@pytest.mark.parametrize(
    "address, bucket",
    [
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::9", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),  # an IPv4 client seen through a dual-stack socket
        ("203.0.113.7", "203.0.113.7"),
        ("not-an-address", "not-an-address"),
    ],
)
def test_ipv6_clients_are_counted_by_their_64(address, bucket):
    assert rate_limit_client(address) == bucket


def test_the_limiter_keeps_a_bounded_number_of_buckets():
    shared = MemoryVolatileStore(max_per_kind=6)  # a bucket is two entries: its window's start and its count
    limiter = RateLimiter(shared, now=lambda: 0.0)
    assert limiter.allow(("login", "10.0.0.1"), 1) is True
    assert limiter.allow(("login", "10.0.0.1"), 1) is False
    for n in range(2, 50):  # a flood of (spoofed) addresses
        limiter.allow(("login", f"10.0.0.{n}"), 1)
        assert shared.count("rate") <= 6
    assert shared.count("rate") == 6
    assert limiter.allow(("login", "10.0.0.1"), 1) is True  # its old bucket was dropped, not kept forever


# --- headers and static files ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/health", "/", "/api/nope", "/api/admin/state"])
def test_the_whole_csp_on_every_kind_of_response(relay, path):
    result = relay.browser().get(path)
    assert result.headers["content-security-policy"] == CSP.format(origin=ORIGIN), path


@pytest.fixture
def web_with_escapes(tmp_path):
    """A web folder holding symlinks to a secret outside it; returns (web_root, secret_dir)."""
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "secret.txt").write_text("TOP-SECRET-CONTENT")
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html><title>x</title>")
    (web / "leak.txt").symlink_to(secret / "secret.txt")
    (web / "leakdir").symlink_to(secret, target_is_directory=True)
    return web, secret


@pytest.mark.parametrize(
    "path",
    [
        "/leak.txt",
        "/leakdir/secret.txt",
        "/%2Fetc%2Fpasswd",
        "/%2e%2e/outside/secret.txt",
        "/..%2foutside%2fsecret.txt",
        "/.%2e/.%2e/outside/secret.txt",
        "//etc/passwd",
        "/%252e%252e/outside/secret.txt",
    ],
)
def test_static_files_never_leave_the_web_folder(tmp_path, web_with_escapes, path):
    web, secret = web_with_escapes
    relay = Relay(tmp_path, "sqlite")
    try:
        app = create_app(relay.config, store=relay.store, clock=relay.clock, web_root=web)
        result = Browser(app).get(path)
        assert result.status_code in (403, 404), (path, result.status_code)
        assert "TOP-SECRET" not in result.text and "root:" not in result.text
        assert Browser(app).get("/index.html").status_code == 200  # the folder itself is served
    finally:
        relay.close()


# --- passkey ceremonies ---------------------------------------------------------------------


def test_a_registration_challenge_does_not_survive_a_restart(tmp_path):
    relay = Relay(tmp_path, "sqlite")
    owner = relay.owner()
    options = owner.post(REGISTER_OPTIONS, {"label": "Phone"}).json
    credential = SoftAuthenticator(ORIGIN).create(options["publicKey"])
    relay.close()
    restarted = Relay(tmp_path, "sqlite")
    try:
        browser = restarted.browser()
        browser.cookies = dict(owner.cookies)  # the session survives the restart ...
        assert browser.get("/api/admin/state").status_code == 200
        result = browser.post(REGISTER_VERIFY, {"registrationId": options["registrationId"], "credential": credential})
        assert (result.status_code, result.json) == (400, {"error": "registration-not-found"})  # ... the challenge does not
        for path in (tmp_path / "data").rglob("*"):
            if path.is_file():
                assert options["publicKey"]["challenge"].encode() not in path.read_bytes(), path
    finally:
        restarted.close()


def test_an_enrollment_locked_recovery_session_may_revoke_its_own_passkeys(relay):
    from .passkey_helpers import add_locked_user

    invited = relay.browser()
    invited.cookies[COOKIE] = add_locked_user(relay.app, "Lin")
    authenticator = SoftAuthenticator(ORIGIN)
    assert register(invited, authenticator, label="Lost phone").status_code == 200
    owner = relay.owner()
    (lin,) = [u for u in owner.get("/api/admin/state").json["users"] if u["displayName"] == "Lin"]
    code = owner.post(f"/api/admin/users/{lin['userId']}/recovery-codes", {}).json["recoveryCode"]
    recovered = relay.browser()
    auth = recovered.post("/api/auth/recovery/redeem", {"recoveryCode": code}).json["auth"]
    assert auth["needsPasskeyEnrollment"] is True
    (lost,) = auth["passkeys"]
    assert recovered.post("/api/admin/pairings", {}).json["error"] == "passkey-enrollment-required"
    result = recovered.post(f"/api/admin/passkeys/{lost['passkeyId']}/revoke")
    assert result.status_code == 200 and result.json["auth"]["passkeys"] == []


# --- metadata only on disk ------------------------------------------------------------------


def test_result_text_never_reaches_disk(tmp_path, backend):
    """The other volatile fields are grepped in test_tasks.py; here a result that carries text
    (a read_session conversation) is accepted, shown to the phone, and still never written."""
    from .agent_helpers import pair_agent

    relay = Relay(tmp_path, backend)
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    task = owner.post("/api/admin/tasks", {"type": "read_session", "agentId": "agent-1", "sessionId": "s1"}).json["task"]
    assert [t["taskId"] for t in agent.poll(maxTasks=1)["tasks"]] == [task["taskId"]]
    result = {"sessionId": "s1", "title": "TITLE-MARKER", "cwd": "/work/CWD-MARKER", "messageCount": 1,
              "messages": [{"role": "user", "text": "RESULT-MARKER-結果"}]}  # fmt: skip
    assert agent.update(task["taskId"], status="completed", result=result).status_code == 200
    (shown,) = [t for t in owner.get("/api/admin/state").json["tasks"] if t["taskId"] == task["taskId"]]
    assert shown["result"]["messages"] == [{"role": "user", "text": "RESULT-MARKER-結果"}]
    relay.close()
    files = [path for path in (tmp_path / "data").rglob("*") if path.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        for marker in ("RESULT-MARKER", "結果", "TITLE-MARKER", "CWD-MARKER"):
            assert marker.encode() not in data and marker.encode("utf-16-le") not in data, (path, marker)
