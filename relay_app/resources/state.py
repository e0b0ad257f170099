"""GET /api/admin/state: the phone's whole view, optionally held until something changes.

`?waitForChangeAfter=C&waitMs=N` holds the request (N <= 25000) while the change cursor is still C.
The session is checked again after the wait, so a session ended meanwhile answers 401.
"""

from __future__ import annotations

from ..context import RelayContext
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


def wait_for_change(ctx: RelayContext, after: str | None, wait_ms: int) -> None:
    """Hold until the change cursor moves past `after` or `wait_ms` ends.

    Answers at once when `after` is not the current cursor (unknown or stale) or when the
    capacity rule says no more requests may be held.
    """
    if not after or wait_ms <= 0 or after != ctx.feed.cursor():
        return
    with ctx.holds.hold() as may_wait:
        if may_wait:
            ctx.feed.wait_for_change(after, min(wait_ms, MAX_WAIT_MS) / 1000)


class State:
    action = "state.read"  # a locked session gets the view with empty lists

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_get(self, req, resp) -> None:
        wait_ms = wait_ms_param(req)
        after = req.get_param("waitForChangeAfter")
        if wait_ms and after:
            wait_for_change(self.ctx, after, wait_ms)
        with self.ctx.store.transaction(write=False) as tx:
            caller = self.ctx.services.sessions.resolve(tx, read_session_cookie(req, self.ctx.config)) if wait_ms else req.context.caller
            resp.media = state_view(self.ctx, tx, caller)


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/state", State(ctx))
