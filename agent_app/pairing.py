"""Pairing: redeem a short code, then wait until someone approves the request on the phone."""

from __future__ import annotations

import socket
import time
from datetime import timedelta
from typing import Callable

from mobile_codex.core.config import AgentConfig
from mobile_codex.core.timeutil import Clock, parse_iso, system_clock

from .errors import PairingExpired, PairingRefused, PairingRejected
from .backoff import Backoff
from .relay_client import RelayClient, RelayRefused, RelayUnavailable

MAX_CODE_TTL_SEC = 1800  # API.md: pairing codes live at most 30 minutes


def pair(
    client: RelayClient, config: AgentConfig, code: str, *, say: Callable[[str], None] = print,
    clock: Clock = system_clock, sleep: Callable[[float], None] = time.sleep, hostname: str | None = None,
) -> str:  # fmt: skip
    """Pair this agent and return its token; raise PairingRejected/PairingExpired/PairingRefused."""
    give_up = clock() + timedelta(seconds=MAX_CODE_TTL_SEC)
    body = {
        "pairingCode": code, "agentId": config.agent_id, "label": config.agent_label,
        "hostname": hostname or socket.gethostname(), "workspaceRootName": config.workspace_root.name,
    }  # fmt: skip
    backoff = Backoff(config.poll_interval_ms / 1000, sleep)
    while True:
        try:
            started = client.pair(body)
            break
        except RelayRefused as err:
            if err.code in ("invalid-pairing-code", "pair-request-not-found"):
                raise PairingExpired(f"pairing code invalid or expired ({err.code})") from None
            raise PairingRefused(f"the relay refused to pair: {err.code}") from None
        except RelayUnavailable as err:
            if clock() >= give_up:
                raise PairingExpired(f"relay unreachable until the pairing code could have expired ({err})") from None
            say(f"relay not reachable ({err}); retrying")
            backoff.wait()

    request_id, request_token = started["requestId"], started["requestToken"]
    expires_at = started.get("expiresAt")
    say(f"pair request {request_id} sent; approve it on your phone" + (f" before {expires_at}" if expires_at else ""))
    deadline = parse_iso(expires_at) + timedelta(seconds=5) if expires_at else give_up
    backoff.reset()
    while True:
        try:
            status = client.pair_status(request_id, request_token)
        except RelayRefused as err:
            if err.code == "pair-request-not-found":
                raise PairingExpired(f"pair request {request_id} expired") from None
            raise PairingRefused(f"the relay refused the pair request: {err.code}") from None
        except RelayUnavailable as err:
            if clock() >= deadline:
                raise PairingExpired(f"pair request {request_id} expired while the relay was unreachable") from None
            say(f"relay not reachable ({err}); retrying")
            backoff.wait()
            continue
        backoff.reset()
        state = status.get("status")
        if state == "approved" and status.get("token"):
            say(f"pair request {request_id} approved")
            return status["token"]
        if state == "rejected":
            raise PairingRejected(f"pair request {request_id} was rejected")
        if state == "completed":  # API.md: the token went to an earlier status request, never shown again
            raise PairingRefused(
                f"pair request {request_id} was approved, but its token was already handed out to an earlier "
                f"request and cannot be shown again: revoke agent {config.agent_id} on your phone, "
                "create a new pairing code and pair again"
            )
        if state == "expired" or clock() >= deadline:
            raise PairingExpired(f"pair request {request_id} expired before it was approved")
        sleep(max(0.25, config.poll_interval_ms / 1000))
