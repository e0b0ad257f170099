"""The built-in Web Push notifier against a push service on loopback (tests/push_helpers.py).

The push service checks the VAPID JWT (audience = its origin, expiry, the relay's key) and decrypts
the body with the keys the test made for the device, as a browser vendor's service and the phone would.
The notifier is the real plugin the relay loads (`plugins.notifiers(config, store)`).
"""

from __future__ import annotations

import pytest

from mobile_codex.core.notifications import REQUEST_WAITING, TASK_FINISHED, DeliveryFailed, NotificationEvent
from mobile_codex.core.plugins import load_plugins
from mobile_codex.core.web_push import new_vapid_private_key, vapid_public_key

from ..push_helpers import DeviceKeys, PushService
from .people_helpers import add_person

DEVICES = "/api/admin/notifications/devices"
VAPID_KEY = new_vapid_private_key()


@pytest.fixture
def push_service():
    service = PushService(vapid_public_key(VAPID_KEY))
    yield service
    service.close()


@pytest.fixture
def setup(make_relay, push_service):
    """(relay, the web-push notifier) with the push service's http origin allowlisted explicitly."""
    relay = make_relay(notifications={"webPush": {
        "vapidPrivateKey": VAPID_KEY, "allowedHosts": [push_service.origin], "timeoutSec": 2,
    }})  # fmt: skip
    notifiers = load_plugins(entry_points=[]).notifiers(relay.config, relay.store)
    assert list(notifiers) == ["web-push"]
    notifier = notifiers["web-push"].item
    yield relay, notifier
    notifier.close()


def subscribe(relay, browser, push_service, name: str) -> tuple[str, DeviceKeys]:
    keys = DeviceKeys.new()
    result = browser.post(DEVICES, keys.subscription(push_service.endpoint(name, keys), name))
    assert result.status_code == 201, result.text
    return result.json["device"]["deviceId"], keys


def event(user_ids, kind=REQUEST_WAITING, event_id="ev_1", detail="rm -rf build/  # the secret prompt") -> NotificationEvent:
    return NotificationEvent(
        kind=kind, event_id=event_id, recipients=user_ids, workspace_id="ws_1", workspace_name="Primary",
        agent_id="agent-1", agent_label="Build box", task_id="task_42", request_id="req_1",
        title="Codex needs you", body="Build box waits for an approval", link="http://localhost:8787/#/task/task_42",
        tag=f"task_42:{kind}", detail=detail, waiting={user_ids[0]: 2},
    )  # fmt: skip


def test_a_push_arrives_signed_and_encrypted_with_the_deep_link_and_no_task_text(setup, push_service):
    relay, notifier = setup
    owner, other = relay.owner(), add_person(relay, "operator")
    owner_id = owner.get("/api/auth/status").json["auth"]["currentUser"]["userId"]
    device_id, _ = subscribe(relay, owner, push_service, "owner-phone")
    subscribe(relay, other.browser, push_service, "other-phone")
    notifier.deliver(event([owner_id]))
    assert push_service.problems == []
    assert [r.path for r in push_service.received] == ["/push/owner-phone"]  # only the recipient's device
    got = push_service.received[0]
    assert (got.payload["kind"], got.payload["url"], got.payload["taskId"]) == (
        REQUEST_WAITING, "http://localhost:8787/#/task/task_42", "task_42")
    assert got.payload["waiting"] == 2 and got.payload["tag"] == "task_42:request-waiting"
    assert "detail" not in got.payload and "secret prompt" not in str(got.payload)
    assert got.headers["urgency"] == "high" and len(got.headers["topic"]) <= 32
    listed = owner.get(DEVICES).json["devices"]
    assert [d["lastUsedAt"] is not None for d in listed if d["deviceId"] == device_id] == [True]


def test_include_text_puts_the_detail_in_the_encrypted_payload(make_relay, push_service):
    relay = make_relay(notifications={"webPush": {
        "vapidPrivateKey": VAPID_KEY, "allowedHosts": [push_service.origin], "includeText": True}})
    notifier = load_plugins(entry_points=[]).notifiers(relay.config, relay.store)["web-push"].item
    owner = relay.owner()
    subscribe(relay, owner, push_service, "phone")
    notifier.deliver(event([owner.get("/api/auth/status").json["auth"]["currentUser"]["userId"]]))
    assert push_service.problems == []
    assert push_service.received[0].payload["detail"] == "rm -rf build/  # the secret prompt"


def test_a_410_removes_the_subscription(setup, push_service):
    relay, notifier = setup
    owner = relay.owner()
    user_id = owner.get("/api/auth/status").json["auth"]["currentUser"]["userId"]
    subscribe(relay, owner, push_service, "gone")
    push_service.answers = [410]
    notifier.deliver(event([user_id]))
    assert owner.get(DEVICES).json["devices"] == []
    notifier.deliver(event([user_id], event_id="ev_2"))
    assert push_service.hits == ["/push/gone"]  # nothing more is sent to it


def test_a_429_asks_for_a_retry_that_reaches_only_the_devices_still_waiting(setup, push_service):
    relay, notifier = setup
    owner = relay.owner()
    user_id = owner.get("/api/auth/status").json["auth"]["currentUser"]["userId"]
    subscribe(relay, owner, push_service, "a")
    subscribe(relay, owner, push_service, "b")
    push_service.answers = [201, 429]  # the first device gets it, the second is told to wait
    with pytest.raises(DeliveryFailed) as failed:
        notifier.deliver(event([user_id]))
    assert failed.value.retry_after == 0  # the service's Retry-After: 0
    assert len(push_service.received) == 1
    notifier.deliver(event([user_id]))  # the relay's queue retries the same event
    assert sorted(r.path for r in push_service.received) == ["/push/a", "/push/b"]
    assert len(push_service.hits) == 3 and push_service.problems == []


def test_a_5xx_asks_for_a_retry_and_keeps_the_device(setup, push_service):
    relay, notifier = setup
    owner = relay.owner()
    user_id = owner.get("/api/auth/status").json["auth"]["currentUser"]["userId"]
    subscribe(relay, owner, push_service, "a")
    push_service.answers = [503]
    with pytest.raises(DeliveryFailed) as failed:
        notifier.deliver(event([user_id], kind=TASK_FINISHED))
    assert failed.value.retry_after is not None and failed.value.retry_after > 0
    assert len(owner.get(DEVICES).json["devices"]) == 1


def test_a_host_dropped_from_the_allowlist_is_not_sent_to(make_relay, setup, push_service):
    relay, _ = setup
    owner = relay.owner()
    user_id = owner.get("/api/auth/status").json["auth"]["currentUser"]["userId"]
    subscribe(relay, owner, push_service, "a")
    # The same store served by a relay whose operator has since removed the host.
    stricter = load_plugins(entry_points=[]).notifiers(
        make_relay(notifications={"webPush": {"vapidPrivateKey": VAPID_KEY}}).config, relay.store)["web-push"].item
    stricter.deliver(event([user_id]))
    assert push_service.hits == []


def test_without_a_vapid_key_there_is_no_web_push_notifier(relay):
    assert "web-push" not in load_plugins(entry_points=[]).notifiers(relay.config, relay.store)
