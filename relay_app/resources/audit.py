"""`GET /api/admin/audit` (ours, issue 21): the audit trail, newest first (who may: `audit.read`).

Query: `person` (a user id: what they did), `kind` (one entry kind), `workspace` (relay owners: one
workspace's entries; a workspace owner always sees only their current workspace's), `before` (a
`seq`: the page after it), `limit` (1..200, default 50). The answer's `nextBefore` asks for the next page.
"""

from __future__ import annotations

from mobile_codex.core.audit import KINDS

from ..context import RelayContext
from ..errors import invalid_field
from ..services.audit_trail import visible_events
from ..views.audit import audit_event_view

PAGE_DEFAULT, PAGE_MAX = 50, 200


def _int_param(req, name: str, default: int | None, low: int, high: int) -> int | None:
    raw = req.get_param(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 12:
        raise invalid_field(name)
    return max(low, min(int(raw), high))


def _id_param(req, name: str) -> str | None:
    value = req.get_param(name) or None
    if value is not None and len(value) > 120:
        raise invalid_field(name)
    return value


class AuditTrail:
    action = "audit.read"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_get(self, req, resp) -> None:
        kind = req.get_param("kind") or None
        if kind is not None and kind not in KINDS:
            raise invalid_field("kind")
        before = _int_param(req, "before", None, 1, 10**12)
        limit = _int_param(req, "limit", PAGE_DEFAULT, 1, PAGE_MAX)
        with self.ctx.store.transaction(write=False) as tx:
            events = visible_events(
                tx, req.context.caller, person=_id_param(req, "person"), kind=kind,
                workspace_id=_id_param(req, "workspace"), before_seq=before, limit=limit + 1,
            )  # fmt: skip
            names = {user.user_id: user.display_name for user in tx.users.find()} if events else {}
        page = events[:limit]
        resp.media = {
            "ok": True,
            "events": [audit_event_view(event, names) for event in page],
            "nextBefore": page[-1].seq if len(events) > limit else None,
            "kinds": sorted(KINDS),
        }


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/audit", AuditTrail(ctx))
