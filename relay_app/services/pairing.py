"""Pairing an agent: code (phone) -> request (agent) -> approve (phone) -> token (agent).

An operator makes a short pairing code (only while the `pairings` flag is on); the agent spends it
on a pair request and gets a request token; an operator approves or rejects the request; the agent,
polling the request's status with its request token, receives its agent token exactly once (the
agent record is created then and the request becomes `completed`). A request still pending past
its code's expiry reads as `expired`. Only SHA-256 of codes and tokens is stored.
"""

from __future__ import annotations

import secrets
from typing import Any

import attrs

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.crypto import new_id, new_short_code, normalize_code, same_secret, sha256_hex
from mobile_codex.core.identity import AGENT_ID
from mobile_codex.core.records import Agent, Pairing, PairRequest
from mobile_codex.core.store import Store
from mobile_codex.core.timeutil import Clock, iso, iso_after

from ..errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized, invalid_field
from ..fields import clamped_int, text
from .agent_tokens import issue_agent_token
from .task_views import pair_request_status, pair_request_view

PENDING_IN_VIEW = 20


@attrs.frozen(kw_only=True)
class PairBody:
    pairing_code: str
    agent_id: str
    label: str
    hostname: str
    workspace_root_name: str


def parse_pair_body(body: dict[str, Any]) -> PairBody:
    agent_id = body.get("agentId")
    if agent_id is None or agent_id == "":
        raise BadRequest("missing-agent-id")
    if not isinstance(agent_id, str) or not AGENT_ID.fullmatch(agent_id):
        raise invalid_field("agentId")
    return PairBody(
        pairing_code=text(body, "pairingCode", 120), agent_id=agent_id,
        label=text(body, "label", 120).strip() or agent_id, hostname=text(body, "hostname", 120),
        workspace_root_name=text(body, "workspaceRootName", 120),
    )  # fmt: skip


class PairingService:
    def __init__(self, store: Store, config: RelayConfig, clock: Clock):
        self.store = store
        self.config = config
        self.clock = clock

    def _require_flag(self) -> None:
        if not self.config.features.pairings:
            raise Forbidden("pairings-disabled")

    def create_code(self, workspace_id: str, body: dict[str, Any]) -> dict[str, Any]:
        note = text(body, "note", 120)
        ttl = clamped_int(body, "ttlSec", default=300, lo=60, hi=1800)
        self._require_flag()
        code = new_short_code(2)
        now = self.clock()
        pairing = Pairing(
            pairing_id=new_id("pair"), workspace_id=workspace_id, note=note, code_hash=sha256_hex(normalize_code(code)),
            created_at=iso(now), expires_at=iso_after(now, ttl),
        )  # fmt: skip
        with self.store.transaction() as tx:
            tx.pairings.put(pairing)
        return {"ok": True, "pairingId": pairing.pairing_id, "pairingCode": code, "expiresAt": pairing.expires_at}

    def request(self, body: PairBody) -> dict[str, Any]:
        self._require_flag()
        now = self.clock()
        code_hash = sha256_hex(normalize_code(body.pairing_code))
        request_token = secrets.token_urlsafe(32)
        with self.store.transaction() as tx:
            found = tx.pairings.find(code_hash=code_hash, limit=1) if normalize_code(body.pairing_code) else []
            pairing = found[0] if found else None
            if pairing is None or pairing.used_at or pairing.revoked_at or pairing.expires_at <= iso(now):
                raise Unauthorized("invalid-pairing-code")
            existing = tx.agents.get(body.agent_id)
            if existing is not None and existing.revoked_at is None:
                raise Conflict("agent-id-already-registered")
            for other in tx.pair_requests.find(agent_id=body.agent_id, status="pending"):
                if pair_request_status(other, now) == "pending":
                    raise Conflict("pair-request-already-pending")
            request = PairRequest(
                request_id=new_id("pairreq"), pairing_id=pairing.pairing_id, workspace_id=pairing.workspace_id,
                status="pending", access_hash=sha256_hex(request_token), note=pairing.note, agent_id=body.agent_id,
                label=body.label, hostname=body.hostname, workspace_root_name=body.workspace_root_name,
                created_at=iso(now), expires_at=pairing.expires_at,
            )  # fmt: skip
            tx.pairings.put(attrs.evolve(pairing, used_at=iso(now)))
            tx.pair_requests.put(request)
        return {"ok": True, "status": "pending", "requestId": request.request_id, "requestToken": request_token, "expiresAt": request.expires_at}

    def status(self, request_id: str, request_token: str) -> dict[str, Any]:
        now = self.clock()
        with self.store.transaction(write=False) as tx:
            status = self._checked_status(tx, request_id, request_token, now)
        if status != "approved":
            return {"ok": True, "status": status}
        with self.store.transaction() as tx:
            if self._checked_status(tx, request_id, request_token, now) != "approved":
                return {"ok": True, "status": tx.pair_requests.get(request_id).status}  # another call completed it
            request = tx.pair_requests.get(request_id)
            existing = tx.agents.get(request.agent_id)
            if existing is not None and existing.revoked_at is None:
                raise Conflict("agent-id-already-registered")
            token = issue_agent_token(self.config.token_secret, agent_id=request.agent_id, workspace_id=request.workspace_id, now=now)
            tx.agents.put(
                Agent(
                    agent_id=request.agent_id, workspace_id=request.workspace_id, label=request.label,
                    created_at=iso(now), token_hash=sha256_hex(token), workspace_root_name=request.workspace_root_name,
                )
            )  # fmt: skip
            tx.pair_requests.put(attrs.evolve(request, status="completed", completed_at=iso(now)))
        return {"ok": True, "status": "approved", "token": token}

    @staticmethod
    def _checked_status(tx, request_id: str, request_token: str, now) -> str:
        request = tx.pair_requests.get(request_id) if request_id else None
        if request is None:
            raise NotFound("pair-request-not-found")
        if not request.access_hash or not same_secret(sha256_hex(request_token), request.access_hash):
            raise Unauthorized("pair-request-token-invalid")
        return pair_request_status(request, now)

    def decide(self, workspace_id: str, request_id: str, *, approve: bool) -> dict[str, Any]:
        now = self.clock()
        with self.store.transaction() as tx:
            request = tx.pair_requests.get(request_id)
            if request is None or request.workspace_id != workspace_id:
                raise NotFound("pair-request-not-found")
            if pair_request_status(request, now) != "pending":
                raise Conflict("pair-request-not-pending")
            if approve:
                request = attrs.evolve(request, status="approved", approved_at=iso(now))
            else:
                request = attrs.evolve(request, status="rejected", rejected_at=iso(now))
            tx.pair_requests.put(request)
        return {"ok": True, "request": pair_request_view(request, now)}

    def pending_views(self, tx, workspace_id: str) -> list[dict[str, Any]]:
        """The newest live pending requests. Expiry is computed, not stored, so the store cannot
        filter it: drop the expired ones first, then take PENDING_IN_VIEW, or newer expired
        requests would crowd live ones out of the view."""
        now = self.clock()
        newest = tx.pair_requests.find(workspace_id=workspace_id, status="pending", order_by="-created_at")
        live = [r for r in newest if pair_request_status(r, now) == "pending"]
        return [pair_request_view(r, now) for r in live[:PENDING_IN_VIEW]]
