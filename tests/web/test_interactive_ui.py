"""Supervising an interactive Codex turn from the phone (issue 16), in Chromium at 390×844.

A real relay and a scripted agent: an HTTP client holding the agent's token that claims the task and
posts API.md agent updates (itemsAppend, requestsAdd, requestsResolved, steersApplied, steersRejected)
as the agent would; its polls are where the phone's answers and steers must arrive. The phone starts a
`supervised` turn, sees the approval card while the turn runs and approves it, reads a file change's
diff without sideways scrolling of the page, adds a steer that appears in the conversation, sees who
answered, resends a rejected steer as the next turn — in English, then in 简体中文.
"""

from __future__ import annotations

from tests.waiting import wait_until

from .conftest import BOOTSTRAP_TOKEN, WebRelay
from .scripted_agent import ScriptedAgent, item

LONG_LINE = "const message = '" + "x" * 300 + "';"  # no space to break at: only the diff box may wrap it
DIFF = "\n".join(["@@ -1,3 +1,4 @@", " import os", "-print('old')", "+print('new')", f"+{LONG_LINE}", " # end"]) + "\n"


def no_sideways_scroll(phone) -> None:
    width = phone.page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: scrollWidth {width[0]} > innerWidth {width[1]}"


def test_supervise_a_turn_approve_read_a_diff_steer_and_continue(tmp_path, phones):
    relay = WebRelay(tmp_path, features={"codexExecWrite": True})
    try:
        run_the_turn(relay, phones(relay))
    finally:
        relay.stop()


def run_the_turn(relay, phone):
    owner = relay.owner()
    agent = ScriptedAgent(relay, owner)
    agent.poll()
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")

    # The prompt box offers the conversation modes the agent advertises, each saying what it risks.
    phone.codex_form()
    options = phone.page.locator("select[name=execMode] option").all_inner_texts()
    assert "Chat · conversation" in options and "Supervised · conversation · changes files" in options, options
    phone.page.select_option("select[name=execMode]", "supervised")
    assert "asks you before every file change" in phone.page.locator(".mode-info").inner_text()
    assert phone.page.locator(".signed-out").is_hidden()
    phone.page.fill("textarea[name=prompt]", "Make the tests pass")
    phone.page.locator("button", has_text="Run").click()
    phone.screen("task")
    task = agent.claim()
    task_id = task["taskId"]
    assert task["execMode"] == "supervised" and phone.page.url.endswith(f"#/task/{task_id}")

    # The turn talks, then asks to run a command: the card shows exactly what will run, where and why.
    agent.update(task_id, threadId="thread-1", turnId="turn-1", itemsAppend=[
        item("u1", "userMessage", text="Make the tests pass"),
        item("a1", "agentMessage", text="I will run the test suite first."),
        item("c1", "command", command="pytest -q tests/unit", cwd="app", status="inProgress"),
    ])  # fmt: skip
    command = agent.ask(task_id, requestId="req-cmd", kind="command", title="Run the tests",
                        command="pytest -q tests/unit", cwd="app", reason="Check which tests fail")  # fmt: skip
    card = phone.page.locator(".approval[data-request-id=req-cmd]")
    card.wait_for()
    assert "pytest -q tests/unit" in card.locator("pre.command").inner_text()
    assert "folder app" in card.inner_text() and "Check which tests fail" in card.inner_text()
    assert card.locator("button.decision").all_inner_texts() == ["Approve", "Decline", "Stop the turn"]
    assert phone.page.locator(".conversation .msg-assistant", has_text="I will run the test suite first.").is_visible()
    # How many requests wait: the Tasks tab, the page title, the task list.
    assert phone.page.locator(".tabbar .badge").inner_text() == "1"
    assert phone.page.title().startswith("(1) ")
    phone.check("en-approval-card")
    phone.tab("Tasks", "tasks")
    row = phone.page.locator(f".task-row[data-task-id={task_id}]")
    assert row.locator("[data-waiting]").inner_text() == "1 request waits"
    phone.page.locator("button[data-filter=approval]").click()
    assert phone.page.locator(".task-row").count() == 1 and "1" in phone.page.locator("button[data-filter=approval]").inner_text()
    row.click()
    phone.screen("task")

    card.locator("button", has_text="Approve").click()
    answer = agent.answer_for("req-cmd")
    assert answer == {"taskId": task_id, "requestId": "req-cmd", "decision": "accept", "digest": command["digest"]}
    agent.update(task_id, requestsResolved=[{"requestId": "req-cmd", "status": "accepted"}], itemsAppend=[
        item("c1", "command", command="pytest -q tests/unit", cwd="app", status="completed", exitCode=1,
             output="F.\n1 failed, 1 passed"),
    ])  # fmt: skip
    card.wait_for(state="detached")
    done = phone.page.locator(".turn-request[data-request-id=req-cmd]")
    done.wait_for()
    assert "Approved" in done.inner_text() and "by " in done.inner_text()
    # The command is one line with its exit code; a tap opens its output.
    command_item = phone.page.locator(".turn-item[data-item-type=command]")
    assert command_item.locator("summary").inner_text() == "$ pytest -q tests/unit\nexit code 1"
    assert command_item.locator("pre.item-output").is_hidden()
    command_item.locator("summary").click()
    assert command_item.locator("pre.item-output").inner_text() == "F.\n1 failed, 1 passed"
    assert "folder app" in command_item.inner_text()
    assert phone.page.locator(".tabbar .badge").count() == 0

    # A file change: its diff is readable at 390 px, the long line wrapped inside the diff box.
    agent.update(task_id, itemsAppend=[item("f1", "fileChange", status="inProgress",
                                            changes=[{"path": "app/main.py", "kind": "update", "added": 2, "removed": 1}])])  # fmt: skip
    agent.ask(task_id, requestId="req-file", kind="fileChange", title="Edit app/main.py", reason="Fix the failing test",
              changes=[{"path": "app/main.py", "kind": "update", "movePath": None, "diff": DIFF}])  # fmt: skip
    file_card = phone.page.locator(".approval[data-request-id=req-file]")
    file_card.wait_for()
    assert "app/main.py" in file_card.inner_text() and "+2" in file_card.inner_text() and "−1" in file_card.inner_text()
    assert file_card.locator(".dl-add", has_text="xxxxxxxx").is_visible()
    no_sideways_scroll(phone)
    phone.check("en-file-change")

    # Someone else answers first while this phone's view lags behind (its state waits held back on
    # the way): its own answer is refused 409 request-not-pending, and the card says so; once the
    # view catches up, the conversation says who decided what.
    held = []

    def hold(route):
        held.append(route)

    phone.page.route("**/api/admin/state*", hold)
    agent.update(task_id, itemsAppend=[item("n1", "notice", text="Codex: the patch touches one file")])  # ends the open wait
    wait_until(lambda: phone.page.wait_for_timeout(50) or held, timeout=20, what="the phone's next state wait")
    status, body = owner.post(f"/api/admin/tasks/{task_id}/requests/req-file/answer", {"decision": "decline", "digest": "0" * 64})
    assert (status, body["error"]) == (409, "request-changed"), body
    file_request = next(r for r in owner.get("/api/admin/state")[1]["tasks"][0]["requests"] if r["requestId"] == "req-file")
    status, body = owner.post(f"/api/admin/tasks/{task_id}/requests/req-file/answer", {"decision": "decline", "digest": file_request["digest"]})
    assert status == 200, body
    phone.expect_failure("/requests/req-file/answer")
    file_card.locator("button", has_text="Approve").click()
    refused = phone.page.locator(".approval[data-request-id=req-file] .error", has_text="That question has been answered already.")
    refused.wait_for()
    phone.check("en-answered-elsewhere")
    phone.page.unroute("**/api/admin/state*", hold)
    for route in held:
        try:
            route.continue_()
        except Exception:  # the app dropped that wait meanwhile (it starts a fresh one after an answer)
            pass
    declined = phone.page.locator(".turn-request[data-request-id=req-file]")
    declined.wait_for()
    assert "Declined" in declined.inner_text() and "That question has been answered already." in declined.inner_text()
    assert file_card.count() == 0
    assert agent.answer_for("req-file")["decision"] == "decline"
    agent.update(task_id, requestsResolved=[{"requestId": "req-file", "status": "declined"}],
                 itemsAppend=[item("f1", "fileChange", status="declined", changes=[{"path": "app/main.py", "kind": "update", "added": 2, "removed": 1}])])  # fmt: skip

    # A steer while the turn runs: it reaches the agent and shows in the conversation.
    phone.page.fill("textarea[name=composer]", "Also keep the old behaviour behind a flag")
    phone.page.locator(".composer button", has_text="Send now").click()
    steer = agent.steer("Also keep the old behaviour behind a flag")
    assert steer["taskId"] == task_id
    agent.update(task_id, steersApplied=[steer["steerId"]],
                 itemsAppend=[item("s1", "steer", text="Also keep the old behaviour behind a flag")])  # fmt: skip
    phone.page.locator(".conversation .msg-steer", has_text="behind a flag").wait_for()
    assert phone.page.locator(".conversation .msg-steer").count() == 1
    phone.check("en-steer")

    # A steer that comes too late is rejected; the phone offers it as the next turn of the thread.
    phone.page.fill("textarea[name=composer]", "And add a changelog entry")
    phone.page.locator(".composer button", has_text="Send now").click()
    late = agent.steer("And add a changelog entry")
    agent.update(task_id, steersRejected=[{"steerId": late["steerId"], "reason": "turn-ended"}],
                 itemsAppend=[item("a2", "agentMessage", text="Both changes are in.")])  # fmt: skip
    agent.update(task_id, status="completed", summary="Both changes are in.", result={"exitCode": 0})
    offer = phone.page.locator(".steer-offer button", has_text="Send as the next turn")
    offer.wait_for()
    rejected = phone.page.locator(".msg-steer[data-steer-status=rejected]", has_text="changelog")
    assert "Codex did not take this message: the turn had ended" in rejected.inner_text()
    phone.check("en-steer-rejected")
    offer.click()
    turn2 = agent.claim()
    assert (turn2["prompt"], turn2["execMode"], turn2.get("threadId")) == ("And add a changelog entry", "supervised", "thread-1")
    phone.page.wait_for_url(f"**/#/task/{turn2['taskId']}")
    phone.screen("task")

    # 中文: the next turn asks; the card and its buttons in Chinese; approving reaches the agent.
    phone.tab("Manage", "more")
    phone.page.select_option("select[name=language]", "zh-CN")
    phone.open(f"/#/task/{turn2['taskId']}")
    phone.screen("task")
    agent.update(turn2["taskId"], turnId="turn-2", itemsAppend=[item("u2", "userMessage", text="And add a changelog entry")])
    agent.update(turn2["taskId"], itemsAppend=[item("f2", "fileChange", status="inProgress",
                                                    changes=[{"path": "CHANGELOG.md", "kind": "add", "added": 2, "removed": 0}])])  # fmt: skip
    agent.ask(turn2["taskId"], requestId="req-log", kind="fileChange", title="Add CHANGELOG.md", reason="记录改动",
              changes=[{"path": "CHANGELOG.md", "kind": "add", "movePath": None, "diff": "@@ -0,0 +1,2 @@\n+# 更新日志\n+- 修复测试\n"}])  # fmt: skip
    zh_card = phone.page.locator(".approval[data-request-id=req-log]")
    zh_card.wait_for()
    assert zh_card.locator("button.decision").all_inner_texts() == ["批准", "拒绝", "停止本轮"]
    assert phone.page.locator(".turn-block").count() == 2  # both turns of the thread, one conversation
    no_sideways_scroll(phone)
    phone.check("zh-approval-card")
    zh_card.locator("button", has_text="批准").click()
    assert agent.answer_for("req-log")["decision"] == "accept"
    phone.page.locator(".turn-request[data-request-id=req-log]", has_text="已批准").wait_for()
    phone.check("zh-approved")

    # A reply once the turn ended is the thread's next turn, still supervised (it may still write).
    agent.update(turn2["taskId"], itemsAppend=[item("a3", "agentMessage", text="**完成**")], status="completed",
                 summary="**完成**", result={"exitCode": 0})  # fmt: skip
    phone.page.locator(".msg-assistant strong", has_text="完成").wait_for()
    phone.page.fill("textarea[name=composer]", "再检查一遍")
    phone.page.locator(".composer button[type=submit]").click()
    turn3 = agent.claim()
    assert (turn3["prompt"], turn3["execMode"], turn3.get("threadId")) == ("再检查一遍", "supervised", "thread-1")
    phone.page.wait_for_url(f"**/#/task/{turn3['taskId']}")
    phone.page.locator(f".turn-block[data-task-id={turn3['taskId']}]").wait_for()
    assert phone.page.locator(".turn-block").count() == 3


def test_the_prompt_box_says_codex_is_not_signed_in_and_offers_the_agents_models(relay, phone):
    owner = relay.owner()
    agent = ScriptedAgent(relay, owner, signed_in=False, models=["gpt-5-codex", "gpt-5-mini"], efforts=["low", "high"])
    agent.poll()
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.codex_form()
    assert phone.page.locator(".signed-out").inner_text().startswith("Codex is not signed in on this server")
    # Model and effort are a conversation's: not offered for a one-off run.
    assert phone.page.locator("select[name=model]").is_hidden() and phone.page.locator("select[name=effort]").is_hidden()
    phone.page.select_option("select[name=execMode]", "chat")
    assert phone.page.locator("select[name=model] option").all_inner_texts() == ["The agent's default", "gpt-5-codex", "gpt-5-mini"]
    phone.page.select_option("select[name=model]", "gpt-5-mini")
    phone.page.select_option("select[name=effort]", "high")
    phone.check("codex-not-signed-in")
    phone.page.fill("textarea[name=prompt]", "What does main.py do?")
    phone.page.locator("button", has_text="Run").click()
    task = agent.claim()
    assert (task["execMode"], task["model"], task["effort"]) == ("chat", "gpt-5-mini", "high")


ANSWER = "## Done\n\nThe function **adds** two numbers:\n\n- `a`\n- `b`\n\n```\nprint(add(1, 2))\n```\n"
RUN_DIFF = "\n".join([
    "diff --git a/calc.py b/calc.py", "index 1111111..2222222 100644", "--- a/calc.py", "+++ b/calc.py",
    "@@ -10,3 +10,4 @@ def add(a, b):", " x = 1", "-y = 2", "+y = 3", "+z = 4", " end",
    "diff --git a/notes.md b/notes.md", "new file mode 100644", "index 0000000..3333333", "--- /dev/null", "+++ b/notes.md",
    "@@ -0,0 +1 @@", "+hello",
]) + "\n"  # fmt: skip


def test_a_one_off_run_reads_as_a_conversation_and_a_reply_continues_it_as_chat(relay, phone):
    owner = relay.owner()
    agent = ScriptedAgent(relay, owner)
    agent.poll()
    status, made = owner.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "box-1", "prompt": "Explain calc.py", "execMode": "read-only"})
    assert status == 201, made
    task = agent.claim()
    log = "warning: the model is slow today\n$ cat calc.py\ndef add(a, b): ...\n[exit code 0]\n\n" + ANSWER
    agent.update(task["taskId"], outputAppend=log, threadId="thread-exec")
    agent.update(task["taskId"], summary=ANSWER, diffText=RUN_DIFF, status="completed", result={"exitCode": 0, "threadId": "thread-exec"})
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.open(f"/#/task/{task['taskId']}")
    phone.screen("task")
    page = phone.page
    answer = page.locator(".turn-block .msg-assistant .md")
    answer.wait_for()
    # The message once, the answer formatted, no raw markdown, nothing said twice.
    assert page.get_by_text("Explain calc.py").count() == 2  # the title and the message
    assert page.locator(".msg-user").inner_text().endswith("Explain calc.py")
    assert answer.locator("h2").inner_text() == "Done" and answer.locator("strong").inner_text() == "adds"
    assert answer.locator("li code").all_inner_texts() == ["a", "b"] and "print(add(1, 2))" in answer.locator("pre").inner_text()
    assert "**" not in answer.inner_text() and page.get_by_text("two numbers").count() == 1
    # What Codex did is folded, its own warning apart and out of the answer.
    assert page.locator(".activity pre.output").is_hidden() and "warning" not in answer.inner_text()
    assert page.locator(".codex-notes summary").inner_text() == "Codex's own notes (1)"
    page.locator(".activity summary").click()
    assert "$ cat calc.py" in page.locator(".activity pre.output").inner_text()
    assert "warning" not in page.locator(".activity pre.output").inner_text()
    # A card per changed file: counts, then (a tap) its lines numbered, no git headers.
    cards = page.locator(".diff-file")
    assert cards.count() == 2 and cards.locator(".diff-lines").first.is_hidden()
    assert cards.nth(0).locator("summary").inner_text().replace("\n", " ") == "calc.py +2 −1"
    assert "notes.md" in cards.nth(1).locator("summary").inner_text() and "new file" in cards.nth(1).inner_text()
    cards.nth(0).locator("summary").click()
    rows = cards.nth(0).locator(".dl:not(.dl-hunk)")
    assert [r.locator(".ln").all_inner_texts() for r in rows.all()] == [["10", "10"], ["11", ""], ["", "11"], ["", "12"], ["12", "13"]]
    assert "index 1111111" not in cards.nth(0).inner_text() and "diff --git" not in page.locator("main").inner_text()
    assert page.locator(".failure").is_hidden() and page.locator("dl.result").count() == 0  # no thread id table
    assert page.locator(".tabbar .badge").count() == 0 and not page.title().startswith("(")
    no_sideways_scroll(phone)
    phone.check("one-off-run")

    # A reply continues the run's Codex thread, as a chat (a one-off run has no conversation mode).
    page.fill("textarea[name=composer]", "And subtract?")
    page.locator(".composer button", has_text="Send").click()
    reply = agent.claim()
    assert (reply["prompt"], reply["execMode"], reply.get("threadId")) == ("And subtract?", "chat", "thread-exec")
    page.wait_for_url(f"**/#/task/{reply['taskId']}")
    # Same conversation: the first turn stays above the reply.
    page.locator(f".turn-block[data-task-id={reply['taskId']}]").wait_for()
    assert page.locator(".turn-block").count() == 2
    assert page.locator(".turn-block").first.get_attribute("data-task-id") == task["taskId"]


def test_a_failed_run_is_said_once_in_words_with_the_code_as_a_detail(relay, phone):
    owner = relay.owner()
    agent = ScriptedAgent(relay, owner)
    agent.poll()
    status, made = owner.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "box-1", "prompt": "Break", "execMode": "read-only"})
    assert status == 201, made
    task = agent.claim()
    agent.update(task["taskId"], outputAppend="error: stream disconnected\n", status="failed", error="nonzero-exit",
                 summary="codex exited 1", result={"exitCode": 1})  # fmt: skip
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.open(f"/#/task/{task['taskId']}")
    phone.screen("task")
    failure = phone.page.locator(".failure")
    failure.wait_for()
    assert failure.locator(".failure-words").inner_text() == "The command ended with a non-zero exit code."
    assert failure.locator(".failure-detail pre").is_hidden()
    failure.locator("summary").click()
    assert failure.locator(".failure-detail pre").inner_text() == "nonzero-exit\ncodex exited 1"
    assert phone.page.get_by_text("codex exited 1").count() == 1 and phone.page.get_by_text("non-zero exit code").count() == 1
    assert phone.page.locator(".msg-assistant").count() == 0
    phone.check("failed-run")


def test_a_turns_conversation_outlives_a_relay_restart_on_this_device(relay, phone):
    owner = relay.owner()
    agent = ScriptedAgent(relay, owner)
    agent.poll()
    status, made = owner.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "box-1", "prompt": "Explain", "execMode": "chat"})
    assert status == 201, made
    task_id = agent.claim()["taskId"]
    agent.update(task_id, threadId="thread-9", itemsAppend=[item("u1", "userMessage", text="Explain"), item("a1", "agentMessage", text="It adds two numbers.")])
    agent.ask(task_id, requestId="req-1", kind="command", command="cat calc.py", cwd=".", reason="read it", decisions=["accept", "decline"])
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.open(f"/#/task/{task_id}")
    phone.screen("task")
    phone.page.locator(".approval[data-request-id=req-1]").wait_for()

    relay.stop()
    relay.start()  # the task is interrupted; its conversation was in the relay's memory only
    phone.expect_failure("/api/admin/state")
    phone.page.reload()
    phone.screen("task")
    phone.page.locator(".conversation .msg-assistant", has_text="It adds two numbers.").wait_for()
    assert phone.page.locator(".task .hint", has_text="device's cache").is_visible()
    assert phone.page.locator("button.decision").count() == 0  # nothing to answer on an interrupted turn
    assert "Not answered" in phone.page.locator(".turn-request[data-request-id=req-1]").inner_text()
    assert phone.page.locator("[data-waiting]").count() == 0
    phone.check("conversation-from-cache")
