"""Screenshots of the main screens (issue 18) — home, a conversation with an approval card and a file
change, a new conversation, pairing and settings — on a 390×844 phone and a 1280×800 desktop, in
English and 简体中文, saved under tests/artifacts/web/ to be looked at. Each asserts what a person
would see is wrong: the page scrolling sideways, text cut off (an element wider inside than outside
that is not a scroll box or an intended ellipsis), controls on top of each other, controls under
44×44, console errors or CSP violations."""

from __future__ import annotations

import datetime

import pytest

from mobile_codex.core.interactive import request_digest

from .conftest import BOOTSTRAP_TOKEN, DESKTOP, VIEWPORT, WebRelay
from .home_helpers import LOOK, ScriptedAgent

THREAD = "0199a0c4-5f1e-7c11-9b2e-2f6f5e0d1a99"
DIFF = "\n".join(["@@ -1,3 +1,4 @@", " import os", "-print('old')", "+print('new')", "+print('more')", " # end"]) + "\n"


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def supervised_turn_waiting(relay, owner, agent: ScriptedAgent) -> str:
    """A supervised turn that changed a file and asks before the next change; its id."""
    code, made = owner.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "box-1", "execMode": "supervised",
                                                 "writeAccess": True, "prompt": "Fix the failing test in app/main.py"})  # fmt: skip
    assert code == 201, made
    task_id = agent.claim()["taskId"]
    agent.report(task_id, status="running", threadId=THREAD, itemsAppend=[
        {"itemId": "m1", "type": "agentMessage", "at": now(), "text": "The test expects **new**; I will change the print."},
        {"itemId": "f1", "type": "fileChange", "at": now(), "status": "completed",
         "changes": [{"path": "app/main.py", "kind": "update", "added": 2, "removed": 1, "diff": DIFF}]},
    ])  # fmt: skip
    request = {"requestId": "req-1", "kind": "fileChange", "status": "pending", "decisions": ["accept", "decline", "cancel"],
               "requestedAt": now(), "title": "Edit app/main.py", "reason": "Add the missing line",
               "changes": [{"path": "app/main.py", "kind": "update", "movePath": None, "diff": DIFF}]}  # fmt: skip
    request["digest"] = request_digest(task_id, request)
    agent.report(task_id, requestsAdd=[request])
    return task_id


def look(phone, name: str) -> None:
    phone.check(name)  # screenshot, 44×44 controls, no errors
    found = phone.page.evaluate(LOOK)
    assert not found["sideways"], f"{name}: the page scrolls sideways"
    assert not found["clipped"], f"{name}: text cut off: {found['clipped']}"
    assert not found["overlapping"], f"{name}: controls on top of each other: {found['overlapping']}"


@pytest.mark.parametrize("language", ["en", "zh-CN"])
@pytest.mark.parametrize("size", [VIEWPORT, DESKTOP], ids=["phone", "desktop"])
def test_screenshots_of_the_main_screens(tmp_path, phones, size, language):
    relay = WebRelay(tmp_path, features={"codexExecWrite": True})
    try:
        owner = relay.owner()
        agent = ScriptedAgent(relay, owner)
        agent.poll(features={"codexExecWrite": True})
        agent.turn("How long do quinces keep?", "Quinces keep for **months** in a cool, dry place.", thread="0199a0c4-aaaa")
        agent.turn("Summarise the build log", "The build failed in `tests/test_api.py`.", status="failed")
        task_id = supervised_turn_waiting(relay, owner, agent)

        phone = phones(relay, size)
        phone.context.add_init_script(f"localStorage.setItem('mc.lang', {language!r})")
        phone.open("/")
        phone.page.locator("summary >> nth=-1").wait_for()
        phone.page.locator("details.disclosure summary").last.click()  # the bootstrap token (last of the other ways)
        phone.page.fill("input[name=bootstrapToken]", BOOTSTRAP_TOKEN)
        phone.page.locator("input[name=bootstrapToken] >> xpath=ancestor::form//button[@type='submit']").click()
        phone.screen("home")
        phone.page.locator(".home .conversation-row").nth(2).wait_for()
        look(phone, "home")

        phone.open(f"/#/task/{task_id}")
        phone.screen("task")
        phone.page.locator(".approval[data-request-id=req-1]").wait_for()
        look(phone, "conversation")

        phone.open("/#/codex")
        phone.screen("codex")
        look(phone, "new-conversation")

        phone.open("/#/pair")
        phone.screen("pairing")
        phone.page.locator("main form button[type=submit]").click()
        phone.page.locator("[data-pairing-code]").wait_for()
        look(phone, "pairing")

        phone.open("/#/more")
        phone.screen("more")
        look(phone, "settings")
    finally:
        relay.stop()
