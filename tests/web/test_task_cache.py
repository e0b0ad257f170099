"""Task details kept on the phone outlive a relay restart (the relay keeps their text in memory only)."""

from __future__ import annotations

from .conftest import BOOTSTRAP_TOKEN
from .home_helpers import finished_task


def offline_shows_nothing_of(relay, phone, task_id: str, *secrets: str, shot: str) -> None:
    """Stop the relay; the offline screen and the task's route then show none of `secrets`."""
    relay.stop()
    phone.expect_failure("/api/")  # the relay is gone: its requests fail, as these tests want
    phone.page.reload()
    phone.screen("offline")
    assert phone.page.get_by_text("Task details on this device").count() == 0
    phone.open(f"/#/task/{task_id}")
    phone.page.wait_for_timeout(300)
    content = phone.page.content()
    assert not [secret for secret in secrets if secret in content]
    phone.check(shot)

def test_task_details_survive_a_relay_restart_on_this_device_and_can_be_cleared(relay, phone):
    task_id = finished_task(relay, "Explain the build", outputAppend="$ make\nall built\n", summary="The build is fine.",
                            redactions=1)  # fmt: skip

    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.open(f"/#/task/{task_id}")
    phone.screen("task")
    phone.page.locator(".activity pre.output", has_text="all built").wait_for(state="attached")  # folded under "What Codex did"
    assert phone.page.locator(".task .hint", has_text="device's cache").is_hidden()
    redacted = "1 secret hidden: the agent replaced it with a marker before sending."
    assert phone.page.locator(".redactions").inner_text() == redacted
    phone.check("task-live")

    relay.stop()
    relay.start()  # same port and data: the task is there, its text is not
    status, state = relay.owner().get("/api/admin/state")
    (task,) = [t for t in state["tasks"] if t["taskId"] == task_id]
    assert task["outputTail"] in ("", None) and task["summary"] in ("", None)
    assert task["redactions"] == 1  # a count, not text: the relay stores it with the task
    phone.expect_failure("/api/admin/state")  # the held wait died with the old relay
    phone.page.reload()
    phone.screen("task")
    phone.page.locator(".activity pre.output", has_text="all built").wait_for(state="attached")  # folded under "What Codex did"
    assert phone.page.get_by_text("The build is fine.").is_visible()
    assert phone.page.get_by_text("Explain the build").first.is_visible()
    assert phone.page.locator("p", has_text="device's cache").is_visible()
    assert phone.page.locator(".redactions").inner_text() == redacted  # from the relay, beside the cached text
    phone.check("task-from-cache")

    phone.tab("Manage", "more")
    assert phone.page.get_by_text("1 task kept.").is_visible()
    phone.page.locator("button", has_text="Clear cached task details").click()
    phone.page.get_by_text("0 tasks kept.").wait_for()
    phone.open(f"/#/task/{task_id}")
    phone.screen("task")
    phone.page.get_by_text("Nothing of this turn is left on the relay or on this device.").wait_for()
    phone.check("cache-cleared")


def test_signing_out_wipes_this_users_task_details_from_the_device(relay, phone):
    task_id = finished_task(relay, "Read the secrets file", outputAppend="PRIVATE-OUTPUT\n")

    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.open(f"/#/task/{task_id}")
    phone.screen("task")
    phone.page.locator(".activity pre.output", has_text="PRIVATE-OUTPUT").wait_for(state="attached")  # folded under "What Codex did"
    stored = "() => Object.keys(localStorage).filter((k) => k.startsWith('mc.task.') || k === 'mc.lastUser')"
    assert len(phone.page.evaluate(stored)) >= 3  # the task, its index, the last user

    phone.tab("Manage", "more")
    assert phone.page.get_by_text("Signing out removes them.").is_visible()
    phone.page.locator("button", has_text="Sign out").click()
    phone.screen("signin")
    assert phone.page.evaluate(stored) == []

    # The relay goes away: the offline screen and the task route show nothing of the last user.
    offline_shows_nothing_of(relay, phone, task_id, "PRIVATE-OUTPUT", "Read the secrets file", shot="signed-out-offline")


def test_a_remote_sign_out_wipes_this_users_task_details_from_the_device(relay, phone, run_cli):
    """`mobile-codex end-sessions` (any 401 that says "signed out"): the app notices, shows sign-in,
    and keeps nothing of the user's prompts and output, not even for the offline screen (issue 15,
    finding 5)."""
    task_id = finished_task(relay, "Rotate the REMOTE-PROMPT key", outputAppend="REMOTE-OUTPUT\n")

    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.open(f"/#/task/{task_id}")
    phone.screen("task")
    phone.page.locator(".activity pre.output", has_text="REMOTE-OUTPUT").wait_for(state="attached")  # folded under "What Codex did"
    user_id = phone.page.evaluate("() => localStorage.getItem('mc.lastUser')")
    assert user_id
    mine = f"() => Object.keys(localStorage).filter((k) => k.startsWith('mc.task.{user_id}.') || k === 'mc.lastUser')"
    assert len(phone.page.evaluate(mine)) >= 3  # the task, its index, the last user

    done = run_cli("end-sessions", "--config", relay.folder / "relay.json")
    assert done.returncode == 0 and done.stdout.startswith("ended "), (done.stdout, done.stderr)
    phone.expect_failure("/api/admin/state")  # the held wait is answered 401: expected here
    woken = relay.owner().post("/api/admin/tasks", {"type": "codex_exec", "agentId": "box-1", "prompt": "next"})
    assert woken[0] == 201  # a change wakes the phone's held wait at once
    phone.screen("signin")
    assert phone.page.evaluate(mine) == []
    text = "() => Object.keys(localStorage).map((k) => localStorage.getItem(k)).join(' ')"
    assert "REMOTE-PROMPT" not in phone.page.evaluate(text) and "REMOTE-OUTPUT" not in phone.page.evaluate(text)
    phone.check("remote-sign-out")

    # The relay goes away: the offline screen and the task route show nothing of that user.
    offline_shows_nothing_of(relay, phone, task_id, "REMOTE-OUTPUT", "REMOTE-PROMPT", shot="remote-sign-out-offline")


def test_sessions_ended_while_the_app_was_closed_leave_nothing_on_the_device(relay, phone, run_cli):
    """The app opens after `end-sessions`: the status says nobody is signed in, and the last user's
    task text goes before anything could show it."""
    task_id = finished_task(relay, "Print the CLOSED-PROMPT", outputAppend="CLOSED-OUTPUT\n")
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.open(f"/#/task/{task_id}")
    phone.page.locator(".activity pre.output", has_text="CLOSED-OUTPUT").wait_for(state="attached")  # folded under "What Codex did"
    cached = "() => Object.keys(localStorage).filter((k) => k.startsWith('mc.task.') || k === 'mc.lastUser')"
    assert len(phone.page.evaluate(cached)) >= 3
    phone.page.goto("about:blank")  # the app is closed: no request can be answered 401

    done = run_cli("end-sessions", "--config", relay.folder / "relay.json")
    assert done.returncode == 0, done.stderr
    phone.open(f"/#/task/{task_id}")
    phone.screen("signin")
    assert phone.page.evaluate(cached) == []
    phone.check("closed-sign-out")
