"""Web Push devices of the signed-in user: list (with the VAPID key to subscribe with), add, revoke."""

from __future__ import annotations

import falcon

from ..context import RelayContext
from ..views.devices import device_view
from .device_bodies import new_device


class DeviceResource:
    action = "notifications.own"

    def __init__(self, ctx: RelayContext):
        self.devices = ctx.services.push_devices


class Devices(DeviceResource):
    def on_get(self, req, resp) -> None:
        devices = self.devices.list(req.context.caller)
        resp.media = {"ok": True, "publicKey": self.devices.public_key, "devices": [device_view(d) for d in devices]}

    def on_post(self, req, resp) -> None:
        device = self.devices.add(req.context.caller, new_device(req.context.body))
        resp.status = falcon.HTTP_201
        resp.media = {"ok": True, "device": device_view(device)}


class Revoke(DeviceResource):
    def on_post(self, req, resp, device_id: str) -> None:
        self.devices.revoke(req.context.caller, device_id)
        resp.media = {"ok": True}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/notifications/devices", Devices(ctx))
    app.add_route("/api/admin/notifications/devices/{device_id}/revoke", Revoke(ctx))
