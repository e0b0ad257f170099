"""The two-person rule (issue 18): a workspace setting, owners set it; with it on, whoever asked
for an action or a log read may not approve it themselves, another operator may."""

from __future__ import annotations

import pytest

from .agent_helpers import created, member, pair_agent
from .people_helpers import state

SETTINGS = "/api/admin/workspaces/current/settings"


@pytest.fixture
def owner(relay):
    browser = relay.owner()
    pair_agent(relay, browser)
    return browser


def _asked(browser, task_type: str) -> str:
    source = {"actionId": "status"} if task_type == "run_action" else {"logSourceId": "app"}
    task = created(browser, type=task_type, **source)
    assert task["status"] == "awaiting_approval"
    return task["taskId"]


def test_owners_set_it_and_the_state_view_shows_it(relay, owner):
    assert state(owner)["currentWorkspace"]["requireSecondApprover"] is False
    on = owner.post(SETTINGS, {"requireSecondApprover": True})
    assert on.status_code == 200, on.text
    assert on.json["ok"] is True and on.json["workspace"]["requireSecondApprover"] is True
    assert state(owner)["currentWorkspace"]["requireSecondApprover"] is True
    assert state(member(relay, "viewer"))["currentWorkspace"]["requireSecondApprover"] is True
    for role in ("operator", "viewer"):
        refused = member(relay, role).post(SETTINGS, {"requireSecondApprover": False})
        assert (refused.status_code, refused.json) == (403, {"error": "insufficient-role"})
    assert state(owner)["currentWorkspace"]["requireSecondApprover"] is True
    for bad in ({}, {"requireSecondApprover": "yes"}, {"requireSecondApprover": None}):
        result = owner.post(SETTINGS, bad)
        assert (result.status_code, result.json) == (400, {"error": "invalid-field", "detail": "requireSecondApprover"})
    assert owner.post(SETTINGS, {"requireSecondApprover": False}).json["workspace"]["requireSecondApprover"] is False


def test_a_change_moves_the_state_cursor(relay, owner):
    before = state(owner)["changeCursor"]
    owner.post(SETTINGS, {"requireSecondApprover": True})
    moved = state(owner)["changeCursor"]
    assert moved != before
    owner.post(SETTINGS, {"requireSecondApprover": True})  # nothing changed: nothing written
    assert state(owner)["changeCursor"] == moved


@pytest.mark.parametrize("task_type", ["run_action", "read_log"])
def test_with_it_on_the_creator_cannot_approve_and_another_operator_can(relay, owner, task_type):
    owner.post(SETTINGS, {"requireSecondApprover": True})
    operator = member(relay, "operator")
    mine = _asked(operator, task_type)
    refused = operator.post(f"/api/admin/tasks/{mine}/approve")
    assert (refused.status_code, refused.json) == (403, {"error": "second-approver-required"})
    assert [t["status"] for t in state(operator)["tasks"] if t["taskId"] == mine] == ["awaiting_approval"]
    approved = member(relay, "operator").post(f"/api/admin/tasks/{mine}/approve")
    assert approved.status_code == 200 and approved.json["task"]["status"] == "queued"
    # The owner is held to it too, and may still reject or cancel their own.
    own = _asked(owner, task_type)
    assert owner.post(f"/api/admin/tasks/{own}/approve").json == {"error": "second-approver-required"}
    assert owner.post(f"/api/admin/tasks/{own}/reject").json["task"]["status"] == "rejected"
    another = _asked(owner, task_type)
    assert owner.post(f"/api/admin/tasks/{another}/cancel").json["task"]["status"] == "canceled"


def test_with_it_off_the_creator_approves_their_own(relay, owner):
    mine = _asked(owner, "run_action")
    approved = owner.post(f"/api/admin/tasks/{mine}/approve")
    assert approved.status_code == 200 and approved.json["task"]["status"] == "queued"


def test_it_belongs_to_one_workspace(relay, owner):
    owner.post(SETTINGS, {"requireSecondApprover": True})
    made = owner.post("/api/admin/workspaces", {"name": "Solo"})  # the owner switches to it
    assert made.json["workspace"]["requireSecondApprover"] is False
    assert state(owner)["currentWorkspace"]["requireSecondApprover"] is False
