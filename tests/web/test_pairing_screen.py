"""The pairing screen (issue 18): the exact command a fresh server runs, a new request brought into
view, an approval confirmed and the spent code gone."""

from __future__ import annotations

import shlex

from tests.relay.agent_helpers import Http

from .conftest import BOOTSTRAP_TOKEN, WebRelay


def ask_to_pair(relay, code: str, agent_id: str) -> None:
    status, pending = Http(relay.port).post(
        "/api/agent/pair", {"pairingCode": code, "agentId": agent_id, "label": "Build box", "workspaceRootName": "src"}
    )  # fmt: skip
    assert status == 200 and pending["status"] == "pending", pending


def in_view(locator) -> bool:
    return locator.evaluate("(el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")


def test_pairing_shows_the_command_brings_the_request_into_view_and_confirms(relay, phone):
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    code = phone.new_pairing_code("build box")
    command = phone.page.locator("pre.command").inner_text()
    assert shlex.split(command) == ["mobile-codex", "agent", "--relay", relay.origin, "--pair-code", code], command
    phone.check("pair-code")

    phone.page.evaluate("() => window.scrollTo(0, 0)")
    ask_to_pair(relay, code, "box-1")
    request = phone.page.locator("[data-request-id]")
    request.wait_for()
    phone.page.wait_for_function(
        "() => { const r = document.querySelector('[data-request-id]').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )  # scrolled to without the person looking for it
    assert in_view(request.locator("button", has_text="Approve"))
    below_the_fold = "(el) => el.getBoundingClientRect().top + scrollY > innerHeight"
    assert request.evaluate(below_the_fold)  # it had to be scrolled to: its place is below the first screen
    request.locator("button", has_text="Approve").click()
    done = phone.page.locator("[data-pair-approved=box-1]")
    done.wait_for()
    assert "Build box is paired" in done.inner_text()
    assert phone.page.locator("[data-pairing-code]").count() == 0  # the spent code left the screen
    phone.page.locator("[data-request-id]").wait_for(state="detached")
    phone.check("pair-approved")


def test_a_rejected_request_keeps_the_code_and_confirms_nothing(relay, phone):
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    code = phone.new_pairing_code()
    ask_to_pair(relay, code, "box-2")
    phone.page.locator("[data-request-id] button", has_text="Reject").click()
    phone.page.locator("[data-request-id]").wait_for(state="detached")
    assert phone.page.locator("[data-pairing-code]").inner_text() == code
    assert phone.page.locator("[data-pair-approved]").count() == 0


def test_the_pairing_command_in_chinese_and_with_a_config_path_hint(tmp_path, phones):
    hint = "/srv/mobile codex/agent's.json"
    relay = WebRelay(tmp_path, web={"pairCommandConfigPathHint": hint})
    try:
        phone = phones(relay)
        phone.context.add_init_script("localStorage.setItem('mc.lang', 'zh-CN')")
        phone.open("/")
        phone.screen("signin")
        phone.page.locator("summary", has_text="引导令牌").click()
        phone.page.fill("input[name=bootstrapToken]", BOOTSTRAP_TOKEN)
        phone.page.locator("form button[type=submit]", has_text="令牌").click()
        phone.screen("home")
        phone.page.locator("a[href='#/pair']").first.click()
        phone.screen("pairing")
        phone.page.locator("form button[type=submit]").click()
        code = phone.page.locator("[data-pairing-code]").inner_text()
        command = phone.page.locator("pre.command").inner_text()
        assert shlex.split(command) == ["mobile-codex", "agent", "--config", hint, "--relay", relay.origin, "--pair-code", code]
        assert "代理会为你运行它的文件夹写好配置" in phone.page.locator(".pair-result").inner_text()
        phone.check("pair-code-zh")
    finally:
        relay.stop()
