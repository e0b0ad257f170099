"""POST /api/auth/login-code and the `mobile-codex login-code` command."""

from __future__ import annotations

import re

from mobile_codex.core.crypto import normalize_code, sha256_hex
from mobile_codex.relay_app.services.login_codes import mint_login_code

from .agent_helpers import relay_with  # noqa: F401
from .conftest import Relay, real_time

URL = re.compile(r"http://localhost:8787/#code=([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})")


def redeem(relay, code, browser=None):
    browser = browser or relay.browser()
    return browser, browser.post("/api/auth/login-code", {"loginCode": code})


def test_login_code_signs_in_once_as_the_owner(relay):
    code = mint_login_code(relay.app.relay.store, relay.clock)
    with relay.store.transaction(write=False) as tx:
        (record,) = tx.login_codes.find()
    assert record.code_hash == sha256_hex(normalize_code(code)) and record.expires_at == "2026-11-26T12:15:00.000Z"
    browser, result = redeem(relay, code.lower().replace("-", " "))
    assert result.status_code == 200 and result.json["ok"] is True
    auth = result.json["auth"]
    assert auth["currentUser"]["displayName"] == "Owner" and auth["currentRole"] == "owner" and auth["needsPasskeyEnrollment"] is False
    assert "mobilecodex_session=" in result.headers["set-cookie"]
    with relay.store.transaction(write=False) as tx:
        session = tx.sessions.get(sha256_hex(browser.cookies["mobilecodex_session"]))
    assert session.recovery is True and session.needs_passkey_enrollment is False
    assert browser.get("/api/auth/status").json["authenticated"] is True
    _, again = redeem(relay, code)
    assert (again.status_code, again.json) == (401, {"error": "invalid-login-code", "detail": "spent"})


def test_invalid_and_expired_codes(relay):
    for code in ("AAAA-BBBB-CCCC", "", "short"):
        _, result = redeem(relay, code)
        assert (result.status_code, result.json) == (401, {"error": "invalid-login-code"})
    _, result = redeem(relay, 123)
    assert result.json == {"error": "invalid-field", "detail": "loginCode"}
    code = mint_login_code(relay.app.relay.store, relay.clock)
    relay.clock.advance(15 * 60)
    assert redeem(relay, code)[1].json == {"error": "invalid-login-code", "detail": "expired"}


def test_a_spent_code_says_spent_even_after_it_expired(relay):
    code = mint_login_code(relay.app.relay.store, relay.clock)
    assert redeem(relay, code)[1].status_code == 200
    relay.clock.advance(16 * 60)
    _, result = redeem(relay, code)
    assert (result.status_code, result.json) == (401, {"error": "invalid-login-code", "detail": "spent"})


def test_spent_and_expired_codes_are_cleared_when_minting(relay):
    store = relay.app.relay.store
    first = mint_login_code(store, relay.clock)
    redeem(relay, first)
    mint_login_code(store, relay.clock)
    relay.clock.advance(16 * 60)
    mint_login_code(store, relay.clock)
    with relay.store.transaction(write=False) as tx:
        assert tx.login_codes.count() == 1


def test_login_code_is_rate_limited_and_checks_origin(relay_with):
    relay = relay_with(maxLoginAttemptsPerMinute=2)
    for _ in range(2):
        redeem(relay, "AAAA-BBBB-CCCC")
    _, result = redeem(relay, mint_login_code(relay.app.relay.store, relay.clock))
    assert (result.status_code, result.json) == (429, {"error": "rate-limited"})
    other = relay_with()
    result = other.browser(origin="http://evil.example").post("/api/auth/login-code", {"loginCode": "x"})
    assert result.json == {"error": "origin-mismatch"}


def test_cli_login_code_on_sqlite_works_next_to_a_running_relay(tmp_path, run_cli):
    relay = real_time(Relay(tmp_path, "sqlite"))
    try:
        done = run_cli("login-code", "--config", tmp_path / "relay.json")
        assert done.returncode == 0, done.stderr
        code = URL.search(done.stdout).group(1)
        assert redeem(relay, code)[1].status_code == 200
    finally:
        relay.close()


def test_cli_login_code_on_json_needs_the_relay_stopped(tmp_path, run_cli):
    relay = Relay(tmp_path, "json")
    done = run_cli("login-code", "--config", tmp_path / "relay.json")
    assert done.returncode == 1 and "stop the relay" in done.stderr.lower() and "Traceback" not in done.stderr
    relay.close()
    done = run_cli("login-code", "--config", tmp_path / "relay.json")
    assert done.returncode == 0, done.stderr
    code = URL.search(done.stdout).group(1)
    again = real_time(Relay(tmp_path, "json"))
    try:
        assert redeem(again, code)[1].status_code == 200
    finally:
        again.close()


def test_cli_login_code_on_a_new_data_dir_creates_the_owner(tmp_path, run_cli):
    from .conftest import make_config

    make_config(tmp_path, "sqlite")
    done = run_cli("login-code", "--config", tmp_path / "relay.json")
    assert done.returncode == 0, done.stderr
    relay = real_time(Relay(tmp_path, "sqlite"))
    try:
        _, result = redeem(relay, URL.search(done.stdout).group(1))
        assert result.json["auth"]["currentUser"]["displayName"] == "Owner"
    finally:
        relay.close()

