"""Small things a person saw on a 390×844 phone (ux25), in English and 简体中文 where there are words:
Home's passkey suggestion is short and "Not now" puts it away on this device (still away after a
reload; My passkeys under Manage still offers it); Send stands level with the prompt, whose focus
ring is a light 2 px line rather than a thick halo; each Manage entry shows a chevron (it opens a
screen) and stays a 44 px target; and the Tasks filter for "awaiting approval and requests waiting"
is named for what it holds ("Waiting for you"), leaving "Awaiting approval" to the task's status."""

from __future__ import annotations

import pytest

from tests.waiting import wait_until

from .home_helpers import ScriptedAgent, signed_in_with_token

LANGUAGES = pytest.mark.parametrize("language", ["en", "zh-CN"])
WORDS = {
    "en": {"add": "Add a passkey", "notNow": "Not now", "passkeys": "My passkeys", "waiting": "Waiting for you",
           "awaiting": "Awaiting approval"},
    "zh-CN": {"add": "添加通行密钥", "notNow": "以后再说", "passkeys": "我的通行密钥", "waiting": "等你处理",
              "awaiting": "等待批准"},
}  # fmt: skip


@LANGUAGES
def test_not_now_puts_the_passkey_suggestion_away_on_this_device(relay, phones, language):
    words = WORDS[language]
    phone = signed_in_with_token(phones, relay, language)
    nudge = phone.page.locator("main [data-passkey-nudge]")
    nudge.wait_for()
    assert nudge.locator("a[href='#/enroll']").inner_text() == words["add"]
    height = nudge.bounding_box()["height"]
    assert height <= 120, f"the suggestion takes {height} px of 844"  # it took about a quarter before
    phone.check("suggested")

    nudge.locator("button[data-not-now]", has_text=words["notNow"]).click()
    wait_until(lambda: nudge.count() == 0, timeout=10, what="the suggestion to go away")
    heading, first = phone.page.locator("main .home h1").bounding_box(), phone.page.locator("main ul.conversations").bounding_box()
    assert first["y"] - (heading["y"] + heading["height"]) <= 26, (heading, first)  # no empty space left where it was
    phone.check("put-away")

    phone.page.reload()
    phone.screen("home")
    phone.page.locator("main ul.conversations li.empty").wait_for()  # the state is in: Home drew it all
    phone.page.wait_for_timeout(300)
    assert nudge.count() == 0  # still away after a reload
    until = phone.page.evaluate("() => Object.values(JSON.parse(localStorage.getItem('mc.passkeyNudgeHiddenUntil')))[0]")
    days = (until - phone.page.evaluate("() => Date.now()")) / 86_400_000
    assert 6.9 < days <= 7, days  # for a week, not for ever

    phone.page.locator(".tabbar a[data-tab=more]").click()
    phone.screen("more")
    phone.page.locator("main .menu a[href='#/passkeys']", has_text=words["passkeys"]).click()  # still there when wanted
    phone.screen("passkeys")


def test_the_suggestion_comes_back_after_the_week(relay, phones):
    """A "Not now" from more than a week ago no longer hides it."""
    phone = signed_in_with_token(phones, relay, "en")
    phone.page.locator("main [data-passkey-nudge] button[data-not-now]").click()
    phone.page.evaluate("""() => {
      const saved = JSON.parse(localStorage.getItem('mc.passkeyNudgeHiddenUntil'));
      for (const key of Object.keys(saved)) saved[key] = Date.now() - 1000;  // the week is over
      localStorage.setItem('mc.passkeyNudgeHiddenUntil', JSON.stringify(saved));
    }""")
    phone.page.reload()
    phone.screen("home")
    phone.page.locator("main [data-passkey-nudge]").wait_for()


CENTRES = """
() => {
  const centre = (el) => { const r = el.getBoundingClientRect(); return r.top + r.height / 2; };
  const prompt = document.querySelector("textarea[name=prompt]");
  const send = document.querySelector(".home-composer button.send");
  const style = getComputedStyle(prompt);
  return { prompt: centre(prompt), send: centre(send), width: style.outlineWidth, style: style.outlineStyle,
           focused: document.activeElement === prompt };
}
"""


def test_send_stands_level_with_the_prompt_and_its_focus_ring_is_light(relay, phones):
    ScriptedAgent(relay, relay.owner()).poll()
    phone = signed_in_with_token(phones, relay, "en")
    prompt = phone.page.locator("textarea[name=prompt]")
    prompt.wait_for()
    prompt.click()
    shown = phone.page.evaluate(CENTRES)
    assert shown["focused"], shown
    assert abs(shown["prompt"] - shown["send"]) <= 3, shown
    assert shown["style"] == "solid" and shown["width"] == "2px", shown  # visible, not the 3 px halo
    phone.check("composer")


CHEVRONS = """
() => [...document.querySelectorAll("main .menu a")].map((a) => {
  const after = getComputedStyle(a, "::after"), box = a.getBoundingClientRect();
  return { text: a.textContent, height: box.height, content: after.content, width: parseFloat(after.width),
           border: after.borderTopWidth, display: after.display };
})
"""


def test_every_manage_entry_shows_a_chevron_and_is_a_full_tap_target(relay, phones):
    phone = signed_in_with_token(phones, relay, "en")
    phone.page.locator(".tabbar a[data-tab=more]").click()
    phone.screen("more")
    entries = phone.page.evaluate(CHEVRONS)
    assert len(entries) >= 6, entries  # agents, workspaces, sessions, people, ... notifications
    for entry in entries:
        assert entry["content"] != "none" and entry["display"] != "none", entry
        assert entry["width"] >= 6 and entry["border"] == "2px", entry
        assert entry["height"] >= 44, entry
    phone.check("menu")


@LANGUAGES
def test_the_tasks_filter_is_named_for_what_it_holds(relay, phones, language):
    words = WORDS[language]
    phone = signed_in_with_token(phones, relay, language)
    phone.page.locator(".tabbar a[data-tab=tasks]").click()
    phone.screen("tasks")
    chip = phone.page.locator("main button[data-filter=approval]")
    assert chip.inner_text() == words["waiting"]
    status = phone.page.evaluate(f"async () => (await import('/i18n.js')).TABLE[{language!r}]['status.awaiting_approval']")
    assert status == words["awaiting"] and status != chip.inner_text()  # the status keeps its own word
    chip.click()
    assert chip.get_attribute("aria-pressed") == "true"
    phone.check("filter")
