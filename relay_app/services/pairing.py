"""Pairing an agent: code (phone) -> request (agent) -> approve (phone) -> token (agent).

An operator makes a short pairing code (only while the `pairings` flag is on); the agent spends it
on a pair request and gets a request token; an operator approves or rejects the request; the agent,
polling the request's status with its request token, receives its agent token exactly once (the
agent record is created then and the request becomes `completed`). A request still pending past
its code's expiry reads as `expired`. Only SHA-256 of codes and tokens is stored.

Agent ids are per workspace (issue 15): everything here looks at the pairing code's workspace only,
so a request in another workspace neither sees, blocks nor replaces an agent or pending request of
the same id. In its own workspace a revoked id may be paired again: the new agent takes the revoked
record's place (and its tasks' history), which is how an agent whose token was lost or leaked comes
back (docs/operations.md); a live id answers `agent-id-already-registered`.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import attrs

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.crypto import new_id, new_short_code, normalize_code, same_secret, sha256_hex
from mobile_codex.core.records import Agent, Pairing, PairRequest
from mobile_codex.core.store import Store, Transaction
from mobile_codex.core.timeutil import Clock, iso, iso_after

from .notifications import NotificationService
from ..errors import Conflict, Forbidden, NotFound, Unauthorized
from .agent_tokens import issue_agent_token
from .audit_trail import note
from .pair_status import pair_request_status

PENDING_IN_VIEW = 20
CODE_TTL_DEFAULT, CODE_TTL_MIN, CODE_TTL_MAX = 300, 60, 1800
NOTE_BUDGET = 120
# Housekeeping deletes codes and requests this long after they stopped mattering: long enough for an
# agent still asking about its request to be told `expired` or `rejected`, not `not found`.
RETENTION_SEC = 24 * 3600


@attrs.frozen(kw_only=True)
class PairBody:
    """An agent's pair request, read from its body."""

    pairing_code: str
    agent_id: str
    label: str
    hostname: str
    workspace_root_name: str


@attrs.frozen
class IssuedCode:
    code: str  # shown once; only its hash is stored
    pairing: Pairing


@attrs.frozen
class PendingRequest:
    request: PairRequest
    request_token: str  # the agent's proof when it asks for the status; only its hash is stored


@attrs.frozen
class PairStatus:
    status: str  # pending | approved | rejected | completed | expired
    token: str | None = None  # the agent token, handed over exactly once (with `approved`)


class PairingService:
    def __init__(self, store: Store, config: RelayConfig, clock: Clock, *, notify: NotificationService):
        self.store = store
        self.config = config
        self.clock = clock
        self.notify = notify  # operators and owners hear of a pair request

    def _require_flag(self) -> None:
        if not self.config.features.pairings:
            raise Forbidden("pairings-disabled")

    def create_code(self, workspace_id: str, *, note: str = "", ttl_sec: int = CODE_TTL_DEFAULT) -> IssuedCode:
        self._require_flag()
        code = new_short_code(2)
        now = self.clock()
        pairing = Pairing(
            pairing_id=new_id("pair"), workspace_id=workspace_id, note=note, code_hash=sha256_hex(normalize_code(code)),
            created_at=iso(now), expires_at=iso_after(now, ttl_sec),
        )  # fmt: skip
        with self.store.transaction() as tx:
            tx.pairings.put(pairing)
        return IssuedCode(code, pairing)

    def request(self, body: PairBody) -> PendingRequest:
        self._require_flag()
        now = self.clock()
        code_hash = sha256_hex(normalize_code(body.pairing_code))
        request_token = secrets.token_urlsafe(32)
        with self.store.transaction() as tx:
            found = tx.pairings.find(code_hash=code_hash, limit=1) if normalize_code(body.pairing_code) else []
            pairing = found[0] if found else None
            if pairing is None or pairing.used_at or pairing.revoked_at or pairing.expires_at <= iso(now):
                raise Unauthorized("invalid-pairing-code")
            # Only the code's workspace is looked at: another workspace's agent of the same id is
            # neither found nor blocked nor replaced (issue 15).
            existing = tx.agents.get((pairing.workspace_id, body.agent_id))
            if existing is not None and existing.revoked_at is None:
                raise Conflict("agent-id-already-registered")
            same_id = tx.pair_requests.find(workspace_id=pairing.workspace_id, agent_id=body.agent_id, status="pending")
            for other in same_id:
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
        self.notify.pair_request(request)
        return PendingRequest(request, request_token)

    def status(self, request_id: str, request_token: str) -> PairStatus:
        now = self.clock()
        with self.store.transaction(write=False) as tx:
            status = self._checked_status(tx, request_id, request_token, now)
        if status != "approved":
            return PairStatus(status)
        with self.store.transaction() as tx:
            if self._checked_status(tx, request_id, request_token, now) != "approved":
                return PairStatus(tx.pair_requests.get(request_id).status)  # another call completed it
            request = tx.pair_requests.get(request_id)
            existing = tx.agents.get((request.workspace_id, request.agent_id))
            if existing is not None and existing.revoked_at is None:
                raise Conflict("agent-id-already-registered")
            token = self._fresh_token(request, existing, now)
            tx.agents.put(
                Agent(
                    agent_id=request.agent_id, workspace_id=request.workspace_id, label=request.label,
                    created_at=iso(now), token_hash=sha256_hex(token), workspace_root_name=request.workspace_root_name,
                )
            )  # fmt: skip
            tx.pair_requests.put(attrs.evolve(request, status="completed", completed_at=iso(now)))
        return PairStatus("approved", token)

    def _fresh_token(self, request, revoked: Agent | None, now) -> str:
        """A token for the new agent that is not its revoked namesake's. Tokens carry no random part
        (the reference's format), so one issued in the same second as the revoked agent's would be
        byte for byte that token, and the revoked token would work again: issue it a second later."""
        while True:
            token = issue_agent_token(
                self.config.token_secret, agent_id=request.agent_id, workspace_id=request.workspace_id, now=now
            )  # fmt: skip
            if revoked is None or sha256_hex(token) not in (revoked.token_hash, revoked.next_token_hash):
                return token
            now += timedelta(seconds=1)

    @staticmethod
    def _checked_status(tx, request_id: str, request_token: str, now) -> str:
        request = tx.pair_requests.get(request_id) if request_id else None
        if request is None:
            raise NotFound("pair-request-not-found")
        if not request.access_hash or not same_secret(sha256_hex(request_token), request.access_hash):
            raise Unauthorized("pair-request-token-invalid")
        return pair_request_status(request, now)

    def decide(self, workspace_id: str, request_id: str, *, approve: bool) -> PairRequest:
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
            note(tx, "pairing.approved" if approve else "pairing.rejected", at=iso(now), workspace_id=workspace_id,
                 record=("pair-request", request_id), agentId=request.agent_id or None)
        return request

    def pending(self, tx: Transaction, workspace_id: str) -> list[PairRequest]:
        """The newest live pending requests. Expiry is computed, not stored, so the store cannot
        filter it: drop the expired ones first, then take PENDING_IN_VIEW, or newer expired
        requests would crowd live ones out of the view."""
        now = self.clock()
        newest = tx.pair_requests.find(workspace_id=workspace_id, status="pending", order_by="-created_at")
        return [r for r in newest if pair_request_status(r, now) == "pending"][:PENDING_IN_VIEW]

    # --- housekeeping ------------------------------------------------------------------------

    def forget_stale(self, now: datetime) -> int:
        """Delete pairing codes and pair requests that stopped mattering RETENTION_SEC ago; how many.

        Codes: expired (used or not). Requests: expired while pending, rejected, or completed. A
        read first; a write only when something is due; each record checked again inside it.
        """
        cutoff = iso(now - timedelta(seconds=RETENTION_SEC))
        with self.store.transaction(write=False) as tx:
            codes = [p.pairing_id for p in tx.pairings.find() if p.expires_at <= cutoff]
            requests = [r.request_id for r in tx.pair_requests.find() if _stale(r, cutoff)]
        if not codes and not requests:
            return 0
        deleted = 0
        with self.store.transaction() as tx:
            for pairing_id in codes:
                pairing = tx.pairings.get(pairing_id)
                if pairing is not None and pairing.expires_at <= cutoff:
                    deleted += tx.pairings.delete(pairing_id)
            for request_id in requests:
                request = tx.pair_requests.get(request_id)
                if request is not None and _stale(request, cutoff):
                    deleted += tx.pair_requests.delete(request_id)
        return deleted


def _stale(request: PairRequest, cutoff: str) -> bool:
    """Nobody will ask about it again: it ended (or expired) before `cutoff`."""
    if request.status == "pending":
        return request.expires_at <= cutoff
    if request.status == "approved":
        return False  # the agent has not collected its token yet and may still come for it
    ended = request.completed_at or request.rejected_at
    return ended is not None and ended <= cutoff
