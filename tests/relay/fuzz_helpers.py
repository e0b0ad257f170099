"""The world the schemathesis fuzzer (tests/relay/test_fuzz_api.py) runs in: a live relay with a
signed-in owner, a paired scripted agent, and real records whose ids the fuzzer mixes into its
generated requests, so success answers are checked too and not only the 404s random ids get.

The agent is an HTTP client holding the agent token: nothing ever runs a fuzzed task.
"""

from __future__ import annotations

from typing import Any

import attrs

from .agent_helpers import Http, LiveRelay, pair_over_http
from .conftest import ORIGIN

# Rate limits and quotas far above what one fuzzing run sends: a 429 would hide everything behind it.
GENEROUS = 100000
FUZZ_CONFIG = {
    "maxLoginAttemptsPerMinute": GENEROUS,
    "maxPairAttemptsPerMinute": GENEROUS,
    "limits": {
        "maxUnfinishedTasksPerWorkspace": GENEROUS,
        "maxTaskCreatesPerUserPerMinute": GENEROUS,
        "maxActiveInvitationsPerWorkspace": GENEROUS,
        "maxInvitationCreatesPerUserPerMinute": GENEROUS,
    },
}
AGENT_ID = "vm"
# Held requests (agent polls, state waits) would each cost up to 25 s: the fuzzer's waits are cut to this.
MAX_WAIT_MS = 50
CAPABILITIES = {
    "execModes": [{"id": "read-only", "label": "Read only", "writes": False}],
    "actions": [{"id": "tests", "label": "Run the tests"}],
    "logSources": [{"id": "app", "label": "App log"}],
    "codexSessions": [{"sessionId": "session-1", "title": "A session", "updatedAt": "2026-11-26T12:00:00.000Z"}],
}


@attrs.define
class FuzzWorld:
    """The live relay and the credentials and ids the fuzzer uses."""

    live: LiveRelay
    phone: Http
    agent: Http
    workspace_id: str
    real: dict[str, list[str]]  # a path parameter or body field name -> real values (mostly ids)

    def cookie(self, *, fresh: bool) -> str:
        """The session cookie (`name=value`): the fuzzer's own, or a new one of the same owner."""
        return self.live.phone().cookie if fresh else self.phone.cookie

    def headers(self, *, fresh: bool = False) -> dict[str, str]:
        """Everything a phone and the agent send: the session cookie, the agent token, the Origin."""
        return {"Cookie": self.cookie(fresh=fresh), "Authorization": f"Bearer {self.agent.token}", "Origin": ORIGIN}

    def back_to_the_first_workspace(self) -> None:
        """Creating a workspace or joining one switches the session: switch it back."""
        status, body = self.phone.post("/api/auth/workspace", {"workspaceId": self.workspace_id})
        assert status == 200, body


def _ok(answer: tuple[int, Any], expected: int = 200) -> Any:
    status, body = answer
    assert status == expected, body
    return body


def build_world(live: LiveRelay) -> FuzzWorld:
    """Sign in, pair the agent, and make one record of each kind the API names by id."""
    phone = live.phone()
    agent = pair_over_http(live, phone, AGENT_ID)
    me = _ok(phone.get("/api/auth/status"))["auth"]
    workspace_id = me["currentWorkspaceId"]

    # a second user with a membership here: someone to disable, delete and revoke
    made = _ok(phone.post("/api/admin/invitations", {"type": "workspace", "role": "operator"}), 201)
    other = Http(live.port, origin=ORIGIN)
    joined = _ok(other.post("/api/auth/invitations/redeem", {"inviteCode": made["inviteCode"], "displayName": "Other"}))
    other_user = joined["auth"]["currentUser"]["userId"]
    invite = _ok(phone.post("/api/admin/invitations", {"type": "account"}), 201)["invitation"]["inviteId"]

    # what the agent can run, then a pending pair request, and tasks in each state the agent reports on
    _ok(agent.post("/api/agent/poll", {"maxTasks": 0, **CAPABILITIES}))
    pending = _ok(Http(live.port).post("/api/agent/pair", {"pairingCode": _ok(phone.post("/api/admin/pairings", {}), 201)["pairingCode"], "agentId": "waiting"}))  # fmt: skip
    tasks = [
        _ok(phone.post("/api/admin/tasks", {"type": "codex_exec", "agentId": AGENT_ID, "prompt": f"fuzz {n}"}), 201)["task"]["taskId"]
        for n in range(3)
    ]  # fmt: skip
    _ok(agent.post("/api/agent/poll", {"maxTasks": 2}))  # two running, one queued
    registrations = [_ok(phone.post("/api/auth/passkeys/register/options", {}))["registrationId"] for _ in range(3)]
    state = _ok(phone.get("/api/admin/state"))
    memberships = [m["membershipId"] for m in state["members"] if m.get("userId") == other_user]
    assert memberships, state["members"]
    real = {
        "userId": [me["currentUser"]["userId"], other_user],
        "membershipId": memberships,
        "inviteId": [invite],
        "requestId": [pending["requestId"]],
        "taskId": tasks,
        "agentId": [AGENT_ID, "waiting"],
        "workspaceId": [workspace_id],
        "registrationId": registrations,  # passkey ceremonies begun, so fuzzed credentials reach the verifier
        # what task create needs to answer 201 rather than 400
        "execMode": [CAPABILITIES["execModes"][0]["id"]],
        "actionId": [CAPABILITIES["actions"][0]["id"]],
        "logSourceId": [CAPABILITIES["logSources"][0]["id"]],
        "sessionId": [CAPABILITIES["codexSessions"][0]["sessionId"]],
        "prompt": ["fuzz"],
    }
    return FuzzWorld(live=live, phone=phone, agent=agent, workspace_id=workspace_id, real=real)
