"""The OpenAPI document (relay_app/openapi, docs/openapi.json, GET /api/openapi.json) and the
relay agree: the same routes and methods, the same callers, body caps and rate limits; the
document is valid OpenAPI 3.1, the committed file is current, and real answers fit its schemas.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from mobile_codex.core.task_catalog import TASK_TYPES
from mobile_codex.relay_app import policy
from mobile_codex.relay_app.http.body import DEFAULT_BODY_CAP
from mobile_codex.relay_app.http.middleware import route_setting
from mobile_codex.relay_app.openapi import document, render
from mobile_codex.relay_app.openapi.operations import SECURITY
from mobile_codex.relay_app.openapi.schemas import TASK_FIELDS

from .agent_helpers import created, pair_agent
from .conftest import app_routes, route_resources
from .people_helpers import add_person, invite

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def shape(template: str) -> str:
    """Falcon's `{task_id}` and OpenAPI's `{taskId}` name the same segment."""
    return re.sub(r"\{[^}]+\}", "{}", template)


def documented(doc: dict) -> set[tuple[str, str]]:
    return {(method.upper(), shape(path)) for path, item in doc["paths"].items() for method in item}


def operation(doc: dict, method: str, template: str) -> dict:
    by_shape = {shape(path): item for path, item in doc["paths"].items()}
    return by_shape[shape(template)][method.lower()]


def test_every_route_is_documented_and_every_operation_is_served(relay):
    served = {(method, shape(path)) for method, path in app_routes(relay.app)}
    doc = document()
    assert len(served) > 30
    assert served - documented(doc) == set(), "routes the document lacks"
    assert documented(doc) - served == set(), "documented operations the relay does not serve"


def test_each_operation_names_who_may_call_it_as_the_policy_does(relay):
    doc = document()
    for method, path, resource in route_resources(relay.app):
        rule = policy.rule(route_setting(resource, "action", method, None))
        entry = operation(doc, method, path)
        assert entry["security"] == SECURITY[rule.caller], (method, path)
        errors = {code for status, answer in entry["responses"].items() if status >= "400"
                  for code in answer["content"]["application/json"]["schema"]["allOf"][1]["properties"]["error"]["enum"]}  # fmt: skip
        if rule.caller in (policy.SESSION, policy.MAYBE_SESSION):
            assert ("passkey-enrollment-required" in errors) is not rule.locked_ok, (method, path)
        if rule.role is not None or rule.relay_owner:
            assert "insufficient-role" in errors, (method, path)
        limited = route_setting(resource, "rate_limit", method, None) is not None
        assert ("rate-limited" in errors) is limited, (method, path)  # quotas answer 429 with codes of their own
        if method == "POST":
            cap = route_setting(resource, "body_cap", method, DEFAULT_BODY_CAP)
            assert f"at most {cap} bytes" in entry["requestBody"]["description"], (method, path)
            assert {"body-too-large", "invalid-json"} <= errors, (method, path)


def test_the_document_is_valid_openapi_3_1():
    doc = document()
    assert doc["openapi"].startswith("3.1.")
    validate(doc)  # raises on the first error


def test_the_committed_document_is_current():
    assert COMMITTED.read_text(encoding="utf-8") == render(), (
        "docs/openapi.json is stale: run `python -m mobile_codex.relay_app.openapi docs/openapi.json`"
    )  # fmt: skip


def test_the_relay_serves_it_to_anyone(relay):
    result = relay.browser().get("/api/openapi.json")
    assert result.status_code == 200
    assert result.json == json.loads(render())
    assert result.headers["cache-control"] == "public, max-age=300"
    assert result.headers["x-content-type-options"] == "nosniff"


def fits(doc: dict, method: str, template: str, status: int, body: dict) -> None:
    """`body` is valid against the operation's schema for `status`."""
    schema = operation(doc, method, template)["responses"][str(status)]["content"]["application/json"]["schema"]
    OAS31Validator({**schema, "components": doc["components"]}).validate(body)


def test_real_answers_fit_the_schemas(relay):
    doc = document()
    owner = relay.owner()
    agent = pair_agent(relay, owner, "vm")
    queued = created(owner, "vm")["taskId"]
    running = created(owner, "vm", prompt="second")["taskId"]
    polled = agent.post("/api/agent/poll", {"maxTasks": 1, "execModes": [{"id": "read-only", "writes": False}]})
    # one's own memberships (issue 21): an invited joiner lists theirs (with an inviter) and leaves
    joiner = add_person(relay, None, name="Lin").browser
    joined = joiner.post("/api/auth/invitations/redeem", {"inviteCode": invite(owner, role="viewer")[0]})
    assert joined.status_code == 200, joined.text
    mine = joiner.get("/api/auth/memberships")
    assert mine.json["memberships"][0]["invitedBy"]["displayName"] == "Owner"
    leave = "/api/auth/memberships/{membershipId}/leave"
    owners_own = owner.get("/api/auth/memberships").json["memberships"][0]["membershipId"]
    answers = [
        ("GET", "/api/auth/memberships", mine),
        ("POST", leave, joiner.post(leave.format(membershipId=mine.json["memberships"][0]["membershipId"]))),
        ("POST", leave, owner.post(leave.format(membershipId=owners_own))),  # 409 last-owner
        ("POST", leave, owner.post(leave.format(membershipId="membership_0000000000000000"))),  # 404
        ("GET", "/api/health", relay.browser().get("/api/health")),
        ("GET", "/api/auth/status", relay.browser().get("/api/auth/status")),
        ("GET", "/api/auth/status", owner.get("/api/auth/status")),
        ("POST", "/api/agent/poll", polled),
        ("POST", "/api/agent/tasks/{id}/update", agent.update(queued, status="completed", summary="done")),
        ("POST", "/api/admin/tasks/{id}/cancel", owner.post(f"/api/admin/tasks/{running}/cancel")),
        ("POST", "/api/admin/invitations", owner.post("/api/admin/invitations", {"type": "workspace"})),
        ("POST", "/api/admin/pairings", owner.post("/api/admin/pairings", {})),
        ("POST", "/api/admin/tasks/{id}/approve", owner.post("/api/admin/tasks/task_0000000000000000/approve")),
        ("POST", "/api/admin/tasks", relay.browser().post("/api/admin/tasks", {})),
        ("GET", "/api/admin/state", owner.get("/api/admin/state")),
    ]
    for method, template, result in answers:
        assert str(result.status_code) in operation(doc, method, template)["responses"], (template, result.text)
        fits(doc, method, template, result.status_code, result.json)
    state = answers[-1][2].json
    assert state["agents"] and state["tasks"] and state["invitations"], "the state view checked had records in it"
    assert polled.json["tasks"], "the poll reply checked had a task in it"


@pytest.mark.parametrize(
    "method, template, status, broken",
    [
        ("GET", "/api/health", 200, {"ok": False, "now": "2026-11-26T12:00:00.000Z"}),
        ("GET", "/api/health", 200, {"ok": True}),
        ("POST", "/api/admin/tasks", 401, {"detail": "no code"}),
        ("POST", "/api/admin/tasks", 401, {"error": "Not Kebab"}),
        ("POST", "/api/admin/tasks", 401, {"error": "insufficient-role"}),  # a code its status does not list
        ("POST", "/api/admin/tasks", 201, {"ok": True, "task": {"taskId": "task_1"}}),
    ],
)
def test_a_wrong_answer_does_not_fit(method, template, status, broken):
    """The schema check above can fail: answers of the wrong shape are refused."""
    with pytest.raises(ValidationError):
        fits(document(), method, template, status, broken)


def test_every_route_answers_as_documented_to_empty_and_broken_bodies(relay):
    """Each route, called by nobody and by the relay owner with an empty, a broken and a wrong-typed
    body, answers with a status and an error code its operation lists."""
    doc = document()
    callers = {"anonymous": relay.browser(), "owner": relay.owner()}
    bodies = [{"json": {}}, {"body": "{", "headers": {"content-type": "application/json"}},
              {"json": {"agentId": 1, "type": 2, "name": [], "workspaceId": {}, "credential": "x", "ttlSec": "x"}}]  # fmt: skip
    checked = 0
    for method, template in sorted(app_routes(relay.app)):
        if template in ("/api/auth/logout", "/api/admin/users/{user_id}/sessions/revoke"):
            continue  # they would end the owner's session for the routes after them
        path = re.sub(r"\{[^}]+\}", "none", template)
        for name, browser in callers.items():
            for body in bodies if method == "POST" else [{}]:
                result = browser.request(method, path, **body)
                responses = operation(doc, method, template)["responses"]
                assert str(result.status_code) in responses, (name, method, template, body, result.text)
                fits(doc, method, template, result.status_code, result.json)
                checked += 1
    assert checked > 150


def test_an_account_invitation_fits_its_schema(relay):
    """Found by the fuzzer: an account invite has no workspace and no role (both "", as the Node.js
    relay stores them), which the Invitation schema refused."""
    doc = document()
    owner = relay.owner()
    made = owner.post("/api/admin/invitations", {"type": "account"})
    assert made.status_code == 201 and made.json["invitation"]["role"] == ""
    fits(doc, "POST", "/api/admin/invitations", 201, made.json)
    revoked = owner.post(f"/api/admin/invitations/{made.json['invitation']['inviteId']}/revoke")
    fits(doc, "POST", "/api/admin/invitations/{id}/revoke", 200, revoked.json)
    fits(doc, "GET", "/api/admin/state", 200, owner.get("/api/admin/state").json)


@pytest.mark.parametrize("task_type", sorted(TASK_TYPES))
def test_task_create_names_each_types_own_required_field(relay, task_type):
    """The fuzzer's task creates all answered 400 while the document called them valid: each type
    requires its own field, not blank. The schema now says so, and agrees with the relay."""
    schema = {**document()["components"]["schemas"]["TaskCreate"], "components": document()["components"]}
    owner = relay.owner()
    pair_agent(relay, owner, "vm")
    field = TASK_FIELDS.get(task_type)
    assert field, f"{task_type}: name its required field in TASK_FIELDS (relay_app/openapi/schemas.py)"
    for blank in (None, " ", "a\0b"):
        body = {"type": task_type, "agentId": "vm"} | ({} if blank is None else {field: blank})
        answer = owner.post("/api/admin/tasks", body)
        assert (answer.status_code, answer.json) == (400, {"error": "invalid-field", "detail": field}), body
        with pytest.raises(ValidationError):
            OAS31Validator(schema).validate(body)
    OAS31Validator(schema).validate({"type": task_type, "agentId": "vm", field: "x"})
