"""Small rough edges a person saw on a 390×844 phone (ux23), in English and 简体中文: the empty
conversation list does not point at a prompt box that is not there (no agent yet), a conversation's
header names its mode in the chosen language (not the agent's English label), and its status chips
("Running", "1 request waits") stand apart inside the screen instead of touching; and Home's composer
does not keep a one-off read-only default picked before the agent said it offers conversations."""

from __future__ import annotations

import datetime

import pytest

from mobile_codex.core.interactive import request_digest
from tests.waiting import wait_until

from .conftest import WebRelay
from .home_helpers import ScriptedAgent, signed_in_with_token

LANGUAGES = pytest.mark.parametrize("language", ["en", "zh-CN"])
WORDS = {
    "en": {"noAgent": "No conversations yet. Pair an agent to start one.", "none": "No conversations yet. Ask Codex something below.",
           "supervised": "Supervised", "chat": "Chat"},
    "zh-CN": {"noAgent": "还没有对话。先配对一个代理，再开始对话。", "none": "还没有对话。在下方向 Codex 提问。",
              "supervised": "监督", "chat": "对话（只读）"},
}  # fmt: skip


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@LANGUAGES
def test_the_empty_list_says_to_pair_an_agent_until_there_is_a_box_to_ask_in(relay, phones, language):
    words = WORDS[language]
    phone = signed_in_with_token(phones, relay, language)
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


def supervised_turn_waiting(owner, agent: ScriptedAgent) -> str:
    """A supervised turn that asks before it runs a command; its id."""
    code, made = owner.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "box-1", "execMode": "supervised",
                                                 "writeAccess": True, "prompt": "Run the failing test"})  # fmt: skip
    assert code == 201, made
    task_id = agent.claim()["taskId"]
    agent.report(task_id, status="running", threadId="0199a0c4-5f1e-7c11-9b2e-2f6f5e0d1a23")
    request = {"requestId": "req-1", "kind": "command", "status": "pending", "decisions": ["accept", "decline", "cancel"],
               "requestedAt": now(), "title": "Run pytest", "reason": "See the failure", "command": "pytest -x", "cwd": "/srv/app"}  # fmt: skip
    request["digest"] = request_digest(task_id, request)
    agent.report(task_id, requestsAdd=[request])
    return task_id


CHIPS = """
() => {
  const chips = [...document.querySelectorAll("main .conversation-head .chip")].map((c) => c.getBoundingClientRect());
  return chips.map((r) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom }));
}
"""


@LANGUAGES
def test_the_conversation_header_names_the_mode_in_the_language_and_its_chips_stand_apart(tmp_path, phones, language):
    words = WORDS[language]
    relay = WebRelay(tmp_path, features={"codexExecWrite": True})
    try:
        owner = relay.owner()
        agent = ScriptedAgent(relay, owner)  # its modes carry English labels ("Supervised", "Chat")
        agent.poll(features={"codexExecWrite": True})
        chat = agent.turn("How long do quinces keep?", "For months.", thread="0199a0c4-aaaa")
        waiting = supervised_turn_waiting(owner, agent)
        phone = signed_in_with_token(phones, relay, language)

        phone.open(f"/#/task/{waiting}")
        phone.screen("task")
        phone.page.locator(".approval[data-request-id=req-1]").wait_for()
        meta = phone.page.locator("main .conversation-head .meta")
        assert meta.inner_text() == f"Build box · {words['supervised']}"
        chips = phone.page.evaluate(CHIPS)
        assert len(chips) == 2, chips  # where it stands, and that a request waits
        first, second = sorted(chips, key=lambda r: (r["top"], r["left"]))
        same_line = first["bottom"] > second["top"]
        gap = second["left"] - first["right"] if same_line else second["top"] - first["bottom"]
        assert gap >= 4, f"the chips touch: {chips}"
        assert all(0 <= r["left"] and r["right"] <= 390 for r in chips), chips
        phone.check("waiting")

        phone.open(f"/#/task/{chat}")
        phone.screen("task")
        wait_until(lambda: meta.inner_text() == f"Build box · {words['chat']}", timeout=15, what="the chat mode's name")
        phone.check("chat")
    finally:
        relay.stop()


def test_the_new_conversation_mode_follows_the_agent_until_the_person_picks_one(relay, phones):
    """An agent seen before it says its modes offers only the built-in one-off read-only run; when
    it then offers a conversation mode, the composer starts a conversation (chat), not a one-off run
    chosen by nobody. A mode the person picks stays picked through later updates."""
    agent = ScriptedAgent(relay, relay.owner())
    assert agent.http.post("/api/agent/poll", {"label": "Build box", "waitMs": 0, "maxTasks": 0})[0] == 200  # no execModes yet
    phone = signed_in_with_token(phones, relay, "en")
    mode = phone.page.locator("select[name=execMode]")
    phone.page.locator("textarea[name=prompt]").wait_for()
    assert mode.input_value() == "read-only"  # the only run offered so far (workspace-write is off): no choice shown
    assert mode.is_hidden()

    agent.poll()  # now it offers chat and supervised too
    wait_until(lambda: mode.is_visible() and mode.input_value() == "chat", timeout=20, what="the composer to start a conversation")
    phone.check("follows")

    phone.page.select_option("select[name=execMode]", "read-only")
    agent.poll(label="Build box (renamed)")  # a later state update
    phone.page.locator("select[name=agentId] option", has_text="renamed").wait_for(state="attached")
    assert mode.input_value() == "read-only"
