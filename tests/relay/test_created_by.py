"""Tasks record who created them (API.md `createdBy`): in every view, across backends and restarts."""

from __future__ import annotations

import attrs

from .agent_helpers import created, pair_agent, state_parts, stored
from .conftest import Relay
from .people_helpers import add_person, bootstrap_user_id


def test_created_by_is_the_person_who_asked(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    task = created(owner)
    assert task["createdBy"] == {"userId": bootstrap_user_id(relay), "displayName": "Owner"}
    operator = add_person(relay, "operator", name="Olga")
    theirs = created(operator.browser, type="run_action", actionId="status")
    assert theirs["createdBy"] == {"userId": operator.user_id, "displayName": "Olga"}
    # The same in the state view, in what approve returns, and in what the agent receives.
    views = {t["taskId"]: t for t in state_parts(relay, owner)["tasks"]}
    assert views[theirs["taskId"]]["createdBy"]["displayName"] == "Olga"
    approved = owner.post(f"/api/admin/tasks/{theirs['taskId']}/approve").json["task"]
    assert approved["createdBy"] == theirs["createdBy"]  # approving does not make it the approver's
    claimed = {t["taskId"]: t for t in agent.poll(maxTasks=2)["tasks"]}
    assert claimed[task["taskId"]]["createdBy"]["userId"] == bootstrap_user_id(relay)


def test_created_by_is_metadata_that_outlives_a_restart_and_the_user(tmp_path, backend):
    relay = Relay(tmp_path, backend)
    owner = relay.owner()
    pair_agent(relay, owner)
    operator = add_person(relay, "operator", name="Olga")
    task = created(operator.browser)
    relay.close()
    relay = Relay(tmp_path, backend)  # a restart: the text is gone, who asked is not
    try:
        record = stored(relay, "tasks", task["taskId"])
        assert (record.created_by_user_id, record.created_by_display_name) == (operator.user_id, "Olga")
        owner = relay.owner()
        assert owner.post(f"/api/admin/memberships/{operator.membership_id}/revoke").status_code == 200
        assert owner.post(f"/api/admin/users/{operator.user_id}/delete").status_code == 200
        view = next(t for t in state_parts(relay, owner)["tasks"] if t["taskId"] == task["taskId"])
        assert view["status"] == "interrupted" and view["prompt"] == ""
        assert view["createdBy"] == {"userId": operator.user_id, "displayName": "Olga"}
    finally:
        relay.close()


def test_imported_tasks_have_no_creator(relay):
    owner = relay.owner()
    pair_agent(relay, owner)
    task = created(owner)
    with relay.store.transaction() as tx:  # as a task from the reference's state.json arrives
        record = tx.tasks.get(task["taskId"])
        tx.tasks.put(attrs.evolve(record, created_by_user_id=None, created_by_display_name=None))
    view = next(t for t in state_parts(relay, owner)["tasks"] if t["taskId"] == task["taskId"])
    assert view["createdBy"] is None
