"""A Codex session's title is prompt text (its first message when Codex named it nothing): opening
the session shows it, but the read_session task the app creates is not named after it, and the
relay's data files never hold it (issue 15, finding 1)."""

from __future__ import annotations

import time

from tests.relay.agent_helpers import pair_over_http

from .conftest import BOOTSTRAP_TOKEN

SECRET = "deploy with AWS_SECRET=WEB-TITLE-SECRET-91c2"


def test_opening_a_session_shows_its_title_but_the_task_is_not_named_after_it(relay, phone):
    owner = relay.owner()
    agent = pair_over_http(relay, owner, "box-1")
    session = {"sessionId": "s-1", "title": "", "firstUserMessage": SECRET, "cwd": ".",
               "updatedAt": "2026-01-01T00:00:00.000Z", "preview": [{"role": "user", "text": "hello"}]}  # fmt: skip
    assert agent.post("/api/agent/poll", {"label": "Box", "codexAvailable": True, "codexSessions": [session]})[0] == 200

    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.open("/#/session/box-1/s-1")
    phone.screen("session")
    phone.page.locator("main .session h1", has_text=SECRET).wait_for()

    deadline = time.monotonic() + 15
    while True:  # the screen asks for the conversation as it opens
        reads = [t for t in owner.get("/api/admin/state")[1]["tasks"] if t["type"] == "read_session"]
        if reads or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(reads) == 1 and reads[0]["sessionId"] == "s-1"
    assert reads[0]["title"] == "read_session"  # the app sent no title made of the session's text
    phone.check("session-titled")

    # Reading a session is housekeeping: Home and the task list leave it out (issue 18) ...
    phone.tab("Home", "home")
    phone.page.locator(".home .conversations .empty").wait_for()
    assert phone.page.locator(f"[data-task-id={reads[0]['taskId']}]").count() == 0
    phone.tab("Tasks", "tasks")
    assert phone.page.locator(f"[data-task-id={reads[0]['taskId']}]").count() == 0
    # ... and asked for by type, the task list names it from the agent's session catalog.
    phone.page.select_option("select[name=type]", "read_session")
    row = phone.page.locator(f"[data-task-id={reads[0]['taskId']}] .row-title")
    assert row.inner_text() == SECRET
    phone.check("tasks-session-named")

    for path in relay.store.data_files():
        assert b"WEB-TITLE-SECRET" not in path.read_bytes(), path
