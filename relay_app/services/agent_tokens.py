"""Agent tokens exactly as the reference makes them, and the check behind every agent request.

Token: `base64url(header).base64url(payload).base64url(sig)`, no padding, header
`{"alg":"HS256","typ":"CBT"}`, payload `{role:"agent", sub, ws, exp}` (`exp` in unix seconds),
HMAC-SHA256 keyed by the UTF-8 bytes of `tokenSecret`. The relay stores only SHA-256 of a token.

Refresh (ours): when the token in use has < 7 days left, the poll reply carries a new one and the
agent record keeps its hash as `next_token_hash`. Both are accepted until the new one is first
used; that request makes it the only one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any, Protocol

import attrs

from mobile_codex.core.crypto import same_secret, sha256_hex
from mobile_codex.core.records import Agent, AgentKey
from mobile_codex.core.store import AgentGlance, Store, Transaction
from mobile_codex.core.timeutil import Clock

from ..errors import Unauthorized

TOKEN_LIFETIME_SEC = 30 * 24 * 3600
CHECKED_TOKENS_MAX = 4096  # AgentAuth's cache of well-signed tokens; emptied when full
REFRESH_BEFORE_SEC = 7 * 24 * 3600
HEADER = {"alg": "HS256", "typ": "CBT"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, signing_input: str) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), signing_input.encode("ascii"), hashlib.sha256).digest())


def issue_agent_token(secret: str, *, agent_id: str, workspace_id: str, now: datetime, lifetime_sec: int = TOKEN_LIFETIME_SEC) -> str:
    header = _b64(json.dumps(HEADER, separators=(",", ":")).encode())
    payload = {"role": "agent", "sub": agent_id, "ws": workspace_id, "exp": int(now.timestamp()) + lifetime_sec}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"{header}.{body}.{_sign(secret, f'{header}.{body}')}"


def verify_agent_token(secret: str, token: str, *, now: datetime) -> dict | None:
    """The payload of a well-signed, unexpired agent token; None otherwise."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        return None
    try:
        if not same_secret(_sign(secret, f"{parts[0]}.{parts[1]}"), parts[2]):
            return None
        header = json.loads(_unb64(parts[0]))
        payload = json.loads(_unb64(parts[1]))
    except (ValueError, UnicodeError):
        return None
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(payload, dict):
        return None
    exp, sub, ws = payload.get("exp"), payload.get("sub"), payload.get("ws")
    if payload.get("role") != "agent" or not isinstance(sub, str) or not isinstance(ws, str):
        return None
    if isinstance(exp, bool) or not isinstance(exp, (int, float)) or exp <= now.timestamp():
        return None
    return payload


class AgentLook(Protocol):
    """A route's read beside the token check's (AgentAuth `look`): the poll's (agents.PollLook)."""

    def start(self, key: AgentKey) -> Any:
        """Before any read (a wake-up mark); handed to the other two."""

    def glanced(self, started: Any, glance: AgentGlance) -> Any | None:
        """The look from the store's `agent_glance`, or None when it needs `read`."""

    def read(self, started: Any, tx: Transaction, agent: Agent) -> Any:
        """The look read in the token check's read transaction."""


@attrs.frozen
class AgentCaller:
    """An authenticated agent request: the agent record and the token it used."""

    agent: Agent
    token_exp: float
    # What the route's `look` (AgentAuth) read beside the agent record, in the same transaction.
    looked: Any = None

    @property
    def agent_id(self) -> str:
        return self.agent.agent_id

    @property
    def workspace_id(self) -> str:
        return self.agent.workspace_id

    @property
    def key(self) -> AgentKey:
        """What names this agent on the relay: ids are only unique within a workspace."""
        return (self.agent.workspace_id, self.agent.agent_id)


def bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


class AgentAuth:
    """`ctx.services.agent_auth`: Authorization header -> AgentCaller, or 401."""

    def __init__(self, store: Store, secret: str, clock: Clock):
        self.store = store
        self.secret = secret
        self.clock = clock
        # token -> (payload, SHA-256): the signature check and hashing are pure functions of the
        # token, and an agent sends the same one on every poll, so each is done once per token
        # (~5% of an idle poll's relay CPU, issue 19). Expiry and the agent row (revocation, the
        # stored hash) are still checked on every request. Memory only, like the request itself.
        self._checked: dict[str, tuple[dict, str]] = {}

    def __call__(self, authorization: str | None, *, look: AgentLook | None = None) -> AgentCaller:
        """With `look`, a route's own read (the poll's queued and running tasks) is made with the
        agent's, once the token is known good: an idle poll then needs one read of the store, not
        two (issue 19, relay CPU per idle poll). Its result is `looked`.

        A store with `agent_glance` (core/store.py) reads the agent and whether it has queued and
        running tasks in one statement; only when the look needs more (`glanced` answers None: the
        running tasks themselves) is the agent read again, with the look, in a read transaction."""
        token = bearer(authorization)
        if token is None:
            raise Unauthorized("missing-token")
        payload, token_hash = self._check(token)
        # The token's workspace and id together name the agent (ids are per workspace), so a
        # token can never reach another workspace's agent of the same id: the reference's
        # `agent-workspace-mismatch` has no case left and reads as `invalid-token`.
        key = (payload["ws"], payload["sub"])
        started = look.start(key) if look is not None else None
        looked = None
        glance_of = getattr(self.store, "agent_glance", None)
        if glance_of is not None:
            glance = glance_of(key)
            agent, is_next = self._verified(glance.agent if glance is not None else None, token_hash)
            if look is not None:
                looked = look.glanced(started, glance)
        if glance_of is None or (look is not None and looked is None):
            with self.store.transaction(write=False) as tx:
                agent, is_next = self._verified(tx.agents.get(key), token_hash)
                looked = look.read(started, tx, agent) if look is not None else None
        if is_next:
            agent = self._cut_over(agent, token_hash)
        return AgentCaller(agent=agent, token_exp=float(payload["exp"]), looked=looked)

    @staticmethod
    def _verified(agent: Agent | None, token_hash: str) -> tuple[Agent, bool]:
        """The stored agent the token belongs to, and whether the token is its refreshed one; 401 if not."""
        if agent is None:
            raise Unauthorized("invalid-token")
        if agent.revoked_at is not None:
            raise Unauthorized("agent-revoked")
        is_next = agent.next_token_hash is not None and same_secret(token_hash, agent.next_token_hash)
        if not is_next and not same_secret(token_hash, agent.token_hash):
            raise Unauthorized("invalid-token")
        return agent, is_next

    def _check(self, token: str) -> tuple[dict, str]:
        """The payload and hash of a well-signed, unexpired token; 401 `invalid-token` otherwise."""
        now = self.clock()
        checked = self._checked.get(token)
        if checked is None:
            payload = verify_agent_token(self.secret, token, now=now)
            if payload is None:
                raise Unauthorized("invalid-token")
            if len(self._checked) >= CHECKED_TOKENS_MAX:
                self._checked.clear()
            checked = self._checked[token] = (payload, sha256_hex(token))
        elif checked[0]["exp"] <= now.timestamp():
            raise Unauthorized("invalid-token")
        return checked

    def _cut_over(self, agent: Agent, token_hash: str) -> Agent:
        """The refreshed token's first use: from now on only it is accepted."""
        with self.store.transaction() as tx:
            current = tx.agents.get((agent.workspace_id, agent.agent_id))
            if current is None or current.revoked_at is not None:
                raise Unauthorized("agent-revoked")
            if current.next_token_hash == token_hash:
                current = attrs.evolve(current, token_hash=token_hash, next_token_hash=None)
                tx.agents.put(current)
            elif current.token_hash != token_hash:
                raise Unauthorized("invalid-token")  # a newer refresh replaced this one meanwhile
        return current


def refresh_due(caller: AgentCaller, now: datetime) -> bool:
    return caller.token_exp - now.timestamp() < REFRESH_BEFORE_SEC
