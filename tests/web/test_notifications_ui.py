"""Notifications in the phone's Chromium (issue 17): a push shows a notification with the task's deep
link, Settings → Notifications lists this user's devices and revokes one, the subscribe button says
clearly that this browser cannot reach a push service (headless Chromium has none), and an iPhone
outside the Home Screen app is told why notifications need it. English and 简体中文."""

from __future__ import annotations

import pytest

from mobile_codex.core.plugins import load_plugins
from mobile_codex.core.web_push import new_vapid_private_key
from tests.push_helpers import DeviceKeys
from tests.waiting import wait_until

from .conftest import WebRelay
from .push_phone import deliver_push, notifications_shown, registration_id, wait_for_service_worker

DEVICES = "/api/admin/notifications/devices"
PREFERENCES = "/api/admin/notifications/preferences"
PUSH_SERVICE = "http://127.0.0.1:9"  # never called here: the devices are only listed and revoked
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def relay(tmp_path):
    instance = WebRelay(
        tmp_path, plugins=load_plugins(entry_points=[]),  # the built-in Web Push notifier
        notifications={"webPush": {"vapidPrivateKey": new_vapid_private_key(), "allowedHosts": [PUSH_SERVICE]}},
    )
    yield instance
    instance.stop()


def signed_in(phone):
    phone.open("/")
    phone.bootstrap_sign_in()
    phone.screen("home")
    wait_for_service_worker(phone)


def open_notifications(phone):
    phone.tab("Manage", "more")
    phone.page.locator("a", has_text="Notifications").click()
    return phone.screen("notifications")


def test_a_push_shows_a_notification_with_the_tasks_link(relay, phone):
    phone.context.grant_permissions(["notifications"], origin=relay.origin)
    signed_in(phone)
    phone.push_registration = registration_id(phone)
    link = f"{relay.origin}/#/task/task_42"
    deliver_push(phone, {
        "kind": "request-waiting", "title": "Codex waits for you", "body": "docs · laptop: a command needs your answer",
        "url": link, "tag": "task_42:request-waiting", "taskId": "task_42", "requestId": "req_1", "waiting": 1,
    })  # fmt: skip
    shown = wait_until(lambda: notifications_shown(phone), what="the notification of the push")
    assert shown == [{
        "title": "Codex waits for you", "body": "docs · laptop: a command needs your answer", "tag": "task_42:request-waiting",
        "url": link, "renotify": True,
    }]  # fmt: skip

    # The same task and kind again replaces it (one notification per tag); a link off the app's origin
    # is never followed: the notification opens the app instead.
    deliver_push(phone, {"kind": "request-answered", "title": "Answered by Ann", "body": "", "tag": "task_42:request-waiting",
                         "url": "https://evil.example/#/task/task_42", "waiting": 0})  # fmt: skip
    wait_until(lambda: [n["title"] for n in notifications_shown(phone)] == ["Answered by Ann"], what="the replacement")
    assert notifications_shown(phone)[0]["url"] == f"{relay.origin}/"
    assert notifications_shown(phone)[0]["renotify"] is False
    phone.check("after-push")


def test_settings_lists_this_users_devices_and_revokes_one(relay, phone):
    signed_in(phone)
    owner = relay.owner()  # the same person on another device adds a subscription with keys this test made
    status, body = owner.post(DEVICES, DeviceKeys.new().subscription(f"{PUSH_SERVICE}/push/pixel", "Pixel of Ann"))
    assert status == 201, body
    device_id = body["device"]["deviceId"]
    screen = open_notifications(phone)
    card = screen.locator(f"[data-device-id='{device_id}']")
    card.wait_for()
    assert "Pixel of Ann" in card.inner_text() and "127.0.0.1" in card.inner_text()
    assert "/push/pixel" not in screen.inner_text()  # the endpoint is never shown (nor sent)
    phone.check("devices")

    card.locator("button", has_text="Revoke").click()
    card.locator("button", has_text="Stop notifications to this device").click()
    screen.locator("text=No device receives your notifications yet.").wait_for()
    assert owner.get(DEVICES)[1]["devices"] == []

    phone.page.evaluate("() => localStorage.setItem('mc.lang', 'zh-CN')")
    phone.page.reload()
    zh = phone.screen("notifications")
    zh.locator("text=还没有设备接收你的通知。").wait_for()
    assert "在此设备上开启" in zh.inner_text()
    phone.check("devices-zh")


def test_the_subscribe_button_says_the_push_service_cannot_be_reached(relay, phone):
    phone.context.grant_permissions(["notifications"], origin=relay.origin)
    signed_in(phone)
    screen = open_notifications(phone)
    assert "This browser may show notifications" in screen.locator("[data-push-status]").inner_text()
    screen.locator("[data-turn-on]").click()
    error = screen.locator("[role=alert]", has_text="could not reach its push service")
    error.wait_for(timeout=40000)  # the browser's own failure, or the app's timeout (20 s)
    assert relay.owner().get(DEVICES)[1]["devices"] == []  # nothing was added
    # Chromium says why in the console itself (a Playwright context is like an incognito window): the
    # browser's own message, not the app's, so it is taken out of the errors this phone checks.
    refusal = [e for e in phone.console if e["type"] == "error" and "Push API" in e["text"]]
    assert refusal, phone.console
    phone.console = [e for e in phone.console if e not in refusal]
    phone.check("push-service-unreachable")


def test_an_iphone_outside_the_home_screen_is_told_to_add_the_app(relay, chromium, phones):
    phone = phones(relay)
    phone.context.close()
    phone.context = chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
                                         device_scale_factor=2, user_agent=IPHONE)  # fmt: skip
    phone.page = phone.context.new_page()
    phone.page.on("pageerror", lambda err: phone.page_errors.append(str(err)))
    phone.page.on("console", phone._on_console)
    signed_in(phone)
    screen = open_notifications(phone)
    assert "Add to Home Screen" in screen.locator("[data-ios-note]").inner_text()
    phone.check("ios-note")


def test_which_events_are_saved_and_a_test_is_sent(relay, phone):
    signed_in(phone)
    screen = open_notifications(phone)
    task_finished = screen.locator("input[data-kind='task-finished']")
    task_finished.wait_for()
    assert screen.locator("input[data-kind]").count() == 5 and task_finished.is_checked()
    task_finished.uncheck()
    wait_until(lambda: relay.owner().get(PREFERENCES)[1]["preferences"]["kinds"]["task-finished"] is False,
               what="the preference saved")  # fmt: skip
    assert relay.owner().get(PREFERENCES)[1]["preferences"]["kinds"]["request-waiting"] is True
    phone.page.reload()
    assert not phone.screen("notifications").locator("input[data-kind='task-finished']").is_checked()

    phone.page.locator("button", has_text="Send a test notification").click()
    phone.page.locator("[role=status]", has_text="Sent to your devices").wait_for()  # the Web Push channel took it
    phone.check("events")
