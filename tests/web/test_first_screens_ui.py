"""Rough edges outside the conversation a person saw on a 390×844 phone (ux24), in English and 简体中文:
sign-in leads with what works while the relay has no passkey (and shows commands as code, not
backticks); a status has one word on every screen; the Tasks tab says "empty" once and keeps its
filters on one row that scrolls inside itself; Manage names the owner's roles cleanly; and the
Notifications screen's device-name hint does not touch the "Turn on" button."""

from __future__ import annotations

import pytest

from tests.waiting import wait_until

from .conftest import BOOTSTRAP_TOKEN
from .home_helpers import ScriptedAgent, in_language, signed_in_with_token

LANGUAGES = pytest.mark.parametrize("language", ["en", "zh-CN"])
WORDS = {
    "en": {"noPasskey": "No passkey is registered on this relay yet.", "passkey": "Sign in with a passkey",
           "completed": "Completed", "failed": "Failed", "none": "No tasks here.", "tasks": "2 tasks",
           "roles": "Primary · Owner of the workspace and the relay"},
    "zh-CN": {"noPasskey": "此中继上还没有注册任何通行密钥。", "passkey": "使用通行密钥登录",
              "completed": "已完成", "failed": "失败", "none": "这里没有任务。", "tasks": "2 个任务",
              "roles": "Primary · 工作区和中继的所有者"},
}  # fmt: skip


def top(locator) -> float:
    return locator.bounding_box()["y"]


@LANGUAGES
def test_without_a_passkey_sign_in_leads_with_the_code_and_shows_commands_as_code(relay, phones, language):
    words = WORDS[language]
    phone = in_language(phones, relay, language)
    screen = phone.screen("signin")
    assert screen.get_by_text(words["noPasskey"]).is_visible()
    code_card, passkey_button = screen.locator("[data-login-code]"), screen.locator("button", has_text=words["passkey"])
    assert top(code_card) < top(passkey_button)  # what works comes first
    assert "primary" in code_card.locator("button[type=submit]").get_attribute("class")
    assert "primary" not in passkey_button.get_attribute("class")  # the one that cannot work yet is secondary

    hint = code_card.locator(".field .hint")
    assert "`" not in hint.inner_text()
    assert hint.locator("code").all_inner_texts() == ["mobile-codex up", "mobile-codex login-code"]
    assert hint.locator("code").first.evaluate("(el) => getComputedStyle(el).fontFamily") != hint.evaluate(
        "(el) => getComputedStyle(el).fontFamily")  # set apart as a command
    phone.check("no-passkey")

    phone.expect_failure("/api/auth/login-code")
    code_card.locator("input[name=loginCode]").fill("AAAA-BBBB-CCCC")  # a code nobody issued: the message names a command too
    code_card.locator("button[type=submit]").click()
    error = code_card.locator(".error")
    wait_until(lambda: error.inner_text() != "", timeout=15, what="the refusal")
    assert "`" not in error.inner_text() and error.locator("code").count() >= 1


def test_with_a_passkey_registered_sign_in_still_leads_with_the_passkey(relay, phone):
    phone.add_authenticator()
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.add_passkey_from_home("Test phone")
    phone.open("/")  # a fresh start, as the next visit
    phone.tab("Manage", "more")
    phone.page.locator("button", has_text="Sign out").click()
    phone.open("/")
    screen = phone.screen("signin")
    passkey_button = screen.locator("button", has_text="Sign in with a passkey")
    assert screen.get_by_text(WORDS["en"]["noPasskey"]).count() == 0
    assert top(passkey_button) < top(screen.locator("[data-login-code]"))
    assert "primary" in passkey_button.get_attribute("class")
    phone.check("with-passkey")


@LANGUAGES
def test_a_status_has_the_same_word_on_home_and_in_the_task_header(relay, phones, language):
    words = WORDS[language]
    agent = ScriptedAgent(relay, relay.owner())
    agent.poll()
    done = agent.turn("How long do quinces keep?", "For months.")
    failed = agent.turn("Summarise the build log", "The log could not be read.", status="failed")
    phone = signed_in_with_token(phones, relay, language)
    for task_id, word in ((done, words["completed"]), (failed, words["failed"])):
        phone.open("/")
        phone.screen("home")
        chip = phone.page.locator(f".home .conversation-row[data-task-id={task_id}] [data-state]")
        chip.wait_for()
        assert chip.inner_text() == word
        phone.page.locator(f".home .conversation-row[data-task-id={task_id}]").click()
        phone.screen("task")
        header = phone.page.locator("main .conversation-head .chip[data-status]")
        wait_until(lambda: header.count() == 1 and header.inner_text() == word, timeout=15, what=f"the header to say {word}")
    phone.open("/")
    phone.screen("home")
    phone.check("home")


CHIP_ROWS = """
() => {
  const row = document.querySelector("main .tasks > .chips");
  const tops = [...row.querySelectorAll("button")].map((b) => Math.round(b.getBoundingClientRect().top));
  return { tops, height: row.getBoundingClientRect().height, scrolls: row.scrollWidth > row.clientWidth,
           pageScrollX: document.scrollingElement.scrollWidth - window.innerWidth };
}
"""


@LANGUAGES
def test_the_tasks_tab_says_empty_once_and_keeps_its_filters_on_one_row(relay, phones, language):
    words = WORDS[language]
    phone = signed_in_with_token(phones, relay, language)
    phone.open("/#/tasks")
    screen = phone.screen("tasks")
    empty = screen.locator("li.empty")
    empty.wait_for()
    assert empty.inner_text() == words["none"]
    assert screen.locator("[role=status]").is_hidden()  # no "0 tasks" right above it
    chips = phone.page.evaluate(CHIP_ROWS)
    assert len(chips["tops"]) == 5 and len(set(chips["tops"])) == 1, chips  # one row
    assert chips["height"] < 60 and chips["pageScrollX"] <= 0, chips
    phone.check("empty")

    agent = ScriptedAgent(relay, relay.owner())
    agent.poll()
    agent.turn("How long do quinces keep?", "For months.")
    agent.turn("Summarise the build log", "The log could not be read.", status="failed")
    count = screen.locator("[role=status]")
    wait_until(lambda: count.is_visible() and count.inner_text() == words["tasks"], timeout=20, what="the count")
    first = screen.locator("ul.tasks li").first
    assert top(first) < 280, top(first)  # the first task is not pushed down by rows of chips

    last = screen.locator(".chips button[data-filter=problems]")
    last.click()  # reached by scrolling the row, not the page
    assert last.get_attribute("aria-pressed") == "true"
    wait_until(lambda: screen.locator("ul.tasks li").count() == 1, timeout=10, what="the failed task only")
    assert phone.page.evaluate(CHIP_ROWS)["pageScrollX"] <= 0
    phone.check("filtered")


@LANGUAGES
def test_manage_names_an_owner_of_workspace_and_relay_once(relay, phones, language):
    phone = signed_in_with_token(phones, relay, language)
    phone.open("/#/more")
    screen = phone.screen("more")
    assert screen.locator("[data-roles]").inner_text() == WORDS[language]["roles"]
    phone.check("manage")


def test_the_device_name_hint_does_not_touch_the_turn_on_button(relay, phones):
    phone = signed_in_with_token(phones, relay, "en")
    phone.open("/#/notifications")
    screen = phone.screen("notifications")
    hint = screen.locator("input[name=deviceLabel] >> xpath=ancestor::div[contains(@class,'field')]").locator(".hint")
    button = screen.locator("[data-turn-on]")
    gap = top(button) - (top(hint) + hint.bounding_box()["height"])
    assert gap >= 8, gap
    phone.check("notifications")
