"""Web Push through the relay's notification queue, to a push service on loopback (issue 17).

The relay loads the built-in Web Push notifier from its plugins, raises an event (the settings
screen's test notification), and its queue hands it over: the push service checks the VAPID JWT and
decrypts the payload with the keys the test made for the device (tests/push_helpers.py).
"""

from __future__ import annotations

import time

from mobile_codex.core.notifications import TEST
from mobile_codex.core.plugins import load_plugins
from mobile_codex.core.web_push import new_vapid_private_key, vapid_public_key

from ..push_helpers import DeviceKeys, PushService
from ..waiting import wait_until
from .agent_helpers import LiveRelay
from .conftest import Relay

DEVICES = "/api/admin/notifications/devices"
VAPID_KEY = new_vapid_private_key()


def web_push_settings(service: PushService, **more) -> dict:
    return {"webPush": {"vapidPrivateKey": VAPID_KEY, "allowedHosts": [service.origin], "timeoutSec": 2, **more}}


def test_a_test_notification_arrives_at_the_callers_device_through_the_queue(tmp_path, backend):
    service = PushService(vapid_public_key(VAPID_KEY))
    relay = Relay(tmp_path, backend, plugins=load_plugins(entry_points=[]), notifications=web_push_settings(service))
    try:
        owner = relay.owner()
        keys = DeviceKeys.new()
        assert owner.post(DEVICES, keys.subscription(service.endpoint("phone", keys))).status_code == 201
        assert owner.post("/api/admin/notifications/test").json == {"ok": True, "queued": 1}
        [got] = wait_until(lambda: service.received, timeout=10)
        assert service.problems == []
        assert got.payload["kind"] == TEST and got.payload["url"].startswith("http://localhost:8787/#/")
    finally:
        relay.close()
        service.close()


def test_a_429_is_retried_by_the_queue_until_the_push_arrives(tmp_path, backend):
    service = PushService(vapid_public_key(VAPID_KEY))
    service.answers = [429, 429]
    relay = Relay(tmp_path, backend, plugins=load_plugins(entry_points=[]), notifications=web_push_settings(service))
    try:
        owner = relay.owner()
        keys = DeviceKeys.new()
        owner.post(DEVICES, keys.subscription(service.endpoint("phone", keys)))
        owner.post("/api/admin/notifications/test")
        wait_until(lambda: service.received, timeout=20)
        assert len(service.hits) == 3 and service.problems == []
        assert len(owner.get(DEVICES).json["devices"]) == 1  # a 429 keeps the device
    finally:
        relay.close()
        service.close()


def test_a_push_service_that_never_answers_does_not_delay_api_requests(tmp_path):
    service = PushService(vapid_public_key(VAPID_KEY))
    service.hold.set()  # takes the POST and never answers
    live = LiveRelay(tmp_path, plugins=load_plugins(entry_points=[]),
                     notifications={**web_push_settings(service, timeoutSec=60), "timeoutSec": 120, "workers": 1})  # fmt: skip
    try:
        phone = live.phone()
        keys = DeviceKeys.new()
        status, _ = phone.post(DEVICES, keys.subscription(service.endpoint("phone", keys)))
        assert status == 201
        started = time.monotonic()
        assert phone.get("/api/health")[0] == 200
        plain = time.monotonic() - started
        for _ in range(3):
            started = time.monotonic()
            assert phone.post("/api/admin/notifications/test") == (200, {"ok": True, "queued": 1})
            raising = time.monotonic() - started
            assert raising < plain + 1.0, (raising, plain)
        wait_until(lambda: service.hits, timeout=10)  # the worker is inside the POST that hangs
        for path in ("/api/health", "/api/admin/state", DEVICES):
            started = time.monotonic()
            assert phone.get(path)[0] == 200
            assert time.monotonic() - started < plain + 1.0
        assert service.received == []
    finally:
        service.close()
        live.close()
