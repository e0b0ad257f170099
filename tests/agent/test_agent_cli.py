"""`mobile-codex agent` as a real process against a real relay: pairing outcomes and exit codes."""

from __future__ import annotations

import json
import os
import signal
import stat
import threading
from datetime import timedelta

import attrs
import pytest

from mobile_codex.agent_app.errors import PairingRefused
from mobile_codex.agent_app.pairing import pair
from mobile_codex.agent_app.relay_client import RelayClient
from mobile_codex.core.config import load_agent_config
from mobile_codex.core.timeutil import iso, system_clock

from ..relay.agent_helpers import Http, LiveRelay, only_agent, pair_over_http
from .cli_processes import AgentProcess, new_code, paired_and_polling

pytestmark = pytest.mark.slow  # `mobile-codex agent` processes against a live relay


def test_pair_approve_then_poll_token_saved_privately_and_sigterm_exits_0(live, config_file, user_dirs, tmp_path):
    agent = paired_and_polling(live, config_file, user_dirs)
    state = tmp_path / "state" / "agent"
    assert stat.S_IMODE(os.stat(state).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(state / "agent-token.json").st_mode) == 0o600
    assert "token" not in json.loads(config_file.read_text())
    record = only_agent(live.store, "agent-1")
    assert record.codex_available is False  # no codex binary: the agent runs all the same
    agent.proc.send_signal(signal.SIGTERM)
    code, stderr = agent.finish()
    assert code == 0, stderr
    assert "codex-not-installed" in stderr  # warned at start


def test_rejected_exits_3(live, config_file, user_dirs):
    phone = live.phone()
    agent = AgentProcess(user_dirs, "--config", config_file, "--pair-code", new_code(phone))
    request_id = agent.expect(r"pair request (pairreq_[0-9a-f]+) sent")[1]
    phone.post(f"/api/admin/pair-requests/{request_id}/reject")
    code, stderr = agent.finish()
    assert code == 3 and f"pair request {request_id} was rejected" in stderr


def test_an_expired_request_exits_4(live, config_file, user_dirs):
    phone = live.phone()
    agent = AgentProcess(user_dirs, "--config", config_file, "--pair-code", new_code(phone))
    request_id = agent.expect(r"pair request (pairreq_[0-9a-f]+) sent")[1]
    with live.store.transaction() as tx:  # shift the expiry instead of waiting 5 minutes
        request = tx.pair_requests.get(request_id)
        tx.pair_requests.put(attrs.evolve(request, expires_at=iso(system_clock() - timedelta(seconds=1))))
    code, stderr = agent.finish()
    assert code == 4 and f"pair request {request_id} expired before it was approved" in stderr


def test_an_invalid_code_exits_4(live, config_file, user_dirs):
    code, stderr = AgentProcess(user_dirs, "--config", config_file, "--pair-code", "AAAA-BBBB").finish()
    assert code == 4 and "pairing code invalid or expired (invalid-pairing-code)" in stderr


def test_a_revoked_agent_exits_5(live, config_file, user_dirs):
    phone = live.phone()
    token = pair_over_http(live, phone, "agent-1").token
    agent = AgentProcess(user_dirs, "--config", config_file, env={"MOBILE_CODEX_AGENT_TOKEN": token})
    agent.expect(r"connected to the relay")  # the env token works when nothing is saved
    status, body = phone.post("/api/admin/agents/agent-1/revoke")
    assert status == 200, body
    code, stderr = agent.finish()
    assert code == 5, stderr
    assert "the relay refused this agent's token (agent-revoked)" in stderr and "pair it again" in stderr


def test_not_paired_without_a_code_exits_2(config_file, user_dirs):
    code, stderr = AgentProcess(user_dirs, "--config", config_file).finish()
    assert code == 2 and "not paired yet" in stderr and "--pair-code" in stderr


def test_a_missing_workspace_exits_2(config_file, user_dirs, workspace):
    workspace.rmdir()
    code, stderr = AgentProcess(user_dirs, "--config", config_file, "--pair-code", "AAAA-BBBB").finish()
    assert code == 2 and "workspaceRoot" in stderr and "is not a directory" in stderr


class FirstToAsk(RelayClient):
    """The agent's real client, plus a second holder of the request token who asks first once approved
    (as when the agent's own status request got the token and the reply was lost on the way back)."""

    def __init__(self, live, phone):
        super().__init__(f"http://127.0.0.1:{live.port}")
        self.live, self.phone = live, phone
        self.taken: dict = {}

    def pair(self, body):
        started = super().pair(body)
        status, reply = self.phone.post(f"/api/admin/pair-requests/{started['requestId']}/approve")
        assert status == 200, reply
        status, self.taken = Http(self.live.port).post(
            "/api/agent/pair/status", {"requestId": started["requestId"], "requestToken": started["requestToken"]}
        )
        assert status == 200 and self.taken["status"] == "approved" and self.taken["token"], self.taken
        return started


def test_a_completed_request_stops_pairing_at_once_and_says_why(live, config_file):
    config = load_agent_config(config_file)
    client = FirstToAsk(live, live.phone())
    said: list[str] = []
    box: dict = {}

    def attempt():
        try:
            pair(client, config, new_code(client.phone), say=said.append)
        except Exception as err:
            box["error"] = err

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(10)  # the code lives 5 minutes: still polling means it did not stop
    assert not thread.is_alive(), f"still polling a completed request: {said}"
    assert isinstance(box.get("error"), PairingRefused), box  # the CLI's exit 1 (PRODUCT.md: refused for another reason)
    message = str(box["error"])
    assert "token was already handed out" in message and "cannot be shown again" in message
    assert "revoke agent agent-1" in message and "create a new pairing code" in message
    assert client.taken["token"] not in message + "".join(said)


def blocked_state_dir(config_file, tmp_path):
    """Point the config's stateDir under a regular file: no user, not even root, can create it."""
    (tmp_path / "blocker").write_text("not a directory")
    doc = json.loads(config_file.read_text())
    doc["stateDir"] = str(tmp_path / "blocker" / "agent")
    config_file.write_text(json.dumps(doc))
    return tmp_path / "blocker" / "agent" / "agent-token.json"


def test_a_token_that_cannot_be_saved_after_pairing_exits_1_with_one_line(live, config_file, user_dirs, tmp_path):
    token_file = blocked_state_dir(config_file, tmp_path)
    phone = live.phone()
    agent = AgentProcess(user_dirs, "--config", config_file, "--pair-code", new_code(phone))
    request_id = agent.expect(r"pair request (pairreq_[0-9a-f]+) sent")[1]
    phone.post(f"/api/admin/pair-requests/{request_id}/approve")
    code, stderr = agent.finish()
    assert code == 1, stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert f"paired, but cannot save the agent token in {token_file}" in stderr
    assert "revoke agent agent-1" in stderr


def test_a_refreshed_token_that_cannot_be_saved_exits_1_with_one_line(tmp_path, config_file, user_dirs):
    (tmp_path / "old-relay").mkdir()
    relay = LiveRelay(tmp_path / "old-relay")  # its clock stands still until moved
    try:
        token = pair_over_http(relay, relay.phone(), "agent-1").token
        relay.clock.advance(24 * 24 * 3600)  # 6 days left: the next poll hands out a fresh token
        doc = json.loads(config_file.read_text())
        config_file.write_text(json.dumps({**doc, "relayBaseUrl": f"http://127.0.0.1:{relay.port}"}))
        token_file = blocked_state_dir(config_file, tmp_path)
        code, stderr = AgentProcess(user_dirs, "--config", config_file, env={"MOBILE_CODEX_AGENT_TOKEN": token}).finish()
    finally:
        relay.close()
    assert code == 1, stderr
    assert "Traceback" not in stderr, stderr
    last = stderr.strip().splitlines()[-1]  # after the warning that no codex binary is installed
    assert last.startswith(f"mobile-codex: cannot save the agent token in {token_file}") and "agent stopped" in last
