"""Web Push devices through the API: only allowlisted endpoints, never shown back, each user's own only."""

from __future__ import annotations

import pytest

from mobile_codex.core.web_push import new_vapid_private_key, vapid_public_key

from ..push_helpers import DeviceKeys, b64url
from .people_helpers import add_person

DEVICES = "/api/admin/notifications/devices"
FCM = "https://fcm.googleapis.com/fcm/send/"
VAPID_KEY = new_vapid_private_key()


@pytest.fixture
def push_relay(make_relay):
    return make_relay(notifications={"webPush": {"vapidPrivateKey": VAPID_KEY}})


def add(browser, body, status=201):
    result = browser.post(DEVICES, body)
    assert result.status_code == status, result.text
    return result.json


def test_a_device_is_listed_with_its_host_only_and_the_vapid_key(push_relay):
    owner = push_relay.owner()
    keys = DeviceKeys.new()
    device = add(owner, keys.subscription(FCM + "abc", "Pixel"))["device"]
    assert set(device) == {"deviceId", "label", "endpointHost", "createdAt", "lastUsedAt"}
    assert (device["label"], device["endpointHost"], device["lastUsedAt"]) == ("Pixel", "fcm.googleapis.com", None)
    listed = owner.get(DEVICES)
    assert listed.status_code == 200
    assert listed.json == {"ok": True, "publicKey": vapid_public_key(VAPID_KEY), "devices": [device]}
    assert FCM not in listed.text and keys.p256dh not in listed.text
    again = add(owner, keys.subscription(FCM + "abc", "Pixel 9"))["device"]  # the same endpoint: replaced
    assert again["deviceId"] == device["deviceId"] and again["label"] == "Pixel 9"
    assert len(owner.get(DEVICES).json["devices"]) == 1


@pytest.mark.parametrize("endpoint", [
    "https://evil.example.com/push/1",  # not listed
    "http://fcm.googleapis.com/fcm/send/1",  # listed for https only
    "https://fcm.googleapis.com.evil.example/x",
    "https://user@fcm.googleapis.com/x",
    "https://127.0.0.1/x",
    "ftp://fcm.googleapis.com/x",
    "fcm.googleapis.com/x",
    "https://fcm.googleapis.com/" + "x" * 3000,
])  # fmt: skip
def test_an_endpoint_off_the_allowlist_is_refused_and_not_stored(push_relay, endpoint):
    owner = push_relay.owner()
    assert add(owner, DeviceKeys.new().subscription(endpoint), 400) == {"error": "invalid-field", "detail": "endpoint"}
    assert owner.get(DEVICES).json["devices"] == []
    with push_relay.store.transaction(write=False) as tx:
        assert tx.push_subscriptions.count() == 0


def test_a_windows_subdomain_matches_its_wildcard(push_relay):
    owner = push_relay.owner()
    host = add(owner, DeviceKeys.new().subscription("https://wns2-par02p.notify.windows.com/w/?token=x"))["device"]["endpointHost"]
    assert host == "wns2-par02p.notify.windows.com"
    assert add(owner, DeviceKeys.new().subscription("https://notify.windows.com.evil/x"), 400)["detail"] == "endpoint"


def test_plain_http_needs_its_host_and_port_listed(make_relay):
    relay = make_relay(notifications={"webPush": {"allowedHosts": ["http://127.0.0.1:9"]}})
    owner = relay.owner()
    assert add(owner, DeviceKeys.new().subscription("http://127.0.0.1:9/push/a"))["device"]["endpointHost"] == "127.0.0.1"
    assert add(owner, DeviceKeys.new().subscription("http://127.0.0.1:10/push/a"), 400)["detail"] == "endpoint"
    assert add(owner, DeviceKeys.new().subscription(FCM + "a"), 400)["detail"] == "endpoint"  # the list replaced the defaults


@pytest.mark.parametrize("keys", [
    None, {}, {"p256dh": "abc", "auth": b64url(b"a" * 16)},
    {"p256dh": b64url(b"\x04" + b"\x01" * 64), "auth": b64url(b"a" * 16)},  # not a point on the curve
    {"p256dh": DeviceKeys.new().p256dh, "auth": b64url(b"short")},
    {"p256dh": DeviceKeys.new().p256dh, "auth": 16},
])  # fmt: skip
def test_bad_keys_are_refused(push_relay, keys):
    body = {"endpoint": FCM + "k", "label": "x", **({} if keys is None else {"keys": keys})}
    assert add(push_relay.owner(), body, 400) == {"error": "invalid-field", "detail": "keys"}


def test_devices_per_user_are_capped(make_relay):
    relay = make_relay(notifications={"webPush": {"maxDevicesPerUser": 2}})
    owner = relay.owner()
    for n in range(2):
        add(owner, DeviceKeys.new().subscription(FCM + str(n)))
    assert add(owner, DeviceKeys.new().subscription(FCM + "3"), 409) == {"error": "device-limit-reached"}
    assert add(add_person(relay, "viewer").browser, DeviceKeys.new().subscription(FCM + "3"))["ok"]  # per user


def test_without_a_vapid_key_the_public_key_is_empty(relay):
    assert relay.owner().get(DEVICES).json == {"ok": True, "publicKey": "", "devices": []}


def test_another_users_devices_are_out_of_reach(push_relay):
    owner, other = push_relay.owner(), add_person(push_relay, "owner").browser
    mine = add(owner, DeviceKeys.new().subscription(FCM + "mine"))["device"]["deviceId"]
    assert other.get(DEVICES).json["devices"] == []
    revoke = f"{DEVICES}/{mine}/revoke"
    assert other.post(revoke).status_code == 404 and other.post(revoke).json == {"error": "device-not-found"}
    assert [d["deviceId"] for d in owner.get(DEVICES).json["devices"]] == [mine]
    assert owner.post(revoke).json == {"ok": True}
    assert owner.get(DEVICES).json["devices"] == []
    assert owner.post(revoke).status_code == 404


def test_signed_out_callers_get_401(push_relay):
    assert push_relay.browser().get(DEVICES).status_code == 401
    assert push_relay.browser().post(DEVICES, DeviceKeys.new().subscription(FCM + "x")).status_code == 401


@pytest.mark.parametrize("how", ["disable", "sessions/revoke"])
def test_disabling_a_user_or_ending_their_sessions_removes_their_devices(push_relay, how):
    owner, person = push_relay.owner(), add_person(push_relay, "operator")
    add(person.browser, DeviceKeys.new().subscription(FCM + "theirs"))
    add(owner, DeviceKeys.new().subscription(FCM + "mine"))
    assert owner.post(f"/api/admin/users/{person.user_id}/{how}").status_code == 200
    with push_relay.store.transaction(write=False) as tx:
        assert tx.push_subscriptions.count(user_id=person.user_id) == 0
        assert tx.push_subscriptions.count() == 1  # the owner's stays
