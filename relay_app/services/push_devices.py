"""A user's Web Push devices: the subscriptions their phones made, added, listed and revoked by them.

Only the caller's own devices are ever found (`notifications.own`: another user's is 404
`device-not-found`, as if it did not exist). An endpoint must pass the allowlist
(core/web_push.py) before it is stored, so nothing is ever sent to a host the operator did not list.
The endpoint and keys stay on the relay: the API shows a device by its id, label and endpoint host.
Ending a user's sessions or disabling them removes their devices (sessions.py); a push service's
404/410 removes one (the Web Push notifier).
"""

from __future__ import annotations

import attrs

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.crypto import new_id
from mobile_codex.core.records import PushSubscription
from mobile_codex.core.store import Store
from mobile_codex.core.timeutil import Clock, iso
from mobile_codex.core.web_push import endpoint_host, valid_device_keys, vapid_public_key

from ..errors import Conflict, NotFound, invalid_field
from .callers import Caller

DEFAULT_LABEL = "Device"


@attrs.frozen(kw_only=True)
class NewDevice:
    """A subscription as the browser's PushSubscription.toJSON() gives it, with the person's label."""

    endpoint: str
    p256dh: str
    auth: str
    label: str


class PushDeviceService:
    def __init__(self, store: Store, config: RelayConfig, clock: Clock):
        self.store = store
        self.settings = config.notifications.web_push
        self.clock = clock
        self.public_key = vapid_public_key(self.settings.vapid_private_key)  # "" while Web Push is off

    def list(self, caller: Caller) -> list[PushSubscription]:
        with self.store.transaction(write=False) as tx:
            return tx.push_subscriptions.find(user_id=caller.user.user_id, order_by="created_at")

    def add(self, caller: Caller, device: NewDevice) -> PushSubscription:
        """Store the caller's device; the same endpoint again replaces its keys and label."""
        host = endpoint_host(device.endpoint, self.settings.allowed_hosts)
        if host is None:
            raise invalid_field("endpoint")
        if not valid_device_keys(device.p256dh, device.auth):
            raise invalid_field("keys")
        user_id = caller.user.user_id
        with self.store.transaction() as tx:
            same = tx.push_subscriptions.find(user_id=user_id, endpoint=device.endpoint, limit=1)
            if not same and tx.push_subscriptions.count(user_id=user_id) >= self.settings.max_devices_per_user:
                raise Conflict("device-limit-reached")
            record = PushSubscription(
                device_id=same[0].device_id if same else new_id("device"), user_id=user_id,
                endpoint=device.endpoint, endpoint_host=host, p256dh=device.p256dh, auth=device.auth,
                label=device.label or DEFAULT_LABEL, created_at=same[0].created_at if same else iso(self.clock()),
                last_used_at=same[0].last_used_at if same else None,
            )  # fmt: skip
            tx.push_subscriptions.put(record)
            return record

    def revoke(self, caller: Caller, device_id: str) -> None:
        with self.store.transaction() as tx:
            device = tx.push_subscriptions.get(device_id)
            if device is None or device.user_id != caller.user.user_id:
                raise NotFound("device-not-found")
            tx.push_subscriptions.delete(device_id)
