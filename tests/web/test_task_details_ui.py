"""An action's task screen (issue 18): while it waits, nothing promises output and the only choices
are Approve and Reject; once it ran, what ran is a list of quoted arguments and a failure is said
once, in words, with its code and exit code folded under it."""

from __future__ import annotations

from tests.relay.agent_helpers import pair_over_http

from .conftest import BOOTSTRAP_TOKEN

POLL = {
    "label": "Box", "codexAvailable": False, "features": {"runAction": True, "readLog": True},
    "actions": [{"id": "deploy", "label": "Deploy"}], "logSources": [],
}  # fmt: skip


def test_an_action_waits_with_two_choices_then_fails_once_in_words(relay, phone):
    owner = relay.owner()
    agent = pair_over_http(relay, owner, "box-1")
    assert agent.post("/api/agent/poll", POLL)[0] == 200
    status, made = owner.post("/api/admin/tasks", {"type": "run_action", "agentId": "box-1", "actionId": "deploy"})
    assert status == 201 and made["task"]["status"] == "awaiting_approval", made
    task_id = made["task"]["taskId"]

    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.open(f"/#/task/{task_id}")
    phone.screen("task")
    page = phone.page
    page.locator(".task [data-status=awaiting_approval]").wait_for()
    assert page.locator(".toolbar button").all_inner_texts() == ["Approve", "Reject"]
    assert page.get_by_text("Output appears here").count() == 0 and page.locator("h2", has_text="Output").is_hidden()
    phone.check("action-awaiting")

    page.locator("button", has_text="Approve").click()
    page.locator(".task [data-status=queued]").wait_for()
    status, polled = agent.post("/api/agent/poll", {**POLL, "maxTasks": 1})
    assert [t["taskId"] for t in polled["tasks"]] == [task_id]
    update = {
        "outputAppend": 'argv: ["deploy.sh", "--env", "prod two"]\nstarting\nERROR: the target refused\n', "status": "failed",
        "error": "nonzero-exit", "summary": "Deploy: exited 2", "result": {"actionId": "deploy", "exitCode": 2},
    }  # fmt: skip
    assert agent.post(f"/api/agent/tasks/{task_id}/update", update)[0] == 200
    failure = page.locator(".failure")
    failure.wait_for()
    assert page.locator(".argv li").all_inner_texts() == ['"deploy.sh"', '"--env"', '"prod two"']
    assert page.locator("pre.output").inner_text().strip() == "starting\nERROR: the target refused"
    assert failure.locator(".failure-words").inner_text() == "The command ended with a non-zero exit code."
    assert page.get_by_text("non-zero exit code").count() == 1  # said once: no Error card, no Result, no Summary
    assert page.locator("h2", has_text="Summary").is_hidden() and page.locator("h2", has_text="Result").is_hidden()
    assert failure.locator(".failure-detail pre").is_hidden()
    failure.locator("summary").click()
    assert failure.locator(".failure-detail pre").inner_text() == "nonzero-exit\nDeploy: exited 2\nexit code 2"
    assert page.locator(".toolbar button").count() == 0
    phone.check("action-failed")


def test_a_long_log_opens_at_its_newest_line(relay, phone):
    owner = relay.owner()
    agent = pair_over_http(relay, owner, "box-1")
    poll = {**POLL, "logSources": [{"id": "app", "label": "App log"}]}
    assert agent.post("/api/agent/poll", poll)[0] == 200
    status, made = owner.post("/api/admin/tasks", {"type": "read_log", "agentId": "box-1", "logSourceId": "app"})
    assert status == 201, made
    task_id = made["task"]["taskId"]
    assert owner.post(f"/api/admin/tasks/{task_id}/approve", {})[0] == 200
    status, polled = agent.post("/api/agent/poll", {**poll, "maxTasks": 1})
    assert [t["taskId"] for t in polled["tasks"]] == [task_id]
    lines = "".join(f"line {n} ok\n" for n in range(1, 200)) + "ERROR the newest line\n"
    done = {"outputAppend": lines, "status": "completed", "summary": "App log: 200 lines", "result": {"logSourceId": "app", "lineCount": 200}}
    assert agent.post(f"/api/agent/tasks/{task_id}/update", done)[0] == 200

    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.open(f"/#/task/{task_id}")
    phone.screen("task")
    output = phone.page.locator("pre.output", has_text="ERROR the newest line")
    output.wait_for()
    phone.page.wait_for_timeout(200)  # the scroll to the newest line happens on the next frame
    page_height, bottom, height = output.evaluate(
        "(el) => [document.documentElement.scrollHeight, el.getBoundingClientRect().bottom, window.innerHeight]")
    assert page_height > 2 * height  # the log is far longer than the screen
    assert 0 < bottom <= height, f"the newest line is off screen: log bottom {bottom}, viewport {height}"
    assert output.evaluate("(el) => el.scrollHeight <= el.clientHeight")  # the page scrolls, not a box inside it


def test_a_task_whose_secrets_were_hidden_says_how_many_in_both_languages(relay, phone):
    """Issue 21: the agent's `redactions` count reaches the phone as "2 secrets hidden"; none: nothing said."""
    owner = relay.owner()
    agent = pair_over_http(relay, owner, "box-1")
    poll = {**POLL, "logSources": [{"id": "app", "label": "App log"}]}
    assert agent.post("/api/agent/poll", poll)[0] == 200
    ids = []
    for count in (2, 0):
        status, made = owner.post("/api/admin/tasks", {"type": "read_log", "agentId": "box-1", "logSourceId": "app"})
        assert status == 201, made
        ids.append(made["task"]["taskId"])
        assert owner.post(f"/api/admin/tasks/{ids[-1]}/approve", {})[0] == 200
        assert agent.post("/api/agent/poll", {**poll, "maxTasks": 1})[0] == 200
        done = {"outputAppend": "key [redacted: AWS Access Key]\n" * count + "ready\n", "status": "completed",
                "summary": "App log: 3 lines", "result": {"logSourceId": "app", "lineCount": 3}, "redactions": count}  # fmt: skip
        assert agent.post(f"/api/agent/tasks/{ids[-1]}/update", done)[0] == 200

    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.open(f"/#/task/{ids[0]}")
    phone.screen("task")
    note = phone.page.locator(".redactions")
    note.wait_for()
    assert note.inner_text() == "2 secrets hidden: the agent replaced them with markers before sending."
    phone.check("task-redactions")
    phone.open(f"/#/task/{ids[1]}")
    phone.page.locator("pre.output", has_text="ready").wait_for()
    assert phone.page.locator(".redactions").is_hidden()

    phone.tab("Manage", "more")
    phone.page.select_option("select[name=language]", "zh-CN")
    phone.page.locator(".tabbar a", has_text="管理").wait_for()
    phone.open(f"/#/task/{ids[0]}")
    phone.screen("task")
    phone.page.locator(".redactions", has_text="已隐藏 2 个密钥").wait_for()
