"""POST /api/auth/profile (ours, issue 18): a signed-in person changes their own display name."""

from __future__ import annotations

from ..context import RelayContext
from ..errors import invalid_field
from ..views.auth import auth_answer

DISPLAY_NAME_CHARS = 80


def new_display_name(body: dict) -> str:
    """1..80 characters after trimming; anything else is 400 `invalid-field` naming `displayName`
    (refused, not clamped: a name cut short by the relay would surprise its owner)."""
    value = body.get("displayName")
    name = value.strip() if isinstance(value, str) else ""
    if not 1 <= len(name) <= DISPLAY_NAME_CHARS:
        raise invalid_field("displayName")
    return name


class Profile:
    action = "profile.own"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        state = self.ctx.services.people.change_display_name(req.context.caller, new_display_name(req.context.body))
        resp.media = auth_answer(self.ctx.config, state)


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/auth/profile", Profile(ctx))
