"""Passkeys through the UI, with Chromium's virtual authenticator: register after a bootstrap
sign-in, sign out, sign in with the passkey; an enrollment-locked user lands on "register your passkey"."""

from __future__ import annotations

from tests.relay.passkey_helpers import add_locked_user

from .conftest import BOOTSTRAP_TOKEN


def test_bootstrap_then_register_a_passkey_sign_out_and_sign_in_with_it(relay, phone):
    phone.add_authenticator()
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.page.locator("a", has_text="Add a passkey").first.click()
    phone.screen("enroll")
    phone.check("enroll")
    phone.page.fill("input[name=label]", "Test phone")
    phone.page.locator("button", has_text="Register passkey").click()
    phone.screen("home")
    assert phone.page.get_by_text("Add a passkey so you can sign in").count() == 0
    with relay.store.transaction(write=False) as tx:
        assert [p.label for p in tx.passkeys.find()] == ["Test phone"]

    phone.tab("Manage", "more")
    phone.page.locator("button", has_text="Sign out").click()
    phone.screen("signin")
    phone.check("signed-out")
    phone.page.locator("button", has_text="Sign in with a passkey").click()
    phone.screen("home")
    status = phone.page.evaluate("async () => (await fetch('/api/auth/status')).json()")
    assert status["authenticated"] and status["auth"]["currentUser"]["displayName"] == "Owner"
    phone.check("passkey-signed-in")


def test_an_enrollment_locked_user_goes_straight_to_register_your_passkey(relay, phone):
    phone.add_authenticator()
    cookie = add_locked_user(relay.app, "Lin", role="operator")
    phone.sign_in_with_cookie(cookie)
    phone.open("/#/tasks")
    phone.screen("enroll")
    assert phone.page.locator("h1").inner_text() == "Register your passkey"
    assert phone.page.locator(".tabbar").is_hidden()
    phone.check("enroll-locked")
    phone.page.locator("button", has_text="Register passkey").click()
    phone.screen("home")
    assert phone.page.locator(".tabbar").is_visible()
    phone.check("enrolled")
