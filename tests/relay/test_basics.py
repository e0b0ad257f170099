"""The app shell: health, 404/405 JSON, headers everywhere, static files, bootstrap login."""

from __future__ import annotations

import pytest

from .conftest import BOOTSTRAP_TOKEN

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


def assert_security_headers(result):
    for name, value in SECURITY_HEADERS.items():
        assert result.headers.get(name) == value, name
    assert "frame-ancestors 'none'" in result.headers["content-security-policy"]
    assert "connect-src 'self' http://localhost:8787" in result.headers["content-security-policy"]


def test_health(relay):
    result = relay.browser().get("/api/health")
    assert result.status_code == 200
    assert result.json == {"ok": True, "now": "2026-11-26T12:00:00.000Z"}
    assert result.headers["cache-control"] == "no-store"
    assert_security_headers(result)


def test_ready_says_whether_the_store_answers(relay):
    result = relay.browser().get("/api/ready")
    assert (result.status_code, result.json) == (200, {"ok": True, "storage": "ok", "volatile": "ok"})
    assert result.headers["cache-control"] == "no-store"
    relay.app.relay.store.close()  # as if the database were gone: not ready, yet alive
    result = relay.browser().get("/api/ready")
    assert (result.status_code, result.json) == (503, {"error": "not-ready", "detail": "storage"})
    assert relay.browser().get("/api/health").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [("GET", "/api/nope", 404, "not-found"), ("GET", "/api", 404, "not-found"), ("POST", "/api/health", 405, "method-not-allowed"),
     ("DELETE", "/api/auth/status", 405, "method-not-allowed")],
)  # fmt: skip
def test_unknown_routes_and_methods_answer_json(relay, method, path, status, code):
    result = relay.browser().request(method, path)
    assert (result.status_code, result.json) == (status, {"error": code})
    assert_security_headers(result)


def test_headers_on_401_and_413_and_static(relay):
    browser = relay.browser()
    assert_security_headers(browser.post("/api/auth/workspace", {"workspaceId": "ws_x"}))
    too_big = browser.post("/api/auth/login", body="x" * 5000, headers={"content-type": "application/json"})
    assert (too_big.status_code, too_big.json) == (413, {"error": "body-too-large"})
    assert_security_headers(too_big)
    page = browser.get("/")
    assert page.status_code == 200 and "<html" in page.text and page.headers["cache-control"] == "no-store"
    assert_security_headers(page)


@pytest.mark.parametrize("path", ["/../setup.py", "/%2e%2e/setup.py", "/%252e%252e/setup.py", "/..%2fsetup.py", "//etc/passwd"])
def test_static_traversal_is_forbidden(relay, path):
    result = relay.browser().get(path)
    assert result.status_code in (403, 404) and result.json["error"] in ("forbidden", "not-found")
    assert "root:" not in result.text and "setup(" not in result.text


def test_static_python_files_are_not_served(relay):
    assert relay.browser().get("/__init__.py").status_code == 404


def test_options_preflight(relay):
    result = relay.browser().request("OPTIONS", "/api/anything")
    assert result.status_code == 204
    assert result.headers["access-control-allow-origin"] == "http://localhost:8787"
    assert result.headers["access-control-allow-methods"] == "GET,POST,OPTIONS"
    assert result.headers["access-control-allow-headers"] == "content-type,authorization"


def test_bootstrap_login_status_and_logout(relay):
    browser = relay.browser()
    anonymous = browser.get("/api/auth/status").json
    assert anonymous["authenticated"] is False and anonymous["auth"]["currentUser"] is None
    auth = browser.login_bootstrap()
    assert auth["currentUser"]["displayName"] == "Owner" and auth["isRelayOwner"] is True
    assert auth["currentRole"] == "owner" and [w["name"] for w in auth["workspaces"]] == ["Primary"]
    assert auth["permissions"]["manageRelayUsers"] is True and auth["needsPasskeyEnrollment"] is False
    assert browser.get("/api/auth/status").json["authenticated"] is True
    assert browser.post("/api/auth/logout").json == {"ok": True}
    assert browser.cookies == {}
    assert browser.get("/api/auth/status").json["authenticated"] is False


def test_session_cookie_attributes(relay):
    result = relay.browser().post("/api/auth/login", {"bootstrapToken": BOOTSTRAP_TOKEN})
    header = result.headers["set-cookie"]
    assert header.startswith("mobilecodex_session=")
    for part in ("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"):
        assert part in header
    assert "Secure" not in header  # http origin


def test_wrong_bootstrap_token(relay):
    result = relay.browser().post("/api/auth/login", {"bootstrapToken": "nope"})
    assert (result.status_code, result.json) == (401, {"error": "invalid-bootstrap-token"})


def test_foreign_origin_is_refused_before_anything_else(relay):
    result = relay.browser(origin="http://evil.example").post("/api/auth/login", {"bootstrapToken": BOOTSTRAP_TOKEN})
    assert (result.status_code, result.json) == (403, {"error": "origin-mismatch"})


def test_dead_cookie_is_cleared_by_status(relay):
    browser = relay.browser()
    browser.cookies["mobilecodex_session"] = "forged"
    result = browser.get("/api/auth/status")
    assert result.json["authenticated"] is False
    assert "Max-Age=0" in result.headers["set-cookie"]
    assert browser.post("/api/auth/workspace", {"workspaceId": "x"}).json == {"error": "missing-session"}


def test_sessions_survive_a_restart(tmp_path, backend, new_dsn):
    from .conftest import Relay

    dsn = new_dsn()
    first = Relay(tmp_path, backend, dsn=dsn)
    browser = first.owner()
    cookies = dict(browser.cookies)
    first.close()
    second = Relay(tmp_path, backend, dsn=dsn)
    again = second.browser()
    again.cookies = cookies
    assert again.get("/api/auth/status").json["authenticated"] is True
    second.close()


def test_workspace_switch(relay):
    browser = relay.owner()
    assert browser.post("/api/auth/workspace", {"workspaceId": "ws_0000000000000000"}).json == {"error": "workspace-not-found"}
    assert browser.post("/api/auth/workspace", {"workspaceId": 5}).json == {"error": "invalid-field", "detail": "workspaceId"}


def test_at_most_64_sessions_and_the_newest_survives_even_within_one_millisecond(relay):
    """The clock stands still: every session shares one created_at."""
    browsers = [relay.owner() for _ in range(70)]
    assert browsers[-1].get("/api/auth/status").json["authenticated"] is True
    alive = sum(b.get("/api/auth/status").json["authenticated"] for b in browsers)
    assert alive == 64
