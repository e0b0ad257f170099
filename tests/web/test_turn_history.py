"""The earlier conversation of an interactive thread after a relay restart (issue 16, "History"), in
Chromium at 390×844.

The relay keeps a turn's text in memory only; after it restarts, a fresh phone (nothing cached) has the
turns' metadata — threadId, mode, status — and no words. The task screen offers the thread's earlier
conversation; tapping it creates a `read_session` task for the thread, which the agent answers from
Codex's own record. Here a scripted agent answers it over real HTTP (tests/agent/test_interactive_history.py
reads a real app-server thread with the real agent). The read is made once per thread: the other turn
of the same thread shows it without another task. With reading sessions off, the turn says why and
offers no button.
"""

from __future__ import annotations


from .conftest import BOOTSTRAP_TOKEN, WebRelay
from .home_helpers import ScriptedAgent

THREAD = "0199a0c4-5f1e-7c11-9b2e-2f6f5e0d1a01"
MESSAGES = [
    {"role": "user", "text": "how long do quinces keep?"},
    {"role": "assistant", "text": "Quinces keep for months in a cool place."},
    {"role": "user", "text": "and how do I cook them?"},
    {"role": "assistant", "text": "Stew them with honey."},
]


def chat_turn(owner, agent: ScriptedAgent, prompt: str, answer: str, **body) -> str:
    status, made = owner.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "box-1", "execMode": "chat", "prompt": prompt, **body})
    assert status == 201, made
    task = agent.claim()
    agent.report(task["taskId"], status="completed", threadId=THREAD, summary=answer, result={"exitCode": 0, "threadId": THREAD},
                 itemsAppend=[{"itemId": "a1", "type": "agentMessage", "text": answer}])  # fmt: skip
    return task["taskId"]


def reads_of(owner) -> list[dict]:
    status, state = owner.get("/api/admin/state")
    assert status == 200, state
    return [t for t in state["tasks"] if t["type"] == "read_session"]


def test_after_a_relay_restart_the_turn_shows_its_thread_read_through_the_agent(relay, phones):
    owner = relay.owner()
    agent = ScriptedAgent(relay, owner)
    agent.poll()
    first = chat_turn(owner, agent, MESSAGES[0]["text"], MESSAGES[1]["text"])
    second = chat_turn(owner, agent, MESSAGES[2]["text"], MESSAGES[3]["text"], threadId=THREAD)

    relay.stop()
    relay.start()  # same port and data: both turns are listed, their words are gone
    owner = relay.owner()
    agent.poll()
    status, state = owner.get("/api/admin/state")
    turns = {t["taskId"]: t for t in state["tasks"]}
    assert turns[first]["threadId"] == THREAD and turns[first]["prompt"] in ("", None) and turns[first]["items"] == []

    phone = phones(relay)  # a fresh phone: nothing of these turns on the device
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.open(f"/#/task/{first}")
    phone.screen("task")
    history = phone.page.locator(".earlier:not([hidden])")
    history.locator("h3", has_text="Earlier conversation").wait_for()
    assert "Codex's own record" in history.inner_text()
    # nothing says "No output." beside it: neither the empty turn nor the output card
    assert phone.page.locator(".conversation.turn:visible").count() == 0
    assert phone.page.locator(".earlier:visible").count() == 1  # the thread's record is offered once, not per turn
    assert phone.page.get_by_text("No output.").count() == 0 or phone.page.get_by_text("No output.").is_hidden()
    assert reads_of(owner) == []  # offered, not read by merely opening the turn
    phone.check("en-offered")

    history.locator("button[data-history=read]", has_text="Show earlier conversation").click()
    read = agent.claim()
    assert (read["type"], read["sessionId"]) == ("read_session", THREAD)
    phone.page.get_by_text("Reading the conversation on the agent…").wait_for()
    agent.report(read["taskId"], status="completed", summary="4 messages", result={
        "sessionId": THREAD, "title": "quinces", "cwd": ".", "messageCount": 6, "messages": MESSAGES})  # fmt: skip
    bubbles = history.locator(".msg")
    bubbles.nth(3).wait_for()
    assert bubbles.locator(".msg-text").all_inner_texts() == [m["text"] for m in MESSAGES]
    assert bubbles.locator(".msg-role").all_inner_texts() == ["You", "Codex", "You", "Codex"]
    assert history.get_by_text("Showing the last 4 of 6 messages.").is_visible()
    assert history.locator("button[data-history=read]").inner_text() == "Read again"
    phone.check("en-earlier-conversation")

    # The thread's other turn, in 中文: the same read, no second task.
    phone.tab("Manage", "more")
    phone.page.select_option("select[name=language]", "zh-CN")
    phone.open(f"/#/task/{second}")
    phone.screen("task")
    history.locator("h3", has_text="之前的对话").wait_for()
    history.locator(".msg").nth(3).wait_for()
    assert history.locator(".msg-role").all_inner_texts() == ["你", "Codex", "你", "Codex"]
    assert history.locator("button[data-history=read]").inner_text() == "重新读取"
    assert phone.page.locator(".turn-block").count() == 2  # both turns of the thread, one conversation
    assert [t["taskId"] for t in reads_of(owner)] == [read["taskId"]]
    phone.check("zh-earlier-conversation")


def test_with_reading_sessions_off_the_turn_says_why_and_offers_nothing(tmp_path, phones):
    relay = WebRelay(tmp_path, features={"readSession": False})
    try:
        owner = relay.owner()
        agent = ScriptedAgent(relay, owner)
        agent.poll()
        turn = chat_turn(owner, agent, MESSAGES[0]["text"], MESSAGES[1]["text"])
        relay.stop()
        relay.start()
        agent.poll()
        phone = phones(relay)
        phone.open("/")
        phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
        phone.screen("home")
        phone.open(f"/#/task/{turn}")
        phone.screen("task")
        earlier = phone.page.locator(".earlier:not([hidden])")
        earlier.get_by_text("Reading the conversation is unavailable: Off on the relay.").wait_for()
        assert earlier.locator("button[data-history=read]").is_hidden()
        phone.check("en-reading-off")
    finally:
        relay.stop()
