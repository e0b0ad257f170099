"""The `mobile-codex` command, run as a real subprocess."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import urllib.request

import pytest

from .conftest import write_json
from .relay_process import free_port, relay_process


def test_gen_secret_prints_a_fresh_long_secret(run_cli):
    first, second = run_cli("gen-secret"), run_cli("gen-secret")
    assert first.returncode == 0 and len(first.stdout.strip()) >= 43
    assert first.stdout != second.stdout


@pytest.mark.parametrize(("stdin", "hashed"), [("tok\n", "tok"), ("tok", "tok"), ("tok\n\n", "tok\n"), (" tok \n", " tok ")])
def test_hash_token_strips_exactly_one_trailing_newline(run_cli, stdin, hashed):
    done = run_cli("hash-token", stdin=stdin)
    assert done.returncode == 0
    assert done.stdout.strip() == hashlib.sha256(hashed.encode()).hexdigest()


def test_hash_token_of_the_reference_fixture(run_cli, reference):
    config = json.loads((reference / "relay.json").read_text())
    done = run_cli("hash-token", stdin="reference-fixture-bootstrap-token\n")
    assert done.stdout.strip() == config["bootstrapAdminTokenHash"]


def test_hash_token_refuses_empty_input(run_cli):
    done = run_cli("hash-token", stdin="")
    assert done.returncode == 2 and "no token" in done.stderr


def test_init_relay_writes_a_valid_private_config_and_shows_the_token_once(run_cli, tmp_path):
    out = tmp_path / "cfg" / "relay.json"
    done = run_cli("init-relay", "--origin", "http://localhost:9100", "--output", out)
    assert done.returncode == 0, done.stderr
    token = next(line.split(": ")[1] for line in done.stdout.splitlines() if line.startswith("Bootstrap token"))
    written = json.loads(out.read_text())
    assert written["bootstrapAdminTokenHash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in out.read_text()
    assert (written["publicOrigin"], written["listenPort"], written["listenHost"]) == ("http://localhost:9100", 9100, "127.0.0.1")
    assert written["features"]["codexExecWrite"] is False
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert len(written["notifications"]["webPush"]["vapidPrivateKey"]) == 43  # a relay secret, in the 0600 file
    checked = run_cli("check", "--config", out)
    assert checked.returncode == 0 and "vapidPrivateKey" not in checked.stderr
    del written["notifications"]
    out.write_text(json.dumps(written))
    checked = run_cli("check", "--config", out)
    assert checked.returncode == 0 and "notifications.webPush.vapidPrivateKey: not set: Web Push is off" in checked.stderr


def test_init_relay_default_output_goes_to_the_user_config_dir(run_cli, user_dirs):
    done = run_cli("init-relay")
    assert done.returncode == 0, done.stderr
    path = os.path.join(user_dirs["XDG_CONFIG_HOME"], "mobile-codex", "relay.json")
    assert json.loads(open(path).read())["publicOrigin"] == "http://localhost:8787"


def test_init_refuses_to_overwrite_without_force(run_cli, tmp_path):
    out = write_json(tmp_path / "relay.json", {"keep": "me"})
    done = run_cli("init-relay", "--output", out)
    assert done.returncode == 1 and "already exists" in done.stderr
    assert json.loads(out.read_text()) == {"keep": "me"}
    assert run_cli("init-relay", "--output", out, "--force").returncode == 0
    assert "tokenSecret" in json.loads(out.read_text())


def test_init_agent(run_cli, tmp_path):
    workspace = tmp_path / "repo"
    workspace.mkdir()
    out = tmp_path / "agent.json"
    done = run_cli("init-agent", "--relay", "http://localhost:9100", "--workspace", workspace, "--agent-id", "build-box", "--output", out)
    assert done.returncode == 0, done.stderr
    written = json.loads(out.read_text())
    assert (written["relayBaseUrl"], written["agentId"], written["workspaceRoot"]) == ("http://localhost:9100", "build-box", str(workspace))
    assert written["features"]["codexExecWrite"] is False and "pairings" not in written["features"]
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert run_cli("check", "--config", out).stdout.strip() == f"{out}: ok (agent config)"


def test_init_agent_defaults_the_id_to_a_safe_host_name(run_cli, tmp_path):
    out = tmp_path / "agent.json"
    assert run_cli("init-agent", "--workspace", tmp_path, "--output", out).returncode == 0
    import re

    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", json.loads(out.read_text())["agentId"])


def test_init_agent_rejects_a_missing_workspace(run_cli, tmp_path):
    done = run_cli("init-agent", "--workspace", tmp_path / "nope", "--output", tmp_path / "a.json")
    assert done.returncode == 2 and "is not a directory" in done.stderr
    assert not (tmp_path / "a.json").exists()


def test_check_accepts_the_reference_configs(run_cli, reference):
    for name, kind in (("relay.json", "relay"), ("agent.json", "agent")):
        done = run_cli("check", "--config", reference / name)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"{reference / name}: ok ({kind} config)"


def test_check_reports_every_invalid_key_one_line_each_exit_2_no_traceback(run_cli, reference):
    doc = json.loads((reference / "relay.json").read_text())
    doc.update(listenPort=0, colour="blue")
    doc["features"]["pairing"] = True
    doc["auth"]["passkeys"]["challengeTtlMs"] = "soon"
    del doc["tokenSecret"]
    path = write_json(reference / "bad.json", doc)
    done = run_cli("check", "--config", path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"{path}: colour: unknown key",
        f"{path}: listenPort: expected an integer from 1 to 65535, got 0",
        f"{path}: tokenSecret: required key is missing",
        f"{path}: auth.passkeys.challengeTtlMs: expected an integer, got string",
        f"{path}: features.pairing: unknown key",
    ]
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_check_knows_the_storage_backends(run_cli, reference):
    doc = json.loads((reference / "relay.json").read_text())
    doc["storage"] = {"backend": "mysql"}
    path = write_json(reference / "my.json", doc)
    done = run_cli("check", "--config", path)
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if not line.startswith("warning: ")]  # no VAPID key: a warning
    assert errors == [f"{path}: storage.backend: expected one of json, postgres, sqlite, got 'mysql'"]
    doc["storage"] = {"backend": "postgres", "dsn": "postgresql://relay:hunter2@db/relay"}
    path = write_json(reference / "pg.json", doc)
    done = run_cli("check", "--config", path)
    errors = [line for line in done.stderr.splitlines() if not line.startswith("warning: ")]
    assert (done.returncode, errors) == (
        2, [f"{path}: storage.dsn: holds a password: put it in passwordEnv or passwordFile instead"]
    )


def test_check_needs_a_config_argument(run_cli):
    done = run_cli("check")
    assert done.returncode == 2 and "--config" in done.stderr


def test_plugins_command_without_config(run_cli):
    done = run_cli("plugins", "--json")
    assert done.returncode == 0, done.stderr
    rows = {row["name"]: row for row in json.loads(done.stdout)["plugins"]}
    assert rows["mobile_codex.plugins.storage.sqlite"]["loaded"] is True
    assert rows["mobile_codex.plugins.actions.argv_actions"]["hooks"] == ["register_actions"]


def test_plugins_command_explains_a_gated_plugin(run_cli, reference):
    doc = json.loads((reference / "agent.json").read_text())
    doc["features"]["readLog"] = False
    path = write_json(reference / "agent-nolog.json", doc)
    done = run_cli("plugins", "--config", path)
    assert done.returncode == 0, done.stderr
    line = next(l for l in done.stdout.splitlines() if l.startswith("mobile_codex.plugins.logs.file_tail"))
    assert "feature flag readLog is off" in line and " no " in line
    assert "actions: status (mobile_codex.plugins.actions.argv_actions), test (" in done.stdout
    assert "logSources: none" in done.stdout


def test_plugins_command_lists_storage_and_volatile_backends(run_cli, tmp_path, user_dirs):
    config = tmp_path / "relay.json"
    assert run_cli("init-relay", "--origin", "https://relay.example", "--output", config,
                   "--data-dir", tmp_path / "data").returncode == 0  # fmt: skip
    done = run_cli("plugins", "--config", config, "--json")
    assert done.returncode == 0, done.stderr
    contributions = json.loads(done.stdout)["contributions"]
    assert {item["id"] for item in contributions["storageBackends"]} >= {"sqlite", "json", "postgres"}
    assert {item["id"]: item["plugin"] for item in contributions["volatileBackends"]} == {
        "memory": "mobile_codex.plugins.volatile.memory", "redis": "mobile_codex.plugins.volatile.redis",
    }
    text = run_cli("plugins", "--config", config).stdout
    assert "volatileBackends: memory (mobile_codex.plugins.volatile.memory), redis (" in text


def test_unknown_command_is_a_usage_error(run_cli):
    assert run_cli("frobnicate").returncode == 2


def test_relay_port_and_host_move_only_where_this_process_listens(run_cli, tmp_path, user_dirs):
    config = tmp_path / "relay.json"
    assert run_cli("init-relay", "--origin", "https://relay.example", "--output", config,
                   "--data-dir", tmp_path / "data").returncode == 0  # fmt: skip
    refused = run_cli("relay", "--config", config, "--port", "0")
    assert refused.returncode == 2 and "--port: expected 1..65535, got 0" in refused.stderr, refused.stderr

    port = free_port()
    with relay_process(config, user_dirs, port) as proc:
        line = proc.stdout.readline()
        assert line.strip() == f"relay listening on http://127.0.0.1:{port} (public origin https://relay.example)", line + proc.stderr.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/ready", timeout=10) as answer:
            assert json.loads(answer.read()) == {"ok": True, "storage": "ok", "volatile": "ok"}
    assert json.loads(config.read_text())["listenPort"] == 8787  # the config itself is unchanged


def test_every_command_is_in_the_table_that_imports_only_its_module():
    """`main` imports just the module of the command named (COMMANDS); one missing from the table would
    still run, through the full parser, but lose that and show up nowhere else."""
    from mobile_codex.cli.main import COMMANDS, build_parser

    full = build_parser()._subparsers._group_actions[0].choices
    assert list(full) == list(COMMANDS)
    for command in COMMANDS:
        assert command in build_parser(command)._subparsers._group_actions[0].choices


def test_a_short_command_does_not_load_the_relay_app(run_cli, tmp_path):
    """`check` of an agent config runs without importing the relay's web app or webauthn, also when it
    reads the trust file (signatures required)."""
    config = tmp_path / "agent.json"
    assert run_cli("init-agent", "--relay", "http://127.0.0.1:8787", "--workspace", tmp_path, "--output", config).returncode == 0
    signed = write_json(tmp_path / "signed.json", {**json.loads(config.read_text()), "requireSignedIntents": "all",
                                                   "webauthnOrigin": "http://127.0.0.1:8787"})  # fmt: skip
    probe = (
        "import sys; from mobile_codex.cli.main import main; code = main(['check', '--config', sys.argv[1]]);"
        "print(code, sorted(m for m in ('mobile_codex.relay_app.app', 'webauthn', 'falcon') if m in sys.modules))"
    )
    for path in (config, signed):
        done = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, timeout=60)
        assert done.stdout.strip().splitlines()[-1] == "0 []", done.stdout + done.stderr
    assert "trusts no passkey yet" in done.stderr  # the signed config's trust file was read


def test_sigusr1_writes_every_threads_stack_and_the_relay_goes_on(run_cli, tmp_path, user_dirs):
    """For a process that seems stuck (and for the tests' own report when one does not stop)."""
    config = tmp_path / "relay.json"
    assert run_cli("init-relay", "--origin", "http://localhost", "--output", config, "--data-dir", tmp_path / "data").returncode == 0
    port = free_port()
    with relay_process(config, user_dirs, port) as proc:
        assert proc.stdout.readline().startswith("relay listening"), proc.stderr.read()
        proc.send_signal(signal.SIGUSR1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=10) as answer:
            assert answer.status == 200
    stderr = proc.stderr.read()
    assert "Current thread" in stderr or "Thread 0x" in stderr, stderr
    assert "waitress" in stderr and "serve_forever" in stderr, stderr
