"""The service worker: after a first visit the app opens with the relay stopped and says it is
offline; API answers are never cached."""

from __future__ import annotations

from .conftest import BOOTSTRAP_TOKEN


def wait_for_service_worker(phone) -> None:
    phone.page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")


def test_the_app_opens_offline_and_says_so(relay, phone):
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    wait_for_service_worker(phone)
    cached = phone.page.evaluate(
        "async () => (await Promise.all((await caches.keys()).map(async (k) => (await (await caches.open(k)).keys()).map((r) => new URL(r.url).pathname)))).flat()"
    )
    assert {"/", "/app.js", "/strings/en.js", "/strings/zh-CN.js", "/screens/sessions.js", "/screens/people.js"} <= set(cached)
    assert not [path for path in cached if path.startswith("/api/")]
    phone.check("online")

    relay.stop()
    phone.expect_failure("/api/")  # the relay is gone: its requests fail, as this test wants
    phone.page.reload()
    notice = phone.page.locator("[data-offline]").first
    notice.wait_for()
    assert "You are offline" in phone.page.locator("main").inner_text()
    phone.check("offline")

    # The strings of both languages are in the cached shell: offline in 简体中文 too.
    phone.page.evaluate("() => localStorage.setItem('mc.lang', 'zh-CN')")
    phone.page.reload()
    phone.page.locator("[data-offline]").first.wait_for()
    assert "你已离线" in phone.page.locator("main").inner_text()
    phone.check("offline-zh")
