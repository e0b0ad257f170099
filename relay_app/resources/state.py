"""GET /api/admin/state: the phone's whole view, optionally held until something changes.

`?tasksSince=T` (ours, issue 18; empty to start) asks for the tasks that changed since the view
whose `tasksCursor` was T, not all of them (services/task_deltas.py); without it the full list.

`?waitForChangeAfter=C&waitMs=N` holds the request (N <= 25000) while the cursor of the caller's
view (their workspace, themselves, and for relay owners the relay's people: `change_scopes.py`) is
still C. The session is checked again after the wait, so a session ended meanwhile answers 401.
The cursor is read before the view's transaction opens: a change that commits after it moves it
again, so a phone never keeps data older than its cursor. (A session that moved to another
workspace during the wait gets the old scopes' cursor once; its next wait answers at once.)
"""

from __future__ import annotations

import time

from ..context import RelayContext
from ..services.callers import Caller
from ..services.change_scopes import view_scopes
from ..services.events import HELD_PER_SESSION
from ..errors import invalid_field
from ..http.cookies import read_session_cookie
from ..views.state import apply_task_delta, state_view, task_fingerprints

MAX_WAIT_MS = 25000


def wait_ms_param(req) -> int:
    raw = req.get_param("waitMs")
    if raw is None or raw == "":
        return 0
    try:
        return max(0, min(int(raw), MAX_WAIT_MS))
    except ValueError:
        raise invalid_field("waitMs") from None


def wait_for_change(ctx: RelayContext, after: str | None, wait_ms: int, *, caller: Caller) -> int:
    """Hold until the caller's view cursor moves past `after` or `wait_ms` ends; how long it held (ms).

    Answers at once when `after` is not the current cursor (unknown or stale), or when the
    capacity rule or this session's share of held requests says no more may be held.
    """
    scopes = view_scopes(caller)
    if not after or wait_ms <= 0 or after != ctx.feed.cursor(scopes):
        return 0
    with ctx.holds.hold(("session", caller.session.session_id_hash), HELD_PER_SESSION) as may_wait:
        if not may_wait:
            return 0
        started = time.monotonic()
        ctx.feed.wait_for_change(after, scopes, min(wait_ms, MAX_WAIT_MS) / 1000)
        return int((time.monotonic() - started) * 1000)


class State:
    action = "state.read"  # a locked session gets the view with empty lists

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_get(self, req, resp) -> None:
        wait_ms = wait_ms_param(req)
        after = req.get_param("waitForChangeAfter")
        held_ms = None
        caller = req.context.caller
        if wait_ms and after:
            held_ms = wait_for_change(self.ctx, after, wait_ms, caller=caller)
        cursor = self.ctx.feed.cursor(view_scopes(caller))
        with self.ctx.store.transaction(write=False) as tx:
            if wait_ms:
                caller = self.ctx.services.sessions.resolve(tx, read_session_cookie(req, self.ctx.config))
            view = state_view(self.ctx, tx, caller, cursor)
        if "tasksSince" in req.params:  # opted in (an empty value: no view yet)
            since = req.params["tasksSince"]
            if not isinstance(since, str):
                raise invalid_field("tasksSince")
            current = task_fingerprints(view["tasks"])
            delta = self.ctx.services.task_deltas.delta(
                caller.session.session_id_hash, caller.workspace_id or "", since or None, current
            )
            apply_task_delta(view, delta)
        resp.media = view
        if held_ms is not None:
            resp.media["heldMs"] = held_ms  # ours: a wait answered early with the same cursor means "slow down"


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/state", State(ctx))
