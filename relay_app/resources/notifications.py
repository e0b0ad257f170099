"""A person's own notification settings: which events they want, and a test notification.

Devices (Web Push subscriptions) have their own routes; these only read and change the caller's
preferences record and queue a TEST event to the caller alone.
"""

from __future__ import annotations

from ..context import RelayContext
from .notification_bodies import preference_kinds


class NotificationResource:
    action = "notifications.own"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx
        self.notifications = ctx.services.notifications
        self.preferences = ctx.services.preferences

    def answer(self, kinds: dict[str, bool]) -> dict:
        return {"ok": True, "preferences": {"kinds": kinds}, "channels": self.notifications.channels()}


class NotificationPreferences(NotificationResource):
    def on_get(self, req, resp) -> None:
        resp.media = self.answer(self.preferences.get(req.context.caller.user.user_id))

    def on_post(self, req, resp) -> None:
        kinds = preference_kinds(req.context.body)
        resp.media = self.answer(self.preferences.set(req.context.caller.user.user_id, kinds))


class NotificationTest(NotificationResource):
    def on_post(self, req, resp) -> None:
        resp.media = {"ok": True, "queued": self.notifications.test(req.context.caller.user.user_id)}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/notifications/preferences", NotificationPreferences(ctx))
    app.add_route("/api/admin/notifications/test", NotificationTest(ctx))
