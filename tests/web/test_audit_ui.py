"""Issue 21 from the phone: an owner opens the audit trail under Manage and filters it by person and
by kind; the screen reads the same in Chinese; an operator has no menu entry and the relay refuses."""

from __future__ import annotations

from tests.waiting import wait_until

from .conftest import BOOTSTRAP_TOKEN
from .member_helpers import operator_cookie


def test_an_owner_reads_and_filters_the_trail_and_an_operator_cannot(relay, phones):
    owner = phones(relay)
    owner.open("/")
    owner.bootstrap_sign_in(BOOTSTRAP_TOKEN)  # signin
    owner.screen("home")
    otto_cookie = operator_cookie(relay)
    otto = phones(relay)
    otto.sign_in_with_cookie(otto_cookie)
    otto.open("/#/more")
    otto.screen("more")
    assert otto.page.locator("main .menu a", has_text="Audit trail").count() == 0
    otto.expect_failure("/api/admin/audit")  # the 403 below, and the state wait the sign-out ends
    otto.expect_failure("/api/admin/state")
    refused = otto.page.evaluate("async () => (await fetch('/api/admin/audit')).status")
    assert refused == 403
    otto.page.evaluate("async () => fetch('/api/auth/logout', {method: 'POST', headers: {'content-type': 'application/json'}, body: '{}'})")

    screen = owner.manage("Audit trail", "audit")
    rows = screen.locator("li.audit-entry")
    wait_until(lambda: rows.count() == 2, timeout=10)
    assert rows.nth(0).get_attribute("data-kind") == "signout" and rows.nth(1).get_attribute("data-kind") == "signin"
    assert "Signed out" in rows.nth(0).inner_text() and "by Otto" in rows.nth(0).inner_text()
    assert "Signed in with the bootstrap token (recovery session)" in rows.nth(1).inner_text()
    assert "from 127.0.0.1" in rows.nth(1).inner_text() and "method:" not in rows.nth(1).inner_text()
    owner.check("audit-trail")

    owner.page.select_option("select[name=person]", label="Otto")
    wait_until(lambda: rows.count() == 1 and rows.nth(0).get_attribute("data-kind") == "signout", timeout=10)
    owner.page.select_option("select[name=person]", value="")
    owner.page.select_option("select[name=kind]", label="Signed in")
    wait_until(lambda: rows.count() == 1 and rows.nth(0).get_attribute("data-kind") == "signin", timeout=10)
    assert screen.get_by_text("1 event shown.").is_visible()

    owner.open("/#/more")
    owner.screen("more")
    owner.page.select_option("select[name=language]", "zh-CN")
    owner.page.locator("main .menu a", has_text="审计记录").click()
    screen = owner.screen("audit")
    wait_until(lambda: screen.locator("li.audit-entry").count() == 1, timeout=10)  # the kind filter stays
    assert "登录" in screen.locator("li.audit-entry").nth(0).inner_text()
    assert screen.get_by_text("整个中继的安全事件").is_visible()
    owner.check("audit-trail-zh")
    owner.page.select_option("select[name=kind]", value="")
    wait_until(lambda: screen.locator("li.audit-entry").count() == 2, timeout=10)
    owner.page.evaluate("() => localStorage.setItem('mc.lang', 'en')")
