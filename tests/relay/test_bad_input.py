"""Bad-input catalogue: every POST endpoint answers bad bodies, bad ids, bad cookies and foreign
origins with its stable 4xx — never a 500, never exception text — and the relay keeps serving.

`POST_ROUTES` lists every POST route of the app with its body cap and how it authenticates;
`test_catalogue_covers_every_post_route` fails when the app grows a POST route not listed here.
The payloads of issue 15's attack report (lone surrogates, NUL bytes, ...) are replayed against a
live relay in `test_bad_input_regressions.py`.
"""

from __future__ import annotations

import attrs
import pytest

from .conftest import ORIGIN, app_routes
from .people_helpers import COOKIE, add_person, invite, recovery_code_for, redeem_invite

MIB = 1024 * 1024


@attrs.frozen
class PostRoute:
    cap: int = 4096
    auth: str = "session"  # session (incl. locked-ok) | anyone | agent


POST_ROUTES = {
    "/api/auth/login": PostRoute(auth="anyone"),
    "/api/auth/logout": PostRoute(auth="anyone"),
    "/api/auth/workspace": PostRoute(),
    "/api/auth/profile": PostRoute(),
    "/api/auth/login-code": PostRoute(auth="anyone"),
    "/api/auth/invitations/redeem": PostRoute(auth="anyone"),
    "/api/auth/recovery/redeem": PostRoute(auth="anyone"),
    "/api/auth/passkeys/register/options": PostRoute(),
    "/api/auth/passkeys/register/verify": PostRoute(cap=65536),
    "/api/auth/passkeys/login/options": PostRoute(auth="anyone"),
    "/api/auth/passkeys/login/verify": PostRoute(cap=65536, auth="anyone"),
    "/api/admin/passkeys/{passkey_id}/revoke": PostRoute(),
    "/api/admin/notifications/devices": PostRoute(),
    "/api/admin/notifications/devices/{device_id}/revoke": PostRoute(),
    "/api/admin/notifications/preferences": PostRoute(),
    "/api/admin/notifications/test": PostRoute(),
    "/api/admin/workspaces": PostRoute(),
    "/api/admin/workspaces/current/settings": PostRoute(),
    "/api/admin/invitations": PostRoute(),
    "/api/admin/invitations/{invite_id}/revoke": PostRoute(),
    "/api/admin/users/{user_id}/disable": PostRoute(),
    "/api/admin/users/{user_id}/enable": PostRoute(),
    "/api/admin/users/{user_id}/delete": PostRoute(),
    "/api/admin/users/{user_id}/sessions/revoke": PostRoute(),
    "/api/admin/users/{user_id}/recovery-codes": PostRoute(),
    "/api/admin/memberships/{membership_id}/revoke": PostRoute(),
    "/api/auth/memberships/{membership_id}/leave": PostRoute(),  # issue 21
    "/api/admin/pairings": PostRoute(),
    "/api/admin/pair-requests/{request_id}/approve": PostRoute(),
    "/api/admin/pair-requests/{request_id}/reject": PostRoute(),
    "/api/admin/tasks": PostRoute(cap=16384),
    "/api/admin/tasks/{task_id}/approve": PostRoute(),
    "/api/admin/tasks/{task_id}/reject": PostRoute(),
    "/api/admin/tasks/{task_id}/cancel": PostRoute(),
    "/api/admin/tasks/{task_id}/requests/{request_id}/answer": PostRoute(),
    "/api/admin/tasks/{task_id}/steer": PostRoute(cap=65536),
    "/api/admin/agents/{agent_id}/revoke": PostRoute(),
    "/api/agent/pair": PostRoute(auth="anyone"),
    "/api/agent/pair/status": PostRoute(auth="anyone"),
    "/api/agent/poll": PostRoute(cap=131072, auth="agent"),
    "/api/agent/tasks/{task_id}/update": PostRoute(cap=MIB, auth="agent"),
    "/api/agent/goodbye": PostRoute(auth="agent"),
    "/api/agent/passkeys": PostRoute(auth="agent"),
}
ID_ROUTES = sorted(t for t in POST_ROUTES if "{" in t)
SESSION_ROUTES = sorted(t for t, r in POST_ROUTES.items() if r.auth == "session")
ALL_POST = sorted(POST_ROUTES)
ALLOWED_KEYS = {"error", "detail", "auth"}


def fill(template: str, value: str = "x") -> str:
    """A concrete path: every `{id}` segment replaced by `value` (already URL-encoded)."""
    parts = template.split("/")
    return "/".join(value if part.startswith("{") else part for part in parts)


def assert_stable(result, status: int, code: str | set[str], detail: str | None = None) -> None:
    """A JSON error with the expected code, no stack trace, no exception text."""
    assert result.status_code == status, result.text[:300]
    body = result.json
    assert isinstance(body, dict) and set(body) <= ALLOWED_KEYS, body
    assert body["error"] in (code if isinstance(code, set) else {code}), body
    if detail is not None:
        assert body.get("detail") == detail, body
    for marker in ("Traceback", "Error(", "Exception", 'File "', "line "):
        assert marker not in result.text


def still_serving(relay) -> None:
    assert relay.browser().get("/api/health").status_code == 200


def test_catalogue_covers_every_post_route(relay):
    served = {template for method, template in app_routes(relay.app) if method == "POST"}
    assert served - set(POST_ROUTES) == set(), "POST routes missing from the bad-input catalogue"
    assert set(POST_ROUTES) - served == set(), "catalogue entries for routes the app lacks"


# --- bodies --------------------------------------------------------------------------------------

NOT_OBJECTS = ["not json", "{", "[1, 2]", "[]", '"text"', "42", "null", "true", "[" * 3000, b"\xff\xfe{}", '{"a": 1} trailing']


@pytest.mark.parametrize("template", ALL_POST)
def test_bodies_that_are_not_a_json_object(relay, template):
    browser = relay.browser()
    for raw in NOT_OBJECTS:
        result = browser.post(fill(template), body=raw, headers={"content-type": "application/json"})
        assert_stable(result, 400, "invalid-json")
    still_serving(relay)


@pytest.mark.parametrize("template", ALL_POST)
def test_oversize_bodies(relay, template):
    cap = POST_ROUTES[template].cap
    browser = relay.browser()
    body = '{"pad": "' + "x" * cap + '"}'
    assert_stable(browser.post(fill(template), body=body, headers={"content-type": "application/json"}), 413, "body-too-large")
    still_serving(relay)


BROWSER_POST = sorted(t for t in ALL_POST if t.startswith(("/api/auth/", "/api/admin/")))
# Bodies a page on another site may send without a preflight, and near misses of the JSON type.
NOT_JSON_TYPES = [
    "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
    "text/json", "application/jsonx", "application/json-patch+json", None,
]  # fmt: skip


@pytest.mark.parametrize("template", BROWSER_POST)
def test_browser_posts_with_a_body_must_be_labelled_json(relay, template):
    browser = relay.browser()
    for content_type in NOT_JSON_TYPES:
        headers = {} if content_type is None else {"content-type": content_type}
        result = browser.post(fill(template), body='{"a": 1}', headers=headers)
        assert_stable(result, 415, "unsupported-media-type")
    for content_type in ("application/json; charset=utf-8", "Application/JSON"):
        result = browser.post(fill(template), body='{"a": 1}', headers={"content-type": content_type})
        assert result.status_code != 415 and result.status_code < 500, result.text
    for body in ("", " \n"):  # body-less POSTs (logout, approve) are not asked for a type
        result = browser.post(fill(template), body=body, headers={"content-type": "text/plain"})
        assert result.status_code != 415 and result.status_code < 500, result.text
    still_serving(relay)


def test_agent_posts_are_not_asked_for_a_type(relay):
    """Agents (old ones included) are not browsers: their routes read any JSON body as before."""
    browser = relay.browser(origin=None)
    for template in (t for t in ALL_POST if t.startswith("/api/agent/")):
        result = browser.post(fill(template), body='{"a": 1}', headers={"content-type": "text/plain"})
        assert result.json.get("error") != "unsupported-media-type" and result.status_code < 500, result.text


@pytest.mark.parametrize("template", ALL_POST)
def test_foreign_origin(relay, template):
    result = relay.browser(origin="https://evil.example").post(fill(template), {})
    if template.startswith(("/api/auth/", "/api/admin/")):
        assert_stable(result, 403, "origin-mismatch")
    else:  # agents send no Origin and are not checked
        assert result.json.get("error") != "origin-mismatch" and result.status_code < 500


@pytest.mark.parametrize("template", SESSION_ROUTES)
def test_bad_session_cookies(relay, template):
    good = relay.owner().cookies[COOKIE]
    path = fill(template)
    browser = relay.browser()
    assert_stable(browser.post(path, {}), 401, "missing-session")
    for forged in ("forged", good[:-1] + ("A" if good[-1] != "A" else "B"), good + "x", "", "%00", "a" * 3000):
        browser.cookies[COOKIE] = forged
        result = browser.post(path, {})
        assert_stable(result, 401, {"invalid-session", "missing-session"})
        assert "Max-Age=0" in result.headers["set-cookie"]
    relay.clock.advance(relay.config.session_ttl_sec + 1)
    browser.cookies[COOKIE] = good
    assert_stable(browser.post(path, {}), 401, "invalid-session")


# --- ids in paths --------------------------------------------------------------------------------

TRAVERSAL_IDS = ["..", "%2e%2e", "%252e%252e", "a%00b", "%252F", "x%5C..%5Cy", "%C3%BC", "%F0%9F%92%A5", "a" * 3000, "%20", "'%20OR%201=1--"]


@pytest.mark.parametrize("template", [t for t in ID_ROUTES if t.startswith("/api/admin/")])
def test_traversal_ids_are_not_found(relay, template):
    owner = relay.owner()
    for value in TRAVERSAL_IDS:
        result = owner.post(fill(template, value))
        assert_stable(result, 404, {"not-found", *NOT_FOUND_CODES})
    still_serving(relay)


@pytest.mark.parametrize("value", ["..%2F..%2Fx", "a%2Fb", "%2F", "..%2f"])
def test_encoded_slashes_in_ids_answer_404(relay, value):
    """An encoded slash makes the path another (unknown) one: 404 JSON before any other check."""
    owner = relay.owner()
    for template in ID_ROUTES:
        assert_stable(owner.post(fill(template, value)), 404, "not-found")
        assert_stable(relay.browser().post(fill(template, value)), 404, "not-found")


@pytest.mark.parametrize("value", ["..", "%00", "%2e%2e"])
def test_agent_id_routes_refuse_without_a_token(relay, value):
    for template in (t for t in ID_ROUTES if t.startswith("/api/agent/")):
        assert_stable(relay.browser().post(fill(template, value), {}), 401, "missing-token")


NOT_FOUND_CODES = {
    "passkey-not-found", "invitation-not-found", "user-not-found", "membership-not-found", "pair-request-not-found",
    "task-not-found", "agent-not-found", "device-not-found",
}  # fmt: skip


# --- fields of the people endpoints ----------------------------------------------------------------

FIELD_CASES = [
    # (route, raw JSON body, status, code, detail) — sent by the bootstrap owner unless the route is anonymous
    ("/api/auth/workspace", "{}", 400, "invalid-field", "workspaceId"),
    ("/api/auth/workspace", '{"workspaceId": 5}', 400, "invalid-field", "workspaceId"),
    ("/api/auth/workspace", '{"workspaceId": "../../etc"}', 404, "workspace-not-found", None),
    ("/api/admin/workspaces", "{}", 400, "invalid-field", "name"),
    ("/api/admin/workspaces/current/settings", "{}", 400, "invalid-field", "requireSecondApprover"),
    ("/api/admin/workspaces/current/settings", '{"requireSecondApprover": 1}', 400, "invalid-field", "requireSecondApprover"),
    ("/api/auth/profile", '{"displayName": ["a"]}', 400, "invalid-field", "displayName"),
    ("/api/admin/workspaces", '{"name": 5}', 400, "invalid-field", "name"),
    ("/api/admin/workspaces", '{"name": ["a"]}', 400, "invalid-field", "name"),
    ("/api/admin/workspaces", '{"name": {"a": 1}}', 400, "invalid-field", "name"),
    ("/api/admin/workspaces", '{"name": "\\t\\n "}', 400, "invalid-field", "name"),
    ("/api/admin/invitations", '{"type": 5}', 400, "invalid-field", "type"),
    ("/api/admin/invitations", '{"type": "Workspace"}', 400, "invalid-field", "type"),
    ("/api/admin/invitations", '{"role": "root"}', 400, "invalid-field", "role"),
    ("/api/admin/invitations", '{"role": ["owner"]}', 400, "invalid-field", "role"),
    ("/api/admin/invitations", '{"note": 5}', 400, "invalid-field", "note"),
    ("/api/admin/invitations", '{"ttlSec": "600"}', 400, "invalid-field", "ttlSec"),
    ("/api/admin/invitations", '{"ttlSec": false}', 400, "invalid-field", "ttlSec"),
    ("/api/admin/invitations", '{"ttlSec": NaN}', 400, "invalid-field", "ttlSec"),
    ("/api/admin/invitations", '{"ttlSec": {}}', 400, "invalid-field", "ttlSec"),
    ("/api/admin/users/{me}/recovery-codes", '{"ttlSec": "x"}', 400, "invalid-field", "ttlSec"),
    ("/api/admin/users/{me}/recovery-codes", '{"note": false}', 400, "invalid-field", "note"),
    ("/api/auth/invitations/redeem", "{}", 400, "invalid-field", "inviteCode"),
    ("/api/auth/invitations/redeem", '{"inviteCode": 5, "displayName": "a"}', 400, "invalid-field", "inviteCode"),
    ("/api/auth/invitations/redeem", '{"inviteCode": "AAAA-BBBB-CCCC"}', 400, "invalid-field", "displayName"),
    ("/api/auth/invitations/redeem", '{"inviteCode": "AAAA-BBBB-CCCC", "displayName": ["a"]}', 400, "invalid-field", "displayName"),
    ("/api/auth/invitations/redeem", '{"inviteCode": "AAAA-BBBB-CCCC", "displayName": "a"}', 401, "invalid-invite-code", None),
    ("/api/auth/invitations/redeem", '{"inviteCode": "\\uff21\\uff21\\uff21\\uff21", "displayName": "a"}', 401, "invalid-invite-code", None),
    ("/api/auth/recovery/redeem", "{}", 400, "invalid-field", "recoveryCode"),
    ("/api/auth/recovery/redeem", '{"recoveryCode": 123456789012}', 400, "invalid-field", "recoveryCode"),
    ("/api/auth/recovery/redeem", '{"recoveryCode": "AAAA-BBBB-CCCC"}', 401, "invalid-recovery-code", None),
    ("/api/auth/recovery/redeem", '{"recoveryCode": "../../AAAA-BBBB-CCCC/.."}', 401, "invalid-recovery-code", None),
]
ANONYMOUS_ROUTES = ("/api/auth/invitations/redeem", "/api/auth/recovery/redeem")


@pytest.mark.parametrize(("route", "raw", "status", "code", "detail"), FIELD_CASES)
def test_field_errors(relay, route, raw, status, code, detail):
    owner = relay.owner()
    me = owner.get("/api/auth/status").json["auth"]["currentUser"]["userId"]
    browser = relay.browser() if route in ANONYMOUS_ROUTES else owner
    result = browser.post(route.replace("{me}", me), body=raw, headers={"content-type": "application/json"})
    assert_stable(result, status, code, detail)


def test_very_long_strings_are_clamped_not_refused(relay):
    owner = relay.owner()
    long = "界" * 1000  # 3000 bytes, inside the 4096-byte body cap
    assert owner.post("/api/admin/workspaces", {"name": long}).json["workspace"]["name"] == "界" * 26  # 78 of 80 bytes
    code, invitation = invite(owner, note=long)
    assert invitation["note"] == "界" * 40
    _, result = redeem_invite(relay, code, display_name=long)
    assert result.json["auth"]["currentUser"]["displayName"] == "界" * 26
    person = add_person(relay, "viewer")
    recovery = owner.post(f"/api/admin/users/{person.user_id}/recovery-codes", {"note": long}).json["recovery"]
    assert recovery["note"] == "界" * 40


def test_unicode_oddities_are_kept_as_text(relay):
    owner = relay.owner()
    for name in ("\u202eevil", "a\u0000b", "🙂" * 5, "e\u0301"):
        result = owner.post("/api/admin/workspaces", {"name": name})
        assert result.status_code == 201 and result.json["workspace"]["name"] == name


# --- codes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["expired", "used", "revoked", "replayed-after-failure"])
def test_spent_invite_codes(relay, state):
    owner = relay.owner()
    code, invitation = invite(owner, ttlSec=300)
    if state == "expired":
        relay.clock.advance(301)
    elif state == "used":
        redeem_invite(relay, code)
    elif state == "revoked":
        owner.post(f"/api/admin/invitations/{invitation['inviteId']}/revoke")
    else:
        assert redeem_invite(relay, code)[1].status_code == 200
        relay.clock.advance(1)
    assert_stable(redeem_invite(relay, code)[1], 401, "invalid-invite-code")
    still_serving(relay)


@pytest.mark.parametrize("state", ["expired", "used", "replaced"])
def test_spent_recovery_codes(relay, state):
    owner = relay.owner()
    person = add_person(relay, "viewer", signed_in=False)
    code, _ = recovery_code_for(owner, person.user_id, ttlSec=300)
    if state == "expired":
        relay.clock.advance(301)
    elif state == "used":
        assert relay.browser().post("/api/auth/recovery/redeem", {"recoveryCode": code}).status_code == 200
    else:
        recovery_code_for(owner, person.user_id)
    result = relay.browser().post("/api/auth/recovery/redeem", {"recoveryCode": code})
    assert_stable(result, 401, "invalid-recovery-code")


def test_origin_header_matching_is_exact(relay):
    for origin in (ORIGIN + "/", ORIGIN.upper(), "null", ORIGIN + ".evil.example", "http://localhost:8788"):
        result = relay.browser(origin=origin).post("/api/auth/invitations/redeem", {"inviteCode": "x"})
        assert_stable(result, 403, "origin-mismatch")
    # No Origin header at all (curl, older browsers on same-origin GET-like POSTs) passes to the next check.
    result = relay.browser(origin=None).post("/api/auth/invitations/redeem", {"inviteCode": "AAAA-BBBB-CCCC", "displayName": "a"})
    assert_stable(result, 401, "invalid-invite-code")
