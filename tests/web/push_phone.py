"""Notifications in the phone's Chromium: the app's service worker registration as CDP knows it, and a
push delivered to it (`ServiceWorker.deliverPushMessage`), the way a push service would hand one over."""

from __future__ import annotations

import json

from tests.waiting import wait_until

NOTIFICATIONS = """
async () => (await (await navigator.serviceWorker.ready).getNotifications())
  .map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url, renotify: n.renotify }))
"""


def wait_for_service_worker(phone) -> None:
    phone.page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")


def registration_id(phone) -> str:
    """The id of the app's service worker registration (scope = the relay's origin), from CDP's events."""
    cdp = phone.context.new_cdp_session(phone.page)
    seen: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: seen.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    scope = f"{phone.relay.origin}/"

    def found_yet():
        phone.page.wait_for_timeout(20)  # Playwright hands CDP events over only while it runs a call
        return [r for r in seen if r["scopeURL"] == scope and not r["isDeleted"]]

    found = wait_until(found_yet, what=f"the app's service worker registration (seen: {seen})")
    phone.push_cdp = cdp
    return found[-1]["registrationId"]


def deliver_push(phone, payload: dict) -> None:
    # Controlling the page is not enough under load: the push goes to the active worker, so wait
    # until it has finished activating (a push sent earlier can be dropped by Chromium silently).
    phone.page.wait_for_function(
        "async () => { const r = await navigator.serviceWorker.ready; return !!r.active && r.active.state === 'activated'; }"
    )
    phone.push_cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": phone.relay.origin, "registrationId": phone.push_registration, "data": json.dumps(payload)},
    )


def notifications_shown(phone) -> list[dict]:
    return phone.page.evaluate(NOTIFICATIONS)
