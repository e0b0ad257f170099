"""A pair request's status as everyone sees it: `expired` is computed, never stored."""

from __future__ import annotations

from datetime import datetime

from mobile_codex.core.records import PairRequest
from mobile_codex.core.timeutil import iso


def pair_request_status(request: PairRequest, now: datetime) -> str:
    """`expired` for a request still pending past its pairing code's expiry; else the stored status."""
    if request.status == "pending" and request.expires_at <= iso(now):
        return "expired"
    return request.status
