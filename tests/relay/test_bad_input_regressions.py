"""Issue 15's attack report, replayed: every payload it sent, with the answer it must get now, against a
live relay (waitress on 127.0.0.1, real sockets, as the attack ran).

`PAYLOADS` holds the single requests (who sends what where, and the exact answer); the tests after it
replay what takes more than one request. Findings whose replay is a whole scenario, a browser or
another process live in the file `ELSEWHERE` names, and `test_every_finding_has_a_replay` fails when
one of those tests is renamed or removed. The per-route sweeps of `test_bad_input.py` (every POST
route against every malformed body, type, size and origin) stay there: this file is the report's list.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import time
from pathlib import Path

import attrs
import pytest

from .agent_helpers import Http, LiveRelay, pair_over_http
from .conftest import BOOTSTRAP_TOKEN, ORIGIN, app_routes

TESTS = Path(__file__).resolve().parents[1]
JSON = "application/json"
SECRET_TITLE = "deploy with AWS_SECRET=TITLE-SECRET-4b1e"


@attrs.frozen
class Payload:
    finding: str  # the report's number, or the name of an extra item
    who: str  # anyone | phone (the bootstrap owner's session) | agent (a paired agent's token)
    path: str
    body: str | bytes
    status: int
    error: str | None  # None: any answer below 500 except the refusals this file is about
    detail: str | None = None
    content_type: str | None = JSON


def _task(**fields) -> str:
    return json.dumps({"type": "codex_exec", "agentId": "a", "prompt": "p", **fields})


PAYLOADS = [
    # 2: bodies past a route's cap are refused by the relay (JSON 413); past waitress's limit, see below.
    Payload("2", "anyone", "/api/auth/login", json.dumps({"bootstrapToken": "x" * 5000}), 413, "body-too-large"),
    Payload("2", "agent", "/api/agent/poll", json.dumps({"pad": "x" * 140_000}), 413, "body-too-large"),
    # 8: a lone surrogate, on the anonymous and unthrottled route the report names (every route: below).
    Payload("8", "anyone", "/api/auth/login", '{"bootstrapToken": "\\ud800"}', 400, "invalid-json"),
    Payload("8", "phone", "/api/admin/workspaces", '{"name": "\\ud800"}', 400, "invalid-json"),
    Payload("8", "phone", "/api/admin/tasks", _task(prompt="x").replace('"x"', '"\\ud800"'), 400, "invalid-json"),
    Payload("8", "agent", "/api/agent/poll", '{"codexSessions": [{"title": "\\udfff"}]}', 400, "invalid-json"),
    # NUL: a NUL byte in what the agent turns into an argument, a path or an id is refused, not sent on
    # (it used to come back as `agent-error: ValueError`; the agent's own check: tests/agent/test_security_rules.py).
    Payload("nul", "phone", "/api/admin/tasks", _task(prompt="hi\0there"), 400, "invalid-field", "prompt"),
    Payload("nul", "phone", "/api/admin/tasks", _task(cwd="src\0"), 400, "invalid-field", "cwd"),
    Payload("nul", "phone", "/api/admin/tasks", _task(execMode="\0"), 400, "invalid-field", "execMode"),
    Payload("nul", "phone", "/api/admin/tasks", _task(resumeSessionId="0\0"), 400, "invalid-field", "resumeSessionId"),
    Payload("nul", "phone", "/api/admin/tasks", _task(type="run_action", actionId="t\0"), 400, "invalid-field", "actionId"),
    Payload("nul", "phone", "/api/admin/tasks", _task(type="read_log", logSourceId="l\0"), 400, "invalid-field", "logSourceId"),
    Payload("nul", "phone", "/api/admin/tasks", _task(type="read_session", sessionId="s\0"), 400, "invalid-field", "sessionId"),
    Payload("nul", "phone", "/api/admin/tasks", _task(type="delete_session", sessionId="s\0"), 400, "invalid-field", "sessionId"),
    Payload("nul", "phone", "/api/admin/tasks", _task(type="run_action", agentId="a\0", actionId="t"), 400, "invalid-field", "agentId"),
    # 415: what another site's page may send without a preflight reaches no browser route ...
    Payload("415", "anyone", "/api/auth/login", json.dumps({"bootstrapToken": BOOTSTRAP_TOKEN}), 415,
            "unsupported-media-type", content_type="text/plain"),
    Payload("415", "phone", "/api/admin/tasks", _task(), 415, "unsupported-media-type", content_type="text/plain;charset=UTF-8"),
    Payload("415", "phone", "/api/admin/invitations", '{"type": "account", "role": "owner"}', 415, "unsupported-media-type",
            content_type="application/x-www-form-urlencoded"),
    Payload("415", "phone", "/api/admin/invitations", "type=account&role=owner", 400, "invalid-json",
            content_type="application/x-www-form-urlencoded"),  # not JSON at all: that answer comes first (http/body.py)
    Payload("415", "phone", "/api/admin/workspaces", '{"name": "w"}', 415, "unsupported-media-type", content_type=None),
    # ... while body-less POSTs stay as they are, and agents (not browsers) are not asked for a type.
    Payload("415", "phone", "/api/auth/logout", "", 200, None, content_type="text/plain"),
    Payload("415", "agent", "/api/agent/poll", "{}", 200, None, content_type="text/plain"),
]  # fmt: skip

# Findings replayed outside this file: (file under tests/, test function).
ELSEWHERE = {
    "2: allowed bodies stay in memory, never in a temp file": ("relay/test_body_limits.py", "test_the_server_limit_sits_just_above_the_largest_route_cap"),
    "2: bodies up to the largest cap reach the relay": ("relay/test_body_limits.py", "test_bodies_at_and_just_over_the_largest_cap_reach_the_relay"),
    "3: one agent cannot take every held slot": ("relay/test_held_per_principal.py", "test_one_agent_holds_at_most_its_share_of_polls"),
    "3: one session cannot take every held slot": ("relay/test_held_per_principal.py", "test_one_session_holds_at_most_its_share_of_state_waits"),
    "3: the app answered early backs off": ("web/test_live_backoff.py", "test_a_wait_answered_early_is_followed_by_a_pause_not_a_storm"),
    "4: one user's sign-ins never end another's session": ("relay/test_people_users.py", "test_the_session_cap_is_per_user"),
    "5: a remote sign-out wipes the device's task text": ("web/test_task_cache.py", "test_a_remote_sign_out_wipes_this_users_task_details_from_the_device"),
    "6: another workspace's flood never wipes a queued prompt": ("relay/test_task_quotas.py", "test_a_flood_from_another_workspace_never_wipes_a_queued_prompt"),
    "6: unfinished tasks per workspace are capped": ("relay/test_task_quotas.py", "test_unfinished_tasks_per_workspace_are_capped"),
    "6: a missing prompt fails as prompt-missing": ("agent/test_flags.py", "test_a_codex_task_without_its_prompt_is_failed_not_run"),
    "7: the state view reads only its workspace's invitations": ("relay/test_invitation_quotas.py", "test_the_state_view_reads_only_this_workspaces_invitations"),
    "7: invitation creation is capped": ("relay/test_invitation_quotas.py", "test_active_invitations_per_workspace_are_capped"),
    "9: another workspace cannot probe whether an agent id exists": ("relay/test_agent_workspaces.py", "test_another_workspace_learns_nothing_about_vm"),
    "9: a pending pair request blocks no other workspace": ("relay/test_agent_workspaces.py", "test_a_pending_request_in_one_workspace_does_not_block_another"),
    "9: a revoked agent is not replaced from another workspace": ("relay/test_agent_workspaces.py", "test_a_revoked_vm_stays_in_its_workspace_when_another_pairs_vm"),
    "cursor: another workspace's activity wakes no phone": ("relay/test_change_cursor.py", "test_activity_in_another_workspace_does_not_answer_a_held_wait"),
    "cursor: an agent's last-seen write wakes no phone": ("relay/test_change_cursor.py", "test_an_agent_poll_that_writes_last_seen_does_not_answer_a_held_wait"),
    "nul: the agent fails a NUL byte with a stable code": ("agent/test_security_rules.py", "test_a_nul_byte_in_an_argument_field_fails_the_task_with_a_stable_code"),
    "idempotency: a retried create gives the first task": ("relay/test_idempotency.py", "test_the_same_key_gives_the_same_task"),
    "retention: history does not grow without end": ("relay/test_retention.py", "test_finished_tasks_and_spent_codes_go_after_retention"),
}  # fmt: skip


@pytest.fixture
def live(tmp_path):
    instance = LiveRelay(tmp_path)
    yield instance
    instance.close()


@pytest.fixture
def no_tracebacks(caplog):
    """The report's log flood: no bad input may log an error or a traceback (from any thread)."""
    caplog.set_level(logging.WARNING)
    yield
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == [], [r.getMessage() for r in bad]


def send(live: LiveRelay, path: str, body: str | bytes, *, content_type: str | None = JSON, cookie=None, token=None):
    """(status, parsed JSON or raw bytes) of one POST over a real socket, the bytes sent as they are."""
    headers = {"Origin": ORIGIN}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if cookie:
        headers["Cookie"] = cookie
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
    try:
        conn.request("POST", path, body=body.encode() if isinstance(body, str) else body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(raw) if raw else None
    except ValueError:
        return response.status, raw


def credentials(live: LiveRelay, who: str) -> dict:
    if who == "anyone":
        return {}
    phone = live.phone()
    if who == "phone":
        return {"cookie": phone.cookie}
    return {"token": pair_over_http(live, phone).token}


def fill(template: str) -> str:
    return "/".join("x" if part.startswith("{") else part for part in template.split("/"))


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"{p.finding}-{p.path}-{p.status}" for p in PAYLOADS])
def test_each_payload_gets_its_answer(live, no_tracebacks, payload):
    status, body = send(live, payload.path, payload.body, content_type=payload.content_type, **credentials(live, payload.who))
    assert status == payload.status, body
    if payload.error is not None:
        assert body == {"error": payload.error, **({"detail": payload.detail} if payload.detail else {})}
    else:
        assert not (isinstance(body, dict) and body.get("error") in {"unsupported-media-type", "invalid-json"}), body
    assert Http(live.port).get("/api/health")[0] == 200


# --- 8: every route that takes a body ---------------------------------------------------------------

SURROGATE_BODIES = [
    '{"name": "a\\ud800", "prompt": "a\\ud800", "inviteCode": "\\ud800", "displayName": "\\udfff"}',
    '{"workspaceId": "\\ud800", "recoveryCode": "\\ud800", "code": "\\ud800", "agentId": "\\ud800"}',
    '{"cwd": "\\udc00", "status": "\\ud800", "outputAppend": "x\\ud800y", "note": "\\ud83d"}',
    '{"\\ud800": 1}',
]


def test_a_lone_surrogate_is_invalid_json_on_every_post_route(live, no_tracebacks):
    """Signed in (as the attack was) and not: 400 `invalid-json`, never a 500 with a logged traceback."""
    phone = live.phone()
    agent = pair_over_http(live, phone)
    routes = sorted(template for method, template in app_routes(live.app) if method == "POST")
    assert len(routes) >= 16  # the report found 16 of them answering 500
    for template in routes:
        signed_in = {"token": agent.token} if template.startswith("/api/agent/") else {"cookie": phone.cookie}
        for raw in SURROGATE_BODIES:
            for who in ({}, signed_in):
                assert send(live, fill(template), raw, **who) == (400, {"error": "invalid-json"}), (template, raw, who)


# --- 2: a 64 MiB body to the anonymous login ----------------------------------------------------------


def test_a_64_mib_login_is_refused_before_it_is_read(live):
    """Headers announcing 64 MiB and a few bytes of body: waitress's plain-text 413 at once (docs/security.md),
    not a wait for the rest while it spools to a temp file."""
    head = (
        "POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Origin: {ORIGIN}\r\nContent-Length: {64 * 1024 * 1024}\r\n\r\n"
    )
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        sock.sendall(head.encode() + b'{"bootstrapToken": "')
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 5


# --- 1: a title made of task text ------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "json"])
def test_a_title_taken_from_task_text_never_reaches_disk(tmp_path, backend):
    """The app names a read_session task after the Codex session, whose title falls back to its first
    message: shown while the relay runs, stored as the task type."""
    live = LiveRelay(tmp_path, backend=backend)
    try:
        phone = live.phone()
        pair_over_http(live, phone)
        bodies = [
            {"type": "read_session", "sessionId": "s1"}, {"type": "delete_session", "sessionId": "s1"},
            {"type": "codex_exec", "prompt": "p", "resumeSessionId": "s1"}, {"type": "codex_exec", "prompt": "p"},
        ]  # fmt: skip
        ids = []
        for body in bodies:
            status, made = phone.post("/api/admin/tasks", {"agentId": "agent-1", "title": f"{SECRET_TITLE} {body['type']}", **body})
            assert status == 201 and made["task"]["title"] == f"{SECRET_TITLE} {body['type']}", made  # shown back
            ids.append(made["task"]["taskId"])
        status, _ = phone.post(
            "/api/admin/tasks", {"type": "run_action", "agentId": "agent-1", "actionId": "status", "title": "ACTION-LABEL-CONTROL"}
        )  # fmt: skip
        assert status == 201
        status, view = phone.get("/api/admin/state")
        assert sum(SECRET_TITLE in task["title"] for task in view["tasks"]) == len(bodies)
        with live.store.transaction(write=False) as tx:
            assert [tx.tasks.get(task_id).title for task_id in ids] == [body["type"] for body in bodies]
    finally:
        live.close()
    files = [path for path in (tmp_path / "data").rglob("*") if path.is_file()]
    assert files
    for path in files:
        assert b"TITLE-SECRET" not in path.read_bytes(), path
    assert any(b"ACTION-LABEL-CONTROL" in path.read_bytes() for path in files)  # the search finds stored titles


# --- rate limits: IPv6 clients by /64 ----------------------------------------------------------------------


def test_addresses_of_one_ipv6_64_share_one_login_budget(tmp_path):
    """A client with a /64 cannot get a fresh budget per address; the next /64 has its own. (Behind a
    trusted proxy, which is how an IPv6 client reaches a loopback-bound relay.)"""
    live = LiveRelay(tmp_path, maxLoginAttemptsPerMinute=2, trustedProxies=["127.0.0.1"])
    try:

        def attempt(address: str) -> int:
            conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
            try:
                headers = {"Content-Type": JSON, "Origin": ORIGIN, "X-Forwarded-For": address}
                conn.request("POST", "/api/auth/login", body=b'{"bootstrapToken": "wrong"}', headers=headers)
                return conn.getresponse().status
            finally:
                conn.close()

        assert [attempt(f"2001:db8:1:2::{n}") for n in range(1, 4)] == [401, 401, 429]
        assert attempt("2001:db8:1:2:ffff:ffff:ffff:ffff") == 429
        assert attempt("2001:db8:1:3::1") == 401
    finally:
        live.close()


# --- the list itself -----------------------------------------------------------------------------------------


def test_every_finding_has_a_replay():
    here = {p.finding for p in PAYLOADS} | {"1", "8", "ipv6"}
    there = {name.split(":")[0] for name in ELSEWHERE}
    assert {str(n) for n in range(1, 10)} | {"nul", "415", "ipv6", "cursor", "idempotency", "retention"} <= here | there
    for name, (path, test) in ELSEWHERE.items():
        assert f"def {test}(" in (TESTS / path).read_text(), f"{name}: {path}::{test} is gone"
