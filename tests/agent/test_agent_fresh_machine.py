"""`mobile-codex agent --relay URL --pair-code CODE` on a machine with no agent config (a real relay
and real agent processes), the goodbye of a cleanly stopped agent, and `up --port --host`."""

from __future__ import annotations

import json
import os
import signal
import stat

import pytest

from mobile_codex.cli.agent_cmd import ensure_config
from mobile_codex.core.config import load_agent_config

from ..relay.agent_helpers import Http
from .cli_processes import AgentProcess, UpProcess, free_port, new_code, stop

pytestmark = pytest.mark.slow  # agent and `up` processes against live relays


def agent_json(user_dirs) -> str:
    return os.path.join(user_dirs["XDG_CONFIG_HOME"], "mobile-codex", "agent.json")


def online(phone) -> list[bool]:
    status, state = phone.call("GET", "/api/admin/state")
    assert status == 200, state
    return [agent["online"] for agent in state["agents"]]


def test_a_fresh_machine_pairs_with_the_command_the_phone_shows_and_says_goodbye_on_stop(live, user_dirs, workspace):
    phone = live.phone()
    relay_url = f"http://127.0.0.1:{live.port}"
    assert not os.path.exists(agent_json(user_dirs))
    agent = AgentProcess(user_dirs, "--relay", relay_url, "--pair-code", new_code(phone), cwd=workspace)
    agent.expect(rf"wrote agent config {agent_json(user_dirs)} \(workspace {workspace}, write mode off")
    request_id = agent.expect(r"pair request (pairreq_[0-9a-f]+) sent")[1]
    assert phone.post(f"/api/admin/pair-requests/{request_id}/approve")[0] == 200
    agent.expect(r"connected to the relay")
    written = json.loads(open(agent_json(user_dirs)).read())
    assert written["relayBaseUrl"] == relay_url and written["workspaceRoot"] == str(workspace)
    assert written["features"]["codexExecWrite"] is False and written["plugins"] == {"allow": []}
    assert stat.S_IMODE(os.stat(agent_json(user_dirs)).st_mode) == 0o600
    assert online(phone) == [True]

    agent.proc.send_signal(signal.SIGTERM)
    code, stderr = agent.finish()
    assert code == 0, stderr
    assert online(phone) == [False]  # at once, not 90 s later

    # The same command again (a new code) finds the config and pairs nothing new: the token is kept.
    again = AgentProcess(user_dirs, "--relay", relay_url, cwd=workspace)
    again.expect(r"connected to the relay")
    assert online(phone) == [True]
    again.proc.send_signal(signal.SIGINT)
    assert again.finish()[0] == 0


def test_relay_mismatch_and_missing_config_say_what_to_run(live, user_dirs, workspace):
    phone = live.phone()
    missing = AgentProcess(user_dirs, cwd=workspace).finish()
    assert missing[0] == 2 and "--relay URL --pair-code CODE" in missing[1], missing
    assert AgentProcess(user_dirs, "--relay", "http://127.0.0.1:9", cwd=workspace).finish()[0] == 2  # no code: nothing written
    assert not os.path.exists(agent_json(user_dirs))
    first = AgentProcess(user_dirs, "--relay", f"http://127.0.0.1:{live.port}", "--pair-code", new_code(phone), cwd=workspace)
    first.expect(r"pair request (pairreq_[0-9a-f]+) sent")
    first.proc.send_signal(signal.SIGTERM)
    first.finish()
    code, stderr = AgentProcess(user_dirs, "--relay", "http://other.example:8787", "--pair-code", "AAAA-BBBB", cwd=workspace).finish()
    assert code == 2 and "is for relay http://127.0.0.1:" in stderr and "--config" in stderr, stderr


def test_up_listens_where_asked_and_its_link_names_that_port(user_dirs, workspace):
    port = free_port()
    up = UpProcess(user_dirs, "--workspace", workspace, "--port", port, "--host", "127.0.0.1")
    try:
        code = up.expect(rf"http://localhost:{port}/#code=([A-Z2-9]{{4}}-[A-Z2-9]{{4}}-[A-Z2-9]{{4}})", timeout=30)[1]
        up.expect(r"agent: connected to the relay", timeout=30)
        phone = Http(port, origin=f"http://localhost:{port}")
        status, body = phone.post("/api/auth/login-code", {"loginCode": code})
        assert status == 200, body
        assert online(phone) == [True]
        relay_json = json.loads(open(os.path.join(user_dirs["XDG_CONFIG_HOME"], "mobile-codex", "relay.json")).read())
        assert relay_json["listenPort"] == port and relay_json["publicOrigin"] == f"http://localhost:{port}"
    finally:
        returncode, stderr = stop(up)
    assert returncode == 0, stderr

    # An existing config on another port: --port moves this run, and the link follows it.
    other = free_port()
    up = UpProcess(user_dirs, "--workspace", workspace, "--port", other)
    try:
        up.expect(rf"relay listening on http://127.0.0.1:{other} \(public origin http://localhost:{other}\)", timeout=30)
        up.expect(rf"http://localhost:{other}/#code=", timeout=30)
        up.expect(r"agent: connected to the relay", timeout=30)
    finally:
        assert stop(up)[0] == 0


def test_a_fresh_config_for_plain_http_to_another_host_is_written_with_a_warning(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "conf" / "agent.json"
    ensure_config(path, "http://relay.example:8787", "AAAA-BBBB")
    assert load_agent_config(path).relay_base_url == "http://relay.example:8787"
    assert "would cross the network unencrypted" in capsys.readouterr().err
    ensure_config(tmp_path / "local.json", "http://127.0.0.1:8787", "AAAA-BBBB")
    assert "unencrypted" not in capsys.readouterr().err
