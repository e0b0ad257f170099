"""`init-relay --mode production` and `init-agent --mode production`."""

from __future__ import annotations

import json
import os
import stat

from mobile_codex.cli.init_cmd import PRODUCTION_ROOT


def test_production_relay_is_https_loopback_var_lib_write_off(run_cli, tmp_path):
    out = tmp_path / "relay.json"
    done = run_cli("init-relay", "--mode", "production", "--origin", "https://relay.example.com", "--output", out)
    assert done.returncode == 0, done.stderr
    written = json.loads(out.read_text())
    assert written["publicOrigin"] == "https://relay.example.com"
    assert (written["listenHost"], written["listenPort"]) == ("127.0.0.1", 8787)
    assert written["dataDir"] == str(PRODUCTION_ROOT / "relay") == "/var/lib/mobile-codex/relay"
    assert written["features"]["codexExecWrite"] is False
    assert written["trustedProxies"] == ["127.0.0.1"]
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    check = run_cli("check", "--config", out)
    assert (check.returncode, check.stderr) == (0, "")  # no production warnings


def test_production_relay_needs_an_https_origin(run_cli, tmp_path):
    for origin in (None, "http://relay.example.com", "http://localhost:8787"):
        out = tmp_path / "relay.json"
        args = ("--origin", origin) if origin else ()
        done = run_cli("init-relay", "--mode", "production", *args, "--output", out)
        assert done.returncode == 2, done.stderr
        assert "--mode production needs --origin https://HOST" in done.stderr
        assert not out.exists()


def test_data_dir_override(run_cli, tmp_path):
    out = tmp_path / "relay.json"
    done = run_cli("init-relay", "--mode", "production", "--origin", "https://r.example.com", "--data-dir", tmp_path / "d", "--output", out)
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["dataDir"] == str(tmp_path / "d")


def test_production_agent_state_and_codex_home_under_var_lib(run_cli, tmp_path):
    out = tmp_path / "agent.json"
    done = run_cli("init-agent", "--mode", "production", "--relay", "https://relay.example.com", "--workspace", tmp_path,
                   "--agent-id", "box", "--output", out)  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = json.loads(out.read_text())
    assert written["stateDir"] == "/var/lib/mobile-codex/agent"
    assert written["codex"] == {"homeDir": "/var/lib/mobile-codex/agent/codex-home"}
    assert written["features"]["codexExecWrite"] is False
    # signed intents: everything needs a person's passkey, and the origin they name is pinned now
    assert (written["requireSignedIntents"], written["webauthnOrigin"]) == ("all", "https://relay.example.com")
    # its one warning is the trust ceremony still to do (stateDir moved here, away from this machine's /var/lib)
    state = tmp_path / "state"
    out.write_text(json.dumps({**written, "stateDir": str(state)}))
    check = run_cli("check", "--config", out)
    assert check.returncode == 0
    assert [line.split(" (")[0] for line in check.stderr.splitlines()] == [
        f"warning: {out}: requireSignedIntents: is 'all' but this agent trusts no passkey yet"
    ]
    state.mkdir()
    passkey = {"passkeyId": "pk_1", "credentialId": "cred-1", "revokedUpstream": False}
    (state / "trusted-passkeys.json").write_text(json.dumps({"format": 1, "passkeys": [passkey]}))
    check = run_cli("check", "--config", out)
    assert (check.returncode, check.stderr) == (0, "")  # no production warnings once a passkey is trusted


def test_production_agent_state_dir_override_and_local_http_relay(run_cli, tmp_path):
    out = tmp_path / "agent.json"
    done = run_cli("init-agent", "--mode", "production", "--relay", "http://127.0.0.1:8787", "--workspace", tmp_path,
                   "--state-dir", tmp_path / "state", "--output", out)  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = json.loads(out.read_text())
    assert written["stateDir"] == str(tmp_path / "state")
    assert written["codex"]["homeDir"] == str(tmp_path / "state" / "codex-home")


def test_production_agent_refuses_plain_http_to_another_host(run_cli, tmp_path):
    out = tmp_path / "agent.json"
    done = run_cli("init-agent", "--mode", "production", "--relay", "http://relay.example.com", "--workspace", tmp_path, "--output", out)
    assert done.returncode == 2 and "--mode production needs --relay https://HOST" in done.stderr
    assert not out.exists()


def test_an_invalid_document_is_never_written(run_cli, tmp_path):
    """What init writes is validated first: a bad --agent-id is a config error naming the key, no file."""
    out = tmp_path / "agent.json"
    done = run_cli("init-agent", "--workspace", tmp_path, "--agent-id", "no spaces", "--output", out)
    assert done.returncode == 2
    assert done.stderr.startswith(f"{out}: agentId: expected 1 to 64 characters")
    assert not out.exists()


def test_test_mode_is_unchanged(run_cli, tmp_path):
    out = tmp_path / "relay.json"
    assert run_cli("init-relay", "--output", out).returncode == 0
    written = json.loads(out.read_text())
    assert written["publicOrigin"] == "http://localhost:8787" and "trustedProxies" not in written
    assert not written["dataDir"].startswith("/var/lib")
