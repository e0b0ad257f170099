"""Home is the workspace's conversations (issue 18), in Chromium at 390×844 and 1280×800: the turns of
a Codex thread are one conversation named after its first message, housekeeping tasks (reading a
session) are never listed, each row says where it stands and how the last answer starts, and a new
conversation takes typing plus one tap. Titles agree in list and detail after a relay restart. On a
wide screen the list stays beside the open conversation and the navigation is at the side; screens
below a tab have a back button (an installed app has no browser back)."""

from __future__ import annotations

import pytest

from tests.waiting import wait_until

from .conftest import BOOTSTRAP_TOKEN, DESKTOP, VIEWPORT, WebRelay
from .home_helpers import ScriptedAgent

THREAD = "0199a0c4-5f1e-7c11-9b2e-2f6f5e0d1a77"
SIZES = pytest.mark.parametrize("size", [VIEWPORT, DESKTOP], ids=["phone", "desktop"])


def history(relay):
    """A thread of two turns, a one-off run that failed, one still running, and a session read."""
    owner = relay.owner()
    agent = ScriptedAgent(relay, owner)
    agent.poll()
    first = agent.turn("How long do quinces keep?", "Quinces keep for months in a cool place.", thread=THREAD)
    second = agent.turn("And how do I cook them?", "Stew them with honey and a bay leaf.", thread=THREAD, continues=True)
    failed = agent.turn("Summarise the build log", "The log could not be read.", status="failed")
    running = agent.turn("Count the TODOs", None)
    code, read = owner.post("/api/admin/tasks", {"type": "read_session", "agentId": "box-1", "sessionId": THREAD})
    assert code == 201, read
    return owner, agent, {"first": first, "second": second, "failed": failed, "running": running, "read": read["task"]["taskId"]}


def signed_in(phones, relay, size):
    phone = phones(relay, size)
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    return phone


@SIZES
def test_home_lists_conversations_and_starts_one_with_one_tap_after_typing(relay, phones, size):
    owner, agent, ids = history(relay)
    phone = signed_in(phones, relay, size)
    rows = phone.page.locator(".home .conversation-row")
    wait_until(lambda: rows.count() == 3, timeout=15, what="three conversations")
    # Newest first; the thread once, under its first message, showing its latest turn's answer.
    assert rows.locator(".row-title").all_inner_texts() == ["Count the TODOs", "Summarise the build log", "How long do quinces keep?"]
    assert rows.locator("[data-state]").all_inner_texts() == ["Running", "Failed", "Completed"]
    thread_row = rows.nth(2)
    assert thread_row.get_attribute("data-task-id") == ids["second"]
    assert thread_row.locator(".row-answer").inner_text().startswith("Stew them with honey")
    assert "Build box" in thread_row.locator(".row-meta").inner_text()
    assert phone.page.locator(f"[data-task-id={ids['read']}]").count() == 0  # reading a session is not a conversation
    # One agent and one mode the relay allows: no choices in the way; the prompt has the cursor.
    assert phone.page.locator("select[name=agentId]").is_hidden()
    assert phone.page.evaluate("() => document.activeElement && document.activeElement.name") == "prompt"
    phone.check("home")

    # An empty prompt says so next to the field.
    phone.page.locator("main button", has_text="Send").click()
    error = phone.page.locator(".home-composer .error")
    error.wait_for()
    assert error.inner_text() == "Write a prompt first."
    box = phone.page.locator("textarea[name=prompt]").bounding_box()
    said = error.bounding_box()
    assert 0 <= said["y"] - (box["y"] + box["height"]) < 40

    # Typing and one tap start it; the app opens the new conversation.
    phone.page.fill("textarea[name=prompt]", "Which tests are slow?")
    phone.page.locator("main button", has_text="Send").click()
    phone.page.wait_for_function("() => location.hash.startsWith('#/task/')")
    task_id = phone.page.evaluate("() => decodeURIComponent(location.hash.split('/')[2])")
    phone.screen("task")
    (made,) = [t for t in owner.get("/api/admin/state")[1]["tasks"] if t["taskId"] == task_id]
    assert (made["type"], made["agentId"], made["prompt"], made["execMode"]) == ("codex_exec", "box-1", "Which tests are slow?", "chat")
    phone.check("started")


@SIZES
def test_titles_are_the_same_in_list_and_detail_after_a_relay_restart(relay, phones, size):
    owner, agent, ids = history(relay)
    phone = signed_in(phones, relay, size)
    phone.page.locator(f".conversation-row[data-task-id={ids['second']}]").wait_for()
    phone.page.locator(f".conversation-row[data-task-id={ids['second']}]").click()  # seen once on this device: its words are kept
    phone.screen("task")
    assert phone.page.locator("main .task h1").inner_text() == "How long do quinces keep?"

    relay.stop()
    relay.start()  # same port and data: the tasks are listed, their words are gone from the relay
    (kept,) = [t for t in relay.owner().get("/api/admin/state")[1]["tasks"] if t["taskId"] == ids["second"]]
    assert kept["prompt"] in ("", None) and kept["title"] == "codex_exec"
    phone.expect_failure("/api/admin/state")  # the held wait died with the old relay
    phone.open("/#/home")
    phone.page.reload()
    phone.screen("home")
    row = phone.page.locator(f".conversation-row[data-task-id={ids['second']}] .row-title")
    row.wait_for()
    assert row.inner_text() == "How long do quinces keep?"
    phone.page.locator(f".conversation-row[data-task-id={ids['second']}]").click()
    phone.screen("task")
    assert phone.page.locator("main .task h1").inner_text() == "How long do quinces keep?"
    assert "How long do quinces keep?" in phone.page.title()
    phone.tab("Tasks", "tasks")
    assert phone.page.locator(f"main [data-task-id={ids['second']}] .row-title").inner_text() == "How long do quinces keep?"
    phone.check("titles-after-restart")


def test_wide_screen_shows_the_list_beside_the_conversation_and_navigation_at_the_side(relay, phones):
    owner, agent, ids = history(relay)
    phone = signed_in(phones, relay, DESKTOP)
    side = phone.page.locator(".side-pane")
    side.locator(".conversation-row").first.wait_for()
    nav = phone.page.locator(".tabbar").bounding_box()
    assert nav["x"] == 0 and nav["height"] > nav["width"]  # down the left side, not a bottom bar
    assert phone.page.locator("main h1").inner_text() == "New conversation"
    phone.check("wide-home")

    side.locator(f"[data-task-id={ids['second']}]").click()
    phone.screen("task")
    list_box, main_box = side.bounding_box(), phone.page.locator("main").bounding_box()
    assert list_box["x"] + list_box["width"] <= main_box["x"] + 1 and main_box["width"] > 600
    assert side.locator(f"[data-task-id={ids['second']}]").get_attribute("aria-current") == "page"
    phone.check("wide-conversation")

    # Another conversation: the list stays (the same element), the main pane changes.
    side.evaluate("(el) => { el.dataset.kept = 'yes'; }")
    side.locator(f"[data-task-id={ids['failed']}]").click()
    phone.page.locator("main .task h1", has_text="Summarise the build log").wait_for()
    assert side.get_attribute("data-kept") == "yes"
    assert side.locator(f"[data-task-id={ids['failed']}]").get_attribute("aria-current") == "page"


def test_back_button_below_a_tab(relay, phones):
    owner, agent, ids = history(relay)
    phone = signed_in(phones, relay, VIEWPORT)
    back = phone.page.locator(".topbar button.back")
    assert back.is_hidden()  # a tab's own screen: nothing to go back to
    phone.page.locator(f".conversation-row[data-task-id={ids['failed']}]").click()
    phone.screen("task")
    assert back.get_attribute("aria-label") == "Back"
    back.click()
    phone.screen("home")

    phone.open("/#/agent/box-1")
    phone.page.reload()  # opened from a link (no history in the app): back goes up, to the agents
    phone.screen("agent")
    back.click()
    phone.screen("agents")
    assert phone.page.locator(".tabbar a[aria-current=page]").inner_text() == "Manage"


def test_conversations_older_than_the_newest_hundred_are_paged_in_by_scrolling(tmp_path, phones):
    relay = WebRelay(tmp_path, limits={"maxTaskCreatesPerUserPerMinute": 1000})
    try:
        owner = relay.owner()
        ScriptedAgent(relay, owner).poll()
        made = []
        for n in range(105):
            code, reply = owner.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "box-1", "prompt": f"Question {n:03d}"})
            assert code == 201, reply
            made.append(reply["task"]["taskId"])
        phone = signed_in(phones, relay, VIEWPORT)
        rows = phone.page.locator(".home .conversation-row")
        wait_until(lambda: rows.count() == 100, timeout=15, what="the state view's newest 100")
        assert phone.page.locator(f"[data-task-id={made[0]}]").count() == 0
        phone.page.locator("button.load-older").scroll_into_view_if_needed()  # scrolling to the end pages in
        phone.page.locator(f".conversation-row[data-task-id={made[0]}]").wait_for()
        assert rows.count() == 105 and rows.last.locator(".row-title").inner_text() == "Question 000"
        phone.page.locator("button.load-older").wait_for(state="hidden")  # nothing older left
        phone.check("paged")
    finally:
        relay.stop()
