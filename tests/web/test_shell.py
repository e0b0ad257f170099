"""The app shell: loads clean, bootstrap sign-in, layout rules on every screen, login link."""

from __future__ import annotations

import pytest

from mobile_codex.relay_app.services.login_codes import mint_login_code

from .conftest import BOOTSTRAP_TOKEN


def test_sign_in_screen_loads_without_errors(phone):
    phone.open("/")
    phone.screen("signin")
    assert phone.page.locator("button", has_text="Sign in with a passkey").is_visible()
    phone.check("signin")
    for summary in phone.page.locator("summary").all():  # the other ways, opened
        summary.click()
    phone.check("signin-all-ways")


def test_wrong_bootstrap_token_says_so(phone):
    phone.open("/")
    phone.expect_failure("/api/auth/login")
    phone.bootstrap_sign_in("not-the-token")
    phone.page.get_by_text("That bootstrap token is not right.").wait_for()
    phone.check("signin-wrong-token")


def test_bootstrap_sign_in_and_every_screen(phone):
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.page.get_by_text("No agent is paired with this workspace yet.").wait_for()
    assert phone.page.locator(".workspace-button .pill-name").inner_text() == "Primary"
    assert phone.page.locator(".workspace-button .pill-kind").inner_text() == "Workspace"
    assert phone.page.locator(".tabbar a").all_inner_texts() == ["Home", "Tasks", "Manage"]
    assert phone.page.locator(".tabbar a svg.icon").count() == 3
    phone.check("home-empty")
    for tab, screen in (("Tasks", "tasks"), ("Manage", "more")):
        phone.page.locator(".tabbar a", has_text=tab).click()
        phone.screen(screen)
        phone.check(screen)
    phone.manage("Agents", "agents")
    phone.check("agents-empty")
    phone.page.locator("a", has_text="Pair an agent").click()
    phone.screen("pairing")
    phone.check("pair")
    phone.page.locator(".workspace-button").click()
    phone.screen("workspaces")
    phone.check("workspaces")


def test_login_link_signs_in_and_leaves_the_address_bar(relay, phone):
    code = mint_login_code(relay.store, relay.app.relay.clock)
    phone.open(f"/#code={code}")
    phone.screen("home")
    assert "code=" not in phone.page.url
    assert phone.page.evaluate("() => location.hash") == "#/home"
    phone.check("login-link")


def test_a_spent_login_link_says_so(relay, phone):
    phone.expect_failure("/api/auth/login-code")
    phone.open("/#code=AAAA-BBBB-CCCC")
    phone.screen("signin")
    phone.page.get_by_text("That sign-in link is not valid").wait_for()
    assert "code=" not in phone.page.url
    phone.check("login-link-invalid")
