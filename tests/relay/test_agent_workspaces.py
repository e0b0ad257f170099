"""Agent ids are per workspace (issue 15, finding 9): two workspaces may each pair an agent `vm`,
and nothing one does with its `vm` shows in, blocks, wakes or replaces the other's."""

from __future__ import annotations

import time

from mobile_codex.relay_app.services.events import HELD_PER_AGENT

from .agent_helpers import (
    created, in_thread, new_pairing_code, other_workspace, pair_agent, pair_status, request_pairing, state_parts, wait_held,
)  # fmt: skip

SESSION = {"sessionId": "s1", "title": "A-ONLY-SESSION", "cwd": ".", "preview": []}


def two_vms(relay):
    """The Primary workspace's owner and a second workspace's owner, each with an agent `vm`."""
    owner_a = relay.owner()
    _, owner_b = other_workspace(relay)
    vm_a = pair_agent(relay, owner_a, "vm", label="A's vm")
    vm_b = pair_agent(relay, owner_b, "vm", label="B's vm")
    return owner_a, vm_a, owner_b, vm_b


def agents_seen(relay, browser) -> list[tuple[str, str, bool]]:
    return [(a["agentId"], a["label"], a["revokedAt"] is not None) for a in state_parts(relay, browser)["agents"]]


def test_two_workspaces_each_pair_vm_and_see_only_their_own(relay):
    owner_a, vm_a, owner_b, vm_b = two_vms(relay)
    assert agents_seen(relay, owner_a) == [("vm", "A's vm", False)]
    assert agents_seen(relay, owner_b) == [("vm", "B's vm", False)]
    # Presence is per agent too: what A's vm reports never shows in B's view.
    vm_a.poll(codexSessions=[SESSION], maxTasks=0)
    [seen_by_a] = state_parts(relay, owner_a)["agents"]
    [seen_by_b] = state_parts(relay, owner_b)["agents"]
    assert [s["title"] for s in seen_by_a["codexSessions"]] == ["A-ONLY-SESSION"]
    assert seen_by_b["codexSessions"] == [] and seen_by_b["lastSeenAt"] is None


def test_tasks_go_to_the_vm_of_their_workspace(relay):
    owner_a, vm_a, owner_b, vm_b = two_vms(relay)
    task_b = created(owner_b, "vm", prompt="for B")
    assert vm_a.poll()["tasks"] == []
    [claimed] = vm_b.poll()["tasks"]
    assert claimed["taskId"] == task_b["taskId"]
    task_a = created(owner_a, "vm", prompt="for A")
    assert vm_b.poll()["tasks"] == []
    assert [t["taskId"] for t in vm_a.poll()["tasks"]] == [task_a["taskId"]]
    # An agent reports only on its own workspace's tasks, whatever the id.
    assert vm_a.update(task_b["taskId"], status="completed").json == {"error": "task-not-found"}
    assert vm_b.update(task_b["taskId"], status="completed").json["ok"] is True


def test_revoking_one_vm_leaves_the_other(relay):
    owner_a, vm_a, owner_b, vm_b = two_vms(relay)
    assert owner_a.post("/api/admin/agents/vm/revoke").json == {"ok": True}
    assert vm_a.post("/api/agent/poll", {}).json == {"error": "agent-revoked"}
    assert vm_b.poll()["ok"] is True
    assert agents_seen(relay, owner_a) == [("vm", "A's vm", True)]
    assert agents_seen(relay, owner_b) == [("vm", "B's vm", False)]
    assert created(owner_b, "vm")["agentId"] == "vm"
    assert owner_a.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "vm", "prompt": "x"}).json == {
        "error": "agent-not-available"
    }


def test_another_workspace_learns_nothing_about_vm(relay):
    owner_a = relay.owner()
    pair_agent(relay, owner_a, "vm", label="A's vm")
    _, owner_b = other_workspace(relay)
    # Not "agent-id-already-registered": B's request is an ordinary pending one.
    probe = request_pairing(relay, new_pairing_code(owner_b), "vm")
    assert (probe.status_code, probe.json["status"]) == (200, "pending")
    # Nor can B reach A's vm by id: both answer as for an id that does not exist.
    result = owner_b.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "vm", "prompt": "x"})
    assert (result.status_code, result.json) == (404, {"error": "agent-not-found"})
    result = owner_b.post("/api/admin/agents/vm/revoke")
    assert (result.status_code, result.json) == (404, {"error": "agent-not-found"})
    assert [r["agentId"] for r in state_parts(relay, owner_b)["pendingPairRequests"]] == ["vm"]
    assert state_parts(relay, owner_a)["pendingPairRequests"] == []


def test_a_pending_request_in_one_workspace_does_not_block_another(relay):
    owner_a = relay.owner()
    _, owner_b = other_workspace(relay)
    blocker = request_pairing(relay, new_pairing_code(owner_b), "vm")
    assert blocker.json["status"] == "pending"
    vm_a = pair_agent(relay, owner_a, "vm", label="A's vm")
    assert vm_a.poll()["ok"] is True
    # ...and B's request, approved later, pairs B's own vm beside A's.
    assert owner_b.post(f"/api/admin/pair-requests/{blocker.json['requestId']}/approve").status_code == 200
    done = pair_status(relay, blocker.json["requestId"], blocker.json["requestToken"]).json
    assert done["status"] == "approved" and done["token"]
    assert agents_seen(relay, owner_a) == [("vm", "A's vm", False)]
    assert agents_seen(relay, owner_b) == [("vm", "vm", False)]
    # Within one workspace the rules stay: one pending request per id, one live agent per id.
    pending = request_pairing(relay, new_pairing_code(owner_a), "other")
    assert pending.json["status"] == "pending"
    assert request_pairing(relay, new_pairing_code(owner_a), "other").json == {"error": "pair-request-already-pending"}
    assert request_pairing(relay, new_pairing_code(owner_a), "vm").json == {"error": "agent-id-already-registered"}


def test_a_revoked_vm_stays_in_its_workspace_when_another_pairs_vm(relay):
    owner_a = relay.owner()
    pair_agent(relay, owner_a, "vm", label="A's vm")
    assert owner_a.post("/api/admin/agents/vm/revoke").json == {"ok": True}
    _, owner_b = other_workspace(relay)
    pair_agent(relay, owner_b, "vm", label="B's vm")
    assert agents_seen(relay, owner_a) == [("vm", "A's vm", True)]
    assert agents_seen(relay, owner_b) == [("vm", "B's vm", False)]


def test_re_pairing_a_revoked_id_in_its_own_workspace_replaces_it(relay):
    owner = relay.owner()
    old = pair_agent(relay, owner, "vm", label="old")
    assert owner.post("/api/admin/agents/vm/revoke").json == {"ok": True}
    # The test clock stands still: without care the new token (no random part, the reference's format)
    # would be the revoked one byte for byte, and the revoked token would work again.
    new = pair_agent(relay, owner, "vm", label="new")
    assert new.token != old.token
    assert agents_seen(relay, owner) == [("vm", "new", False)]
    assert old.post("/api/agent/poll", {}).json == {"error": "invalid-token"}  # the old token stays dead
    assert new.poll()["ok"] is True


def test_held_polls_of_one_vm_do_not_use_up_the_others_share(relay):
    owner_a, vm_a, owner_b, vm_b = two_vms(relay)
    held = [in_thread(lambda: vm_b.poll(waitMs=20000, maxTasks=0)) for _ in range(HELD_PER_AGENT)]
    wait_held(relay, HELD_PER_AGENT)
    assert vm_b.poll(waitMs=20000, maxTasks=0)["heldMs"] == 0  # B's vm has used its share...
    thread, box = in_thread(lambda: vm_a.poll(waitMs=20000))
    wait_held(relay, HELD_PER_AGENT + 1)  # ...which is not A's: A's vm is held
    # A task for B's vm does not wake A's held poll; one for A's vm does.
    created(owner_b, "vm")
    time.sleep(0.3)  # the point: a wrong wake-up would end A's poll within this window
    assert thread.is_alive()
    task_a = created(owner_a, "vm")
    thread.join(10)
    assert not thread.is_alive() and [t["taskId"] for t in box["result"]["tasks"]] == [task_a["taskId"]]
    relay.app.relay.feed.release_all()  # let B's held polls go, as a stopping relay does
    for waiting, _ in held:
        waiting.join(10)
