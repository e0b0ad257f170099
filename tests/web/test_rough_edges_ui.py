"""Small rough edges a person saw on a 390×844 phone (ux23), in English and 简体中文: the empty
conversation list does not point at a prompt box that is not there (no agent yet)."""

from __future__ import annotations

import pytest

from tests.waiting import wait_until

from .conftest import BOOTSTRAP_TOKEN
from .home_helpers import ScriptedAgent

LANGUAGES = pytest.mark.parametrize("language", ["en", "zh-CN"])
WORDS = {
    "en": {"noAgent": "No conversations yet. Pair an agent to start one.", "none": "No conversations yet. Ask Codex something below.",
           "supervised": "Supervised", "chat": "Chat"},
    "zh-CN": {"noAgent": "还没有对话。先配对一个代理，再开始对话。", "none": "还没有对话。在下方向 Codex 提问。",
              "supervised": "监督", "chat": "对话（只读）"},
}  # fmt: skip


def signed_in(phones, relay, language: str):
    """A phone in `language`, signed in with the bootstrap token (the last of the other ways)."""
    phone = phones(relay)
    phone.context.add_init_script(f"localStorage.setItem('mc.lang', {language!r})")
    phone.open("/")
    phone.screen("signin")
    phone.page.locator("details.disclosure summary").last.click()
    phone.page.fill("input[name=bootstrapToken]", BOOTSTRAP_TOKEN)
    phone.page.locator("input[name=bootstrapToken] >> xpath=ancestor::form//button[@type='submit']").click()
    phone.screen("home")
    return phone


@LANGUAGES
def test_the_empty_list_says_to_pair_an_agent_until_there_is_a_box_to_ask_in(relay, phones, language):
    words = WORDS[language]
    phone = signed_in(phones, relay, language)
    empty = phone.page.locator(".home ul.conversations li.empty")
    empty.wait_for()
    assert empty.inner_text() == words["noAgent"]
    assert phone.page.locator("textarea[name=prompt]").is_hidden()  # nothing "below" to ask in
    assert phone.page.locator(".composer-card a[href='#/pair']").is_visible()
    phone.check("empty-no-agent")

    ScriptedAgent(relay, relay.owner()).poll()  # an agent pairs: now the box is below the list
    wait_until(lambda: empty.inner_text() == words["none"], timeout=20, what="the empty list to point at the box")
    assert phone.page.locator("textarea[name=prompt]").is_visible()
    phone.check("empty-with-agent")
