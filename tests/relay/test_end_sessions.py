"""`mobile-codex end-sessions`: every browser session ends; signing in again works."""

from __future__ import annotations

from .conftest import Relay, real_time


def signed_in_everywhere(relay: Relay) -> list:
    """Two owner browsers and an invited (enrollment-locked) user."""
    owner, second = relay.owner(), relay.owner()
    code = owner.post("/api/admin/invitations", {"type": "workspace", "role": "viewer"}).json["inviteCode"]
    invited = relay.browser()
    assert invited.post("/api/auth/invitations/redeem", {"inviteCode": code, "displayName": "Ana"}).status_code == 200
    browsers = [owner, second, invited]
    assert [b.get("/api/admin/state").status_code for b in browsers] == [200, 200, 200]
    return browsers


def test_on_sqlite_it_ends_every_session_next_to_a_running_relay(tmp_path, run_cli):
    relay = real_time(Relay(tmp_path, "sqlite"))
    try:
        browsers = signed_in_everywhere(relay)
        done = run_cli("end-sessions", "--config", tmp_path / "relay.json")
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("ended 3 sessions;"), done.stdout
        assert [b.get("/api/admin/state").status_code for b in browsers] == [401, 401, 401]
        owner = relay.owner()
        assert owner.get("/api/admin/state").status_code == 200  # signing in again works
        (ended,) = owner.get("/api/admin/audit?kind=sessions.ended").json["events"]  # on the audit trail, by nobody
        assert (ended["details"], ended["actorUserId"], ended["clientAddress"]) == (
            {"reason": "end-sessions-command", "count": 3}, None, None)
        again = run_cli("end-sessions", "--config", tmp_path / "relay.json")
        assert again.returncode == 0 and again.stdout.startswith("ended 1 session;"), again.stdout
    finally:
        relay.close()


def test_on_json_it_needs_the_relay_stopped(tmp_path, run_cli):
    relay = Relay(tmp_path, "json")
    browsers = signed_in_everywhere(relay)
    done = run_cli("end-sessions", "--config", tmp_path / "relay.json")
    assert done.returncode == 1 and "stop the relay" in done.stderr.lower() and "Traceback" not in done.stderr
    relay.close()
    done = run_cli("end-sessions", "--config", tmp_path / "relay.json")
    assert done.returncode == 0 and done.stdout.startswith("ended 3 sessions;"), (done.stdout, done.stderr)
    again = real_time(Relay(tmp_path, "json"))
    try:
        for before in browsers:  # the same cookies, on the restarted relay
            after = again.browser()
            after.cookies = dict(before.cookies)
            assert after.cookies and after.get("/api/admin/state").status_code == 401
        assert again.owner().get("/api/admin/state").status_code == 200
    finally:
        again.close()


def test_a_missing_config_is_a_config_error(tmp_path, run_cli):
    done = run_cli("end-sessions", "--config", tmp_path / "nope.json")
    assert done.returncode == 2 and "nope.json" in done.stderr and "Traceback" not in done.stderr
