"""Pairing: codes, pair requests, their status, approve/reject, `expired`, flags and errors."""

from __future__ import annotations

import re

from mobile_codex.core.crypto import normalize_code, sha256_hex

from .agent_helpers import (
    AgentClient, member, only_agent, relay_with, new_pairing_code, other_workspace, pair_agent, pair_status, request_pairing, state_parts, stored,
)  # fmt: skip

CODE = re.compile(r"[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{4}-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{4}")


def test_create_pairing_code(relay):
    owner = relay.owner()
    result = owner.post("/api/admin/pairings", {"note": "build box"})
    assert result.status_code == 201
    body = result.json
    assert set(body) == {"ok", "pairingId", "pairingCode", "expiresAt"} and CODE.fullmatch(body["pairingCode"])
    assert body["pairingId"].startswith("pair_") and body["expiresAt"] == "2026-11-26T12:05:00.000Z"
    record = stored(relay, "pairings", body["pairingId"])
    assert record.code_hash == sha256_hex(normalize_code(body["pairingCode"])) and record.note == "build box"


def test_pairing_ttl_is_clamped(relay):
    owner = relay.owner()
    assert owner.post("/api/admin/pairings", {"ttlSec": 5}).json["expiresAt"] == "2026-11-26T12:01:00.000Z"
    assert owner.post("/api/admin/pairings", {"ttlSec": 10**9}).json["expiresAt"] == "2026-11-26T12:30:00.000Z"
    assert owner.post("/api/admin/pairings", {"ttlSec": "60"}).json == {"error": "invalid-field", "detail": "ttlSec"}


def test_pairing_needs_operator(relay):
    assert member(relay, "viewer").post("/api/admin/pairings", {}).json == {"error": "insufficient-role"}
    assert member(relay, "operator").post("/api/admin/pairings", {}).status_code == 201
    assert relay.browser().post("/api/admin/pairings", {}).json == {"error": "missing-session"}


def test_pairings_flag_off_blocks_codes_and_pairing(relay_with):
    relay = relay_with(features={"pairings": False})
    owner = relay.owner()
    result = owner.post("/api/admin/pairings", {})
    assert (result.status_code, result.json) == (403, {"error": "pairings-disabled"})
    result = request_pairing(relay, "ABCD-EFGH", "a1")
    assert (result.status_code, result.json) == (403, {"error": "pairings-disabled"})
    # Fields are checked before flags.
    assert request_pairing(relay, "ABCD-EFGH", "").json == {"error": "missing-agent-id"}


def test_pair_request_and_field_errors(relay):
    owner = relay.owner()
    code = new_pairing_code(owner, note="n")
    for agent_id in (None, ""):
        result = request_pairing(relay, code, agent_id)
        assert (result.status_code, result.json) == (400, {"error": "missing-agent-id"})
    for agent_id in ("../etc", "a b", "x" * 65, 5, ["a"]):
        result = request_pairing(relay, code, agent_id)
        assert (result.status_code, result.json) == (400, {"error": "invalid-field", "detail": "agentId"})
    assert request_pairing(relay, 12345678, "a1").json == {"error": "invalid-field", "detail": "pairingCode"}
    result = request_pairing(relay, code.lower().replace("-", " "), "box.1_a-b", label="Box", hostname="h", workspaceRootName="repo")
    assert result.status_code == 200
    body = result.json
    assert body["status"] == "pending" and body["requestId"].startswith("pairreq_") and len(body["requestToken"]) >= 32
    request = stored(relay, "pair_requests", body["requestId"])
    assert request.access_hash == sha256_hex(body["requestToken"]) and (request.label, request.hostname) == ("Box", "h")
    # The code is spent.
    again = request_pairing(relay, code, "other")
    assert (again.status_code, again.json) == (401, {"error": "invalid-pairing-code"})


def test_invalid_and_expired_codes(relay):
    owner = relay.owner()
    assert request_pairing(relay, "AAAA-AAAA", "a1").json == {"error": "invalid-pairing-code"}
    assert request_pairing(relay, "", "a1").json == {"error": "invalid-pairing-code"}
    code = new_pairing_code(owner, ttlSec=60)
    relay.clock.advance(61)
    result = request_pairing(relay, code, "a1")
    assert (result.status_code, result.json) == (401, {"error": "invalid-pairing-code"})


def test_agent_id_already_registered_and_request_already_pending(relay):
    owner = relay.owner()
    pair_agent(relay, owner, "taken")
    result = request_pairing(relay, new_pairing_code(owner), "taken")
    assert (result.status_code, result.json) == (409, {"error": "agent-id-already-registered"})
    assert request_pairing(relay, new_pairing_code(owner), "twice").status_code == 200
    result = request_pairing(relay, new_pairing_code(owner), "twice")
    assert (result.status_code, result.json) == (409, {"error": "pair-request-already-pending"})


def test_revoked_agent_id_can_pair_again(relay):
    owner = relay.owner()
    pair_agent(relay, owner, "again")
    assert owner.post("/api/admin/agents/again/revoke").json == {"ok": True}
    agent = pair_agent(relay, owner, "again")
    assert agent.poll()["ok"] is True


def test_status_flow_approve_then_token_once(relay):
    owner = relay.owner()
    pending = request_pairing(relay, new_pairing_code(owner), "a1", label="L", workspaceRootName="ws").json
    rid, rtok = pending["requestId"], pending["requestToken"]
    assert pair_status(relay, rid, rtok).json == {"ok": True, "status": "pending"}
    approved = owner.post(f"/api/admin/pair-requests/{rid}/approve")
    assert approved.status_code == 200
    view = approved.json["request"]
    assert view["status"] == "approved" and view["approvedAt"] == "2026-11-26T12:00:00.000Z" and view["agentId"] == "a1"
    assert set(view) == {
        "requestId", "pairingId", "status", "note", "agentId", "label", "hostname", "workspaceRootName",
        "createdAt", "expiresAt", "approvedAt", "rejectedAt",
    }  # fmt: skip
    done = pair_status(relay, rid, rtok).json
    assert done["status"] == "approved" and done["token"].count(".") == 2
    agent = only_agent(relay.store, "a1")
    assert agent.token_hash == sha256_hex(done["token"]) and agent.label == "L" and agent.workspace_root_name == "ws"
    assert stored(relay, "pair_requests", rid).status == "completed"
    assert pair_status(relay, rid, rtok).json == {"ok": True, "status": "completed"}  # never shown again
    assert AgentClient(relay.app, done["token"]).poll()["ok"] is True


def test_status_errors(relay):
    owner = relay.owner()
    pending = request_pairing(relay, new_pairing_code(owner), "a1").json
    result = pair_status(relay, "pairreq_0000000000000000", pending["requestToken"])
    assert (result.status_code, result.json) == (404, {"error": "pair-request-not-found"})
    result = pair_status(relay, pending["requestId"], "wrong")
    assert (result.status_code, result.json) == (401, {"error": "pair-request-token-invalid"})
    assert pair_status(relay, "", "").json == {"error": "pair-request-not-found"}


def test_reject_and_expired(relay):
    owner = relay.owner()
    rejected = request_pairing(relay, new_pairing_code(owner), "r1").json
    result = owner.post(f"/api/admin/pair-requests/{rejected['requestId']}/reject")
    assert result.json["request"]["status"] == "rejected" and result.json["request"]["rejectedAt"]
    assert pair_status(relay, rejected["requestId"], rejected["requestToken"]).json["status"] == "rejected"
    again = owner.post(f"/api/admin/pair-requests/{rejected['requestId']}/approve")
    assert (again.status_code, again.json) == (409, {"error": "pair-request-not-pending"})

    late = request_pairing(relay, new_pairing_code(owner, ttlSec=60), "e1").json
    relay.clock.advance(61)
    assert pair_status(relay, late["requestId"], late["requestToken"]).json == {"ok": True, "status": "expired"}
    result = owner.post(f"/api/admin/pair-requests/{late['requestId']}/approve")
    assert (result.status_code, result.json) == (409, {"error": "pair-request-not-pending"})
    # An expired request no longer blocks the agent id.
    assert request_pairing(relay, new_pairing_code(owner), "e1").status_code == 200


def test_decide_errors_and_roles(relay):
    owner = relay.owner()
    pending = request_pairing(relay, new_pairing_code(owner), "a1").json
    path = f"/api/admin/pair-requests/{pending['requestId']}/approve"
    assert member(relay, "viewer").post(path).json == {"error": "insufficient-role"}
    _, stranger = other_workspace(relay)
    result = stranger.post(path)
    assert (result.status_code, result.json) == (404, {"error": "pair-request-not-found"})
    result = owner.post("/api/admin/pair-requests/pairreq_0000000000000000/reject")
    assert (result.status_code, result.json) == (404, {"error": "pair-request-not-found"})
    assert member(relay, "operator").post(path).status_code == 200


def test_pending_pair_requests_in_state_view(relay):
    owner = relay.owner()
    ids = [request_pairing(relay, new_pairing_code(owner), f"agent-{i}").json["requestId"] for i in range(3)]
    for i in range(22):
        relay.clock.advance(1)
        ids.append(request_pairing(relay, new_pairing_code(owner), f"more-{i}").json["requestId"])
    parts = state_parts(relay, owner)
    listed = [r["requestId"] for r in parts["pendingPairRequests"]]
    assert listed == ids[::-1][:20]
    _, stranger = other_workspace(relay)
    assert state_parts(relay, stranger)["pendingPairRequests"] == []


def test_expired_requests_do_not_crowd_live_ones_out_of_the_state_view(relay):
    owner = relay.owner()
    live = []
    for i in range(20):
        relay.clock.advance(1)
        live.append(request_pairing(relay, new_pairing_code(owner, ttlSec=1800), f"live-{i}").json["requestId"])
    for i in range(20):  # newer, but their codes run out first
        relay.clock.advance(1)
        assert request_pairing(relay, new_pairing_code(owner, ttlSec=60), f"short-{i}").status_code == 200
    relay.clock.advance(61)
    listed = state_parts(relay, owner)["pendingPairRequests"]
    assert [r["requestId"] for r in listed] == live[::-1]
    assert {r["status"] for r in listed} == {"pending"}


def test_pair_is_rate_limited(relay_with):
    relay = relay_with(maxPairAttemptsPerMinute=2)
    codes = [new_pairing_code(relay.owner()) for _ in range(3)]
    assert request_pairing(relay, codes[0], "a").status_code == 200
    assert request_pairing(relay, "AAAA-AAAA", "b").status_code == 401
    result = request_pairing(relay, codes[2], "c")
    assert (result.status_code, result.json) == (429, {"error": "rate-limited"})


def test_pair_bad_bodies(relay):
    from falcon import testing

    client = testing.TestClient(relay.app)
    assert client.simulate_post("/api/agent/pair", body="[1]").json == {"error": "invalid-json"}
    assert client.simulate_post("/api/agent/pair", body="{").json == {"error": "invalid-json"}
    assert client.simulate_post("/api/agent/pair", body="x" * 5000).status_code == 413
    assert client.simulate_post("/api/agent/pair/status", body="nope").json == {"error": "invalid-json"}
    assert client.simulate_get("/api/agent/pair").status_code == 405
