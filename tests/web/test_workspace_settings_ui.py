"""Issue 18 from the phone: an owner turns on the two-person rule, another role does not see the
switch; with it on, the creator's Approve is refused and another operator's works; a person renames
themselves; a refused field is named in the error, in both languages."""

from __future__ import annotations

import pytest

from tests.relay.agent_helpers import pair_over_http
from tests.waiting import wait_until

from .conftest import BOOTSTRAP_TOKEN
from .member_helpers import operator_cookie


def state(phone) -> dict:
    return phone.page.evaluate("async () => (await fetch('/api/admin/state')).json()")


def test_an_owner_turns_on_the_two_person_rule_and_an_operator_sees_no_switch(relay, phones):
    owner = phones(relay)
    owner.open("/")
    owner.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    owner.screen("home")
    owner.page.locator(".workspace-button").click()
    screen = owner.screen("workspaces")
    switch = screen.locator("input[name=requireSecondApprover]")
    assert switch.is_visible() and not switch.is_checked()
    assert screen.get_by_text("A second person approves actions and log reads").is_visible()
    switch.click()
    wait_until(lambda: state(owner)["currentWorkspace"]["requireSecondApprover"] is True, timeout=10)
    owner.check("workspace-settings-on")
    assert switch.is_checked()

    operator = phones(relay)
    operator.sign_in_with_cookie(operator_cookie(relay))
    operator.open("/#/workspaces")
    screen = operator.screen("workspaces")
    assert screen.locator(".workspace-settings").is_hidden()
    assert state(operator)["currentWorkspace"]["requireSecondApprover"] is True

    switch.click()  # and off again
    wait_until(lambda: state(owner)["currentWorkspace"]["requireSecondApprover"] is False, timeout=10)


def test_a_person_renames_themselves_and_a_bad_name_is_named(relay, phone):
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    more = phone.tab("Manage", "more")
    phone.page.fill("input[name=displayName]", "Ada Lovelace")
    more.locator("button", has_text="Save name").click()
    phone.page.locator("main .screen.more .row-title", has_text="Ada Lovelace").wait_for()
    assert state(phone)["auth"]["currentUser"]["displayName"] == "Ada Lovelace"
    phone.check("renamed")

    more = phone.screen("more")
    phone.expect_failure("/api/auth/profile")  # the relay's 400s below are the point
    phone.page.fill("input[name=displayName]", "   ")
    more.locator("button", has_text="Save name").click()
    error = more.locator(".error", has_text="Display name is not valid.")
    error.wait_for()
    assert "Some of what you entered" not in more.inner_text()
    assert state(phone)["auth"]["currentUser"]["displayName"] == "Ada Lovelace"

    phone.page.select_option("select[name=language]", "zh-CN")
    more = phone.screen("more")
    phone.page.fill("input[name=displayName]", "")
    more.locator("button", has_text="保存名字").click()
    more.locator(".error", has_text="显示名称无效。").wait_for()
    phone.check("rename-refused-zh")


@pytest.mark.parametrize("size", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}], ids=["phone", "desktop"])
def test_the_two_person_rule_refuses_self_approval_and_another_operator_approves(relay, phones, size):
    owner_http = relay.owner()
    pair_over_http(relay, owner_http, "box-1")
    status, _ = owner_http.post("/api/admin/workspaces/current/settings", {"requireSecondApprover": True})
    assert status == 200
    status, made = owner_http.post("/api/admin/tasks", {"type": "run_action", "agentId": "box-1", "actionId": "status"})
    assert status == 201, made
    task_id = made["task"]["taskId"]

    owner = phones(relay)
    owner.page.set_viewport_size(size)
    owner.open("/")
    owner.page.locator("summary", has_text="Bootstrap token").click()  # not bootstrap_sign_in: its layout
    owner.page.fill("input[name=bootstrapToken]", BOOTSTRAP_TOKEN)  # checks are the phone's
    owner.page.locator("button", has_text="Sign in with the token").click()
    owner.page.locator(".workspace-button").wait_for()  # signed in
    owner.expect_failure(f"/api/admin/tasks/{task_id}/approve")  # the relay's 403 is the point
    owner.open(f"/#/task/{task_id}")
    screen = owner.page.locator("main .screen")
    # The creator is offered no Approve: the screen says who approves instead; Reject stays.
    screen.get_by_text("another operator approves this").wait_for()
    assert screen.locator(".toolbar button").all_inner_texts() == ["Reject"]
    if size["width"] == 390:
        owner.check("self-approval-refused")
    # And the relay refuses it even when asked directly from the creator's signed-in browser.
    refused = owner.page.evaluate(
        """async (id) => {
            const res = await fetch(`/api/admin/tasks/${id}/approve`, {method: "POST", headers: {"content-type": "application/json"}, body: "{}"});
            return [res.status, (await res.json()).error];
        }""",
        task_id,
    )
    assert refused == [403, "second-approver-required"]
    assert owner.problems() == []
    assert state(owner)["tasks"][0]["status"] == "awaiting_approval"

    operator = phones(relay)
    operator.page.set_viewport_size(size)
    operator.sign_in_with_cookie(operator_cookie(relay))
    operator.open(f"/#/task/{task_id}")
    screen = operator.page.locator("main .screen")
    screen.locator("button", has_text="Approve").click()
    wait_until(lambda: next(t for t in state(operator)["tasks"] if t["taskId"] == task_id)["status"] == "queued")
    approved = next(t for t in state(operator)["tasks"] if t["taskId"] == task_id)
    assert approved["approvedAt"]
