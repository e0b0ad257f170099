"""What a person supervising a turn from a 390×844 phone must not miss or puzzle over (ux24): a request
Codex waits on is brought into view when the conversation opens on it or when it arrives while the
person follows the turn at the bottom, and otherwise a bar over the tab bar says it waits and brings it
into view on a tap (never pulling the page away from what the person reads); the turn has one place to
stop it; the reply box says what it is for while empty (English and 简体中文); and a failed turn's
summary reads as Codex's other answers do (markdown, not a bold block of backticks).

A real relay and Chromium; the agent is a scripted HTTP client posting API.md agent updates."""

from __future__ import annotations

import pytest

from tests.waiting import wait_until

from .conftest import ARTIFACTS, WebRelay
from .home_helpers import signed_in_with_token
from .scripted_agent import ScriptedAgent, item


LONG = ("Reading the code around the failing test, the fixture builds a fresh database for each test, "
        "then the migration runs again and the table it expects is gone by the time the query runs. ") * 2  # fmt: skip

# Where a control is on screen: inside the viewport, between the top bar and the tab bar.
IN_VIEW = """
(selector) => {
  const el = document.querySelector(selector);
  if (!el) return false;
  const r = el.getBoundingClientRect();
  const top = document.querySelector(".topbar").getBoundingClientRect().bottom;
  const bottom = document.querySelector(".tabbar").getBoundingClientRect().top;
  return r.height > 0 && r.top >= top && r.bottom <= bottom;
}
"""
APPROVE = ".approval[data-request-id=req-1] button[data-decision=accept]"


def supervised_turn(owner, agent: ScriptedAgent) -> str:
    """A running supervised turn that has said a lot (several screens of it); its id."""
    code, made = owner.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "box-1", "execMode": "supervised",
                                                 "writeAccess": True, "prompt": "Make the tests pass"})  # fmt: skip
    assert code == 201, made
    task_id = agent.claim()["taskId"]
    said = [item(f"a{n}", "agentMessage", text=f"Step {n}. {LONG}") for n in range(8)]
    agent.update(task_id, status="running", threadId="thread-1", turnId="turn-1", itemsAppend=said)
    return task_id


@pytest.fixture
def running_turn(tmp_path):
    """(relay, agent, task id): a relay that lets Codex write, its scripted agent, and a running
    supervised turn on it."""
    relay = WebRelay(tmp_path, features={"codexExecWrite": True})
    try:
        owner = relay.owner()
        agent = ScriptedAgent(relay, owner)
        agent.poll()
        yield relay, agent, supervised_turn(owner, agent)
    finally:
        relay.stop()


FAILED_SUMMARY = "The suite stopped at `test_migrations.py`:\n\n- `alembic upgrade head` found no `users` table\n- nothing else ran"


def test_a_failed_turns_summary_reads_as_formatted_text_not_a_bold_block(tmp_path, phones):
    relay = WebRelay(tmp_path)
    try:
        owner = relay.owner()
        agent = ScriptedAgent(relay, owner)
        agent.poll()
        code, made = owner.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "box-1", "prompt": "Run the suite"})
        assert code == 201, made
        task_id = agent.claim()["taskId"]
        agent.update(task_id, status="failed", summary=FAILED_SUMMARY + "\n\n<img src=x onerror=alert(1)>", result={"exitCode": 1})
        phone = signed_in_with_token(phones, relay, "en")

        phone.open(f"/#/task/{task_id}")
        phone.screen("task")
        words = phone.page.locator(".failure .failure-words")
        words.wait_for()
        text = words.inner_text()
        assert "`" not in text and "test_migrations.py" in text
        assert words.locator("code").all_inner_texts() == ["test_migrations.py", "alembic upgrade head", "users"]
        assert words.locator("li").count() == 2
        assert words.locator("img").count() == 0 and "<img src=x" in text  # raw HTML stays text
        weights = words.evaluate("(el) => [...el.querySelectorAll('p, li')].map((x) => getComputedStyle(x).fontWeight)")
        assert weights and all(int(w) < 600 for w in weights), weights
        phone.check("failed-summary")
    finally:
        relay.stop()


PLACEHOLDERS = {
    "en": ("Tell Codex more, e.g. “also update the README”", "Ask a follow-up…"),
    "zh-CN": ("再告诉 Codex 一些，例如“顺便更新 README”", "继续提问…"),
}


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_reply_box_says_what_it_is_for_while_empty(running_turn, phones, language):
    steer_words, next_words = PLACEHOLDERS[language]
    relay, agent, task_id = running_turn
    phone = signed_in_with_token(phones, relay, language)
    box = phone.page.locator("textarea[name=composer]")

    phone.open(f"/#/task/{task_id}")
    phone.screen("task")
    box.wait_for()
    assert box.get_attribute("placeholder") == steer_words  # "Add to this turn"
    phone.check("steer-placeholder")

    agent.update(task_id, status="completed", summary="Done.", result={"exitCode": 0, "threadId": "thread-1"})
    wait_until(lambda: box.get_attribute("placeholder") == next_words, timeout=15, what="the next turn's placeholder")


def stop_controls(phone) -> list[str]:
    return [t for t in phone.page.locator("main button").all_inner_texts() if "Stop" in t]


def test_a_waiting_request_is_brought_into_view_or_announced_and_the_turn_has_one_stop(running_turn, phones):
    relay, agent, task_id = running_turn
    phone = signed_in_with_token(phones, relay, "en")
    page = phone.page
    review = page.locator(".review-bar")

    # A running turn without a request: Stop is in the conversation's head, the one way to stop it.
    phone.open(f"/#/task/{task_id}")
    phone.screen("task")
    page.locator(".msg-assistant", has_text="Step 7.").wait_for()
    assert stop_controls(phone) == ["Stop"]
    assert page.locator(".conversation-head .toolbar button", has_text="Stop").is_visible()
    assert review.is_hidden()

    # The person follows the turn at the bottom: a request that arrives there is brought into view.
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    agent.ask(task_id, requestId="req-1", kind="command", title="Run the tests", command="pytest -x", cwd="app")
    page.locator(APPROVE).wait_for()
    wait_until(lambda: page.evaluate(IN_VIEW, APPROVE), timeout=10, what="the approve button in view")
    assert review.is_hidden()  # its card is on screen: nothing to announce
    # One place to stop the turn while a request waits: the card's "Stop the turn", beside Approve.
    assert stop_controls(phone) == ["Stop the turn"]
    assert page.locator(".conversation-head .toolbar").is_hidden()

    # Reading further up: the bar says a request waits; a tap brings its card into view.
    page.evaluate("() => window.scrollTo(0, 0)")
    review.wait_for()
    assert review.inner_text() == "1 request waits for you · Review"
    assert not page.evaluate(IN_VIEW, APPROVE)
    phone.check("review-bar")
    page.screenshot(path=str(phone_artifact(phone, "review-bar-on-screen")))  # the bar as the phone shows it
    review.click()
    wait_until(lambda: page.evaluate(IN_VIEW, APPROVE), timeout=10, what="the approve button in view after the tap")
    settled(page)  # the smooth scroll runs on after the button came into view
    assert page.evaluate(IN_VIEW, APPROVE) and review.is_hidden()  # the card is on screen: no bar

    # A request that arrives while the person reads further up does not pull the page away.
    page.evaluate("() => window.scrollTo(0, 0)")
    agent.ask(task_id, requestId="req-2", kind="command", title="Run the linter", command="ruff check", cwd="app")
    page.locator(".approval[data-request-id=req-2]").wait_for()
    wait_until(lambda: review.is_visible() and review.inner_text() == "2 requests wait for you · Review", timeout=10,
               what="the bar to count both requests")  # fmt: skip
    assert page.evaluate("() => window.scrollY") == 0

    # Opening the conversation on a waiting request (as from its notification) shows it at once.
    phone.open("/#/tasks")
    phone.screen("tasks")
    phone.open(f"/#/task/{task_id}")
    phone.screen("task")
    page.locator(APPROVE).wait_for()
    wait_until(lambda: page.evaluate(IN_VIEW, APPROVE), timeout=10, what="the approve button in view on opening")
    page.screenshot(path=str(phone_artifact(phone, "opened-on-request")))


def settled(page) -> None:
    """Wait until the page stops scrolling (a smooth scroll runs on after its target is in view)."""
    last = [None]

    def still():
        y = page.evaluate("() => new Promise((done) => setTimeout(() => done(window.scrollY), 150))")
        same, last[0] = y == last[0], y
        return same

    wait_until(still, timeout=10, what="the page to stop scrolling")


def phone_artifact(phone, name: str):
    """Where a screenshot of the viewport (what the phone shows, not the whole page) goes."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{phone.test_name}-{name}.png"
