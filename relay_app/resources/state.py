"""GET /api/admin/state: the phone's whole view, optionally held until something changes.

`?waitForChangeAfter=C&waitMs=N` holds the request (N <= 25000) while the change cursor is still C.
The session is checked again after the wait, so a session ended meanwhile answers 401.
"""

from __future__ import annotations

import time

from ..context import RelayContext
from ..services.events import HELD_PER_SESSION
from ..errors import invalid_field
from ..http.cookies import read_session_cookie
from ..views.state import state_view

MAX_WAIT_MS = 25000


def wait_ms_param(req) -> int:
    raw = req.get_param("waitMs")
    if raw is None or raw == "":
        return 0
    try:
        return max(0, min(int(raw), MAX_WAIT_MS))
    except ValueError:
        raise invalid_field("waitMs") from None


def wait_for_change(ctx: RelayContext, after: str | None, wait_ms: int, *, session: str) -> int:
    """Hold until the change cursor moves past `after` or `wait_ms` ends; how long it held (ms).

    Answers at once when `after` is not the current cursor (unknown or stale), or when the
    capacity rule or this session's share of held requests says no more may be held.
    """
    if not after or wait_ms <= 0 or after != ctx.feed.cursor():
        return 0
    with ctx.holds.hold(("session", session), HELD_PER_SESSION) as may_wait:
        if not may_wait:
            return 0
        started = time.monotonic()
        ctx.feed.wait_for_change(after, min(wait_ms, MAX_WAIT_MS) / 1000)
        return int((time.monotonic() - started) * 1000)


class State:
    action = "state.read"  # a locked session gets the view with empty lists

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_get(self, req, resp) -> None:
        wait_ms = wait_ms_param(req)
        after = req.get_param("waitForChangeAfter")
        held_ms = None
        if wait_ms and after:
            held_ms = wait_for_change(self.ctx, after, wait_ms, session=req.context.caller.session.session_id_hash)
        with self.ctx.store.transaction(write=False) as tx:
            caller = self.ctx.services.sessions.resolve(tx, read_session_cookie(req, self.ctx.config)) if wait_ms else req.context.caller
            resp.media = state_view(self.ctx, tx, caller)
        if held_ms is not None:
            resp.media["heldMs"] = held_ms  # ours: a wait answered early with the same cursor means "slow down"


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/state", State(ctx))
