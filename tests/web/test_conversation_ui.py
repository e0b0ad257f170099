"""The conversation screen (issue 18) at 390×844 and 1280×800, in English and 中文: a supervised turn
with a markdown answer, a folded command, a file change card with numbered lines and an approval card
in place, then the same conversation after the answer — screenshots saved under tests/artifacts/web/
and the page never scrolls sideways."""

from __future__ import annotations

import pytest

from .conftest import ARTIFACTS, BOOTSTRAP_TOKEN, WebRelay
from .scripted_agent import ScriptedAgent, item

ANSWER = (
    "## What I found\n\nThe test fails because `add` **subtracts**:\n\n1. fix `calc.py`\n2. run the tests\n\n"
    "```python\ndef add(a, b):\n    return a + b  # " + "a comment long enough to need a sideways scroll inside this block " * 3 + "\n```\n\n"
    "More in [the guide](https://example.com/guide)."
)
DIFF = "\n".join([
    "diff --git a/calc.py b/calc.py", "index 1111111..2222222 100644", "--- a/calc.py", "+++ b/calc.py",
    "@@ -1,3 +1,3 @@", " def add(a, b):", "-    return a - b", "+    return a + b", " ",
]) + "\n"  # fmt: skip
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture
def write_relay(tmp_path):
    instance = WebRelay(tmp_path, features={"codexExecWrite": True})
    yield instance
    instance.stop()


def look(phone, size: str, name: str) -> None:
    """No sideways page scroll, nothing reported broken; a full-page screenshot to look at."""
    page = phone.page
    page.wait_for_timeout(100)
    width = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{size} {name}: the page scrolls sideways {width}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"conversation-{size}-{name}.png"), full_page=True)
    assert not phone.problems(), phone.problems()


@pytest.mark.parametrize("size", SIZES)
def test_the_conversation_screen_in_both_sizes_and_languages(write_relay, phones, size):
    relay = write_relay
    owner = relay.owner()
    agent = ScriptedAgent(relay, owner)
    agent.poll()
    status, made = owner.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "box-1", "prompt": "Why does the test fail?", "execMode": "supervised"})
    assert status == 201, made
    task_id = agent.claim()["taskId"]
    agent.update(task_id, threadId="thread-7", itemsAppend=[
        item("u1", "userMessage", text="Why does the test fail?"),
        item("c1", "command", command="pytest -q", cwd=".", status="completed", exitCode=1, output="F\n1 failed"),
        item("a1", "agentMessage", text=ANSWER),
        item("f1", "fileChange", status="inProgress", changes=[{"path": "calc.py", "kind": "update", "added": 1, "removed": 1}]),
    ])  # fmt: skip
    agent.ask(task_id, requestId="req-1", kind="fileChange", title="Edit calc.py", reason="Fix add",
              changes=[{"path": "calc.py", "kind": "update", "movePath": None, "diff": DIFF.split("+++ b/calc.py\n")[1]}])  # fmt: skip

    phone = phones(relay)
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.page.set_viewport_size(SIZES[size])  # after signing in: the phone layout checks know 390 px only
    page = phone.page
    for language, approve, folded_exit in (("en", "Approve", "exit code 1"), ("zh-CN", "批准", "退出码 1")):
        page.evaluate("(tag) => localStorage.setItem('mc.lang', tag)", language)
        phone.open(f"/#/task/{task_id}")
        page.reload()
        card = page.locator(".approval[data-request-id=req-1]")
        card.wait_for()
        answer = page.locator(".msg-assistant .md")
        assert answer.locator("h2").count() == 1 and answer.locator("ol li").count() == 2
        assert answer.locator("a").get_attribute("target") == "_blank"
        block = answer.locator("pre")
        assert block.evaluate("(el) => el.scrollWidth > el.clientWidth")  # the code scrolls inside itself only
        command = page.locator(".turn-item[data-item-type=command]")
        assert folded_exit in command.locator("summary").inner_text() and command.locator("pre.item-output").is_hidden()
        command.locator("summary").click()
        assert command.locator("pre.item-output").inner_text() == "F\n1 failed"
        # The approval shows its change open, lines numbered; nothing of git's headers.
        rows = card.locator(".diff-lines .dl:not(.dl-hunk)")
        assert [r.locator(".ln").all_inner_texts() for r in rows.all()] == [["1", "1"], ["2", ""], ["", "2"], ["3", "3"]]
        assert card.locator("button.decision").first.inner_text() == approve
        look(phone, size, f"{language}-approval")
    assert card.locator("button.decision").first.inner_text() == "批准"
    card.locator("button.decision").first.click()
    assert agent.answer_for("req-1")["decision"] == "accept"
    agent.update(task_id, requestsResolved=[{"requestId": "req-1", "status": "accepted"}], status="completed",
                 summary=ANSWER, diffText=DIFF, result={"exitCode": 0})  # fmt: skip
    files = page.locator(".changes .diff-file")
    files.wait_for()
    assert files.locator(".diff-lines").is_hidden()  # folded until tapped
    files.locator("summary").click()
    assert files.locator(".dl-add .ln-new").inner_text() == "2"
    assert page.locator("textarea[name=composer]").is_visible()
    look(phone, size, "zh-CN-answered")
    page.emulate_media(color_scheme="dark")
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(14, 21, 20)"
    look(phone, size, "zh-CN-answered-dark")
