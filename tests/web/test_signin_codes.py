"""Signing in with a one-time code: typed in, or a link opened in an app that is already open;
a spent or expired code says which, and old errors leave the sign-in screen (issue 18)."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from mobile_codex.core.timeutil import iso, system_clock
from mobile_codex.relay_app.services.login_codes import mint_login_code

from .conftest import DESKTOP, VIEWPORT


@pytest.fixture(params=[VIEWPORT, DESKTOP], ids=["phone", "desktop"])
def phone(relay, phones, request):
    """Each test at 390×844 (touch) and at 1280×800."""
    return phones(relay, request.param)


CODE_ERROR = "[data-login-code] .error"


def new_code(relay) -> str:
    return mint_login_code(relay.store, system_clock)


def expire_all_codes(relay) -> None:
    with relay.store.transaction() as tx:
        for record in tx.login_codes.find():
            tx.login_codes.put(attrs.evolve(record, expires_at=iso(system_clock() - timedelta(seconds=1))))


def test_a_typed_code_signs_in_and_a_spent_one_says_so(relay, phone):
    spent = new_code(relay)
    assert relay.http().post("/api/auth/login-code", {"loginCode": spent})[0] == 200
    phone.expect_failure("/api/auth/login")  # refused codes and tokens, as these tests want
    phone.open("/")
    phone.screen("signin")
    phone.check("signin-with-code-field")
    phone.page.fill("input[name=loginCode]", spent)
    phone.page.locator("button", has_text="Sign in with the code").click()
    error = phone.page.locator(CODE_ERROR)
    error.get_by_text("was used already").wait_for()
    phone.check("code-spent")

    phone.page.fill("input[name=loginCode]", new_code(relay).lower())  # typed as it comes, any case
    phone.page.locator("button", has_text="Sign in with the code").click()
    phone.page.locator(".tabbar").wait_for()
    assert phone.page.locator("main .screen.signin").count() == 0


def test_an_expired_code_says_expired_and_a_new_attempt_clears_it(relay, phone):
    expired = new_code(relay)
    expire_all_codes(relay)
    phone.expect_failure("/api/auth/login")  # refused codes and tokens, as these tests want
    phone.open("/")
    phone.screen("signin")
    phone.page.fill("input[name=loginCode]", expired)
    phone.page.locator("button", has_text="Sign in with the code").click()
    phone.page.locator(CODE_ERROR, has_text="has expired").wait_for()
    phone.check("code-expired")
    phone.page.locator("summary", has_text="Bootstrap token").click()
    phone.page.fill("input[name=bootstrapToken]", "not-the-token")
    phone.page.locator("button", has_text="Sign in with the token").click()
    phone.page.locator("form .error", has_text="token").first.wait_for()
    assert phone.page.locator(CODE_ERROR).inner_text() == ""  # the old error went


def test_a_sign_in_link_opened_in_an_open_app_signs_in(relay, phone):
    phone.expect_failure("/api/auth/login")  # refused codes and tokens, as these tests want
    phone.open("/")
    phone.screen("signin")
    spent = new_code(relay)
    assert relay.http().post("/api/auth/login-code", {"loginCode": spent})[0] == 200
    phone.page.evaluate(f"() => {{ location.hash = '#code={spent}'; }}")  # what opening the link does to an open app
    phone.page.locator(".banner .error", has_text="was used already").wait_for()
    assert "code=" not in phone.page.url
    phone.check("link-spent-in-open-app")

    phone.page.evaluate(f"() => {{ location.hash = '#code={new_code(relay)}'; }}")
    phone.page.locator(".tabbar").wait_for()
    assert "code=" not in phone.page.url and phone.page.locator(".banner .error").count() == 0
    assert phone.page.evaluate("async () => (await (await fetch('/api/auth/status')).json()).authenticated") is True
    phone.check("signed-in-by-link")


def test_a_link_at_first_load_that_expired_says_so_on_the_sign_in_screen(relay, phone):
    code = new_code(relay)
    expire_all_codes(relay)
    phone.expect_failure("/api/auth/login-code")
    phone.open(f"/#code={code}")
    phone.screen("signin")
    phone.page.locator(".banner .error", has_text="has expired").wait_for()
    phone.page.fill("input[name=loginCode]", new_code(relay))
    phone.page.locator("button", has_text="Sign in with the code").click()
    phone.page.locator(".tabbar").wait_for()
    assert phone.page.locator(".banner .error").count() == 0


def test_the_code_field_and_its_refusals_in_chinese(relay, phone):
    spent = new_code(relay)
    assert relay.http().post("/api/auth/login-code", {"loginCode": spent})[0] == 200
    phone.context.add_init_script("localStorage.setItem('mc.lang', 'zh-CN')")
    phone.expect_failure("/api/auth/login-code")
    phone.open("/")
    phone.screen("signin")
    assert phone.page.locator("[data-login-code] h2").inner_text() == "登录码"
    phone.page.fill("input[name=loginCode]", spent)
    phone.page.locator("[data-login-code] button[type=submit]").click()
    phone.page.locator(CODE_ERROR, has_text="该登录码已被使用").wait_for()
    phone.check("code-spent-zh")
