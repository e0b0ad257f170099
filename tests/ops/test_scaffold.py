"""`scaffold-production`: units systemd accepts, a Caddyfile Caddy accepts, nothing overwritten without --force."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mobile_codex.cli.scaffold.systemd import word
from mobile_codex.relay_app.server import MAX_REQUEST_BODY

from ..conftest import cli_runner, dirs_under
from .conftest import INSTALLED, edit_json, write_production_configs

FILES = ("mobile-codex-relay.service", "Caddyfile", "mobile-codex-agent.service", "NEXT_STEPS.md")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is missing: bash .ci/test installs it (Debian package {'systemd' if name == 'systemd-analyze' else name})")
    return path


def _scaffolded(run_cli, production_configs, folder: Path):
    relay, agent = production_configs
    out = folder / "out"
    done = run_cli("scaffold-production", "--relay-config", relay, "--agent-config", agent, "--output-dir", out)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # production configs raise no warnings
    return out, relay, agent


@pytest.fixture
def scaffold(run_cli, production_configs, tmp_path):
    """Written for this test alone: for tests that run the command again over it."""
    return _scaffolded(run_cli, production_configs, tmp_path)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Written once for the tests that only read what was written (three CLI runs, ~3 s, saved per test)."""
    folder = tmp_path_factory.mktemp("scaffold")
    run_cli = cli_runner(dirs_under(folder))
    return _scaffolded(run_cli, write_production_configs(run_cli, folder), folder)


def _unit(out: Path, name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (out / name).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def test_writes_the_four_files(written):
    out, _, _ = written
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)


def test_systemd_analyze_verify_accepts_the_units(written):
    out, _, _ = written
    assert INSTALLED.is_file()  # ExecStart points at it; verify checks that it is executable
    done = subprocess.run([_tool("systemd-analyze"), "verify", *(str(out / n) for n in FILES if n.endswith(".service"))],
                          capture_output=True, text=True, env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"}, timeout=60)  # fmt: skip
    # verify exits 0 even for unknown keys (it only logs them), so its output must be empty too.
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_caddy_adapt_accepts_the_caddyfile(written):
    out, _, _ = written
    done = subprocess.run([_tool("caddy"), "adapt", "--config", str(out / "Caddyfile")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "not formatted" not in done.stderr  # the file is as `caddy fmt` would write it
    server = json.loads(done.stdout)["apps"]["http"]["servers"]["srv0"]
    route = server["routes"][0]
    assert route["match"] == [{"host": ["relay.example.com"]}]
    handlers = route["handle"][0]["routes"][0]["handle"]
    assert {"handler": "reverse_proxy", "upstreams": [{"dial": "127.0.0.1:8787"}]} in handlers
    assert {"handler": "request_body", "max_size": MAX_REQUEST_BODY} in handlers  # big bodies stop at the proxy
    assert server["listen"] == [":443"]  # TLS: Caddy manages the certificate


def test_the_units_are_hardened_and_write_only_where_the_configs_say(written):
    out, relay_path, agent_path = written
    root = relay_path.parent
    relay, agent = _unit(out, "mobile-codex-relay.service"), _unit(out, "mobile-codex-agent.service")
    for unit, user in ((relay, "mobile-codex-relay"), (agent, "mobile-codex-agent")):
        assert unit["User"] == unit["Group"] == [user]
        for key, value in (("NoNewPrivileges", "true"), ("ProtectSystem", "strict"), ("PrivateTmp", "true")):
            assert unit[key] == [value]
    escaped = str(root).replace("%", "%%")  # systemd specifiers
    assert relay["ExecStart"] == [f'{INSTALLED} relay --config "{escaped}/relay.json"']
    assert agent["ExecStart"] == [f'{INSTALLED} agent --config "{escaped}/agent.json"']
    assert relay["ReadWritePaths"] == [f'"{escaped}/data"']
    assert agent["ReadWritePaths"] == [f'"{escaped}/state" "{escaped}/work space" "{escaped}/state/codex-home"']
    assert agent["Environment"] == [f'"CODEX_HOME={escaped}/state/codex-home"']
    assert relay["ProtectHome"] == agent["ProtectHome"] == ["true"]


def test_a_workspace_in_a_home_dir_keeps_home_read_only(run_cli, production_configs, tmp_path):
    _, agent = production_configs
    edit_json(agent, workspaceRoot="/home/dev/repo")
    done = run_cli("scaffold-production", "--agent-config", agent, "--output-dir", tmp_path / "o")
    assert done.returncode == 0, done.stderr
    unit = _unit(tmp_path / "o", "mobile-codex-agent.service")
    assert unit["ProtectHome"] == ["read-only"] and '/home/dev/repo' in unit["ReadWritePaths"][0]


def test_caddyfile_names_the_trusted_proxy_advice(written):
    out, _, _ = written
    text = (out / "Caddyfile").read_text()
    assert 'set "trustedProxies": ["127.0.0.1"]' in text and "The relay config has exactly that." in text


def test_next_steps_are_ordered_and_name_the_files(written):
    out, relay, agent = written
    text = (out / "NEXT_STEPS.md").read_text()
    titles = [line for line in text.splitlines() if line.startswith("## ")]
    assert [t.split(". ", 1)[0] for t in titles] == [f"## {n}" for n in range(1, len(titles) + 1)]
    order = ["useradd --system", "mobile-codex-relay.service /etc/systemd/system", "Caddyfile /etc/caddy/Caddyfile",
             "login-code --config", "setfacl", "codex login --with-api-key", "--pair-code CODE", "mobile-codex-agent.service /etc/systemd/system"]  # fmt: skip
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_a_second_run_without_force_changes_nothing_and_fails(run_cli, scaffold):
    out, relay, agent = scaffold
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    edit_json(relay, listenPort=9999)  # would change the Caddyfile
    done = run_cli("scaffold-production", "--relay-config", relay, "--agent-config", agent, "--output-dir", out)
    assert done.returncode == 1
    assert "already has" in done.stderr and "nothing was written" in done.stderr
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()} == before


def test_force_replaces(run_cli, scaffold):
    out, relay, agent = scaffold
    edit_json(relay, listenPort=9999)
    done = run_cli("scaffold-production", "--relay-config", relay, "--agent-config", agent, "--output-dir", out, "--force")
    assert done.returncode == 0, done.stderr
    assert "reverse_proxy 127.0.0.1:9999" in (out / "Caddyfile").read_text()
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)  # no temp files left


def test_one_side_only(run_cli, production_configs, tmp_path):
    relay, agent = production_configs
    assert run_cli("scaffold-production", "--agent-config", agent, "--output-dir", tmp_path / "a").returncode == 0
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["NEXT_STEPS.md", "mobile-codex-agent.service"]
    assert run_cli("scaffold-production", "--relay-config", relay, "--output-dir", tmp_path / "r").returncode == 0
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == ["Caddyfile", "NEXT_STEPS.md", "mobile-codex-relay.service"]


def test_default_configs_from_the_user_config_dir(run_cli, user_dirs, tmp_path):
    assert run_cli("init-relay", "--mode", "production", "--origin", "https://r.example.com", "--data-dir", tmp_path / "d").returncode == 0
    done = run_cli("scaffold-production", "--output-dir", tmp_path / "o")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "o" / "Caddyfile").exists() and not (tmp_path / "o" / "mobile-codex-agent.service").exists()


def test_no_configs_at_all_is_a_usage_error(run_cli, tmp_path):
    done = run_cli("scaffold-production", "--output-dir", tmp_path / "o")
    assert done.returncode == 2 and "pass --relay-config" in done.stderr
    assert not (tmp_path / "o").exists()


def test_an_http_origin_is_refused_and_nothing_written(run_cli, production_configs, tmp_path):
    relay, _ = production_configs
    edit_json(relay, publicOrigin="http://relay.example.com")
    done = run_cli("scaffold-production", "--relay-config", relay, "--output-dir", tmp_path / "o")
    assert done.returncode == 2 and "publicOrigin: production needs an https origin" in done.stderr
    assert not (tmp_path / "o").exists()


def test_an_invalid_config_is_exit_2(run_cli, production_configs, tmp_path):
    _, agent = production_configs
    edit_json(agent, pollIntervalMs=1)
    done = run_cli("scaffold-production", "--agent-config", agent, "--output-dir", tmp_path / "o")
    assert done.returncode == 2 and done.stderr.strip() == f"{agent}: pollIntervalMs: expected an integer from 250 to 60000, got 1"


def test_risks_are_warned_about_while_scaffolding(run_cli, production_configs, tmp_path):
    relay, _ = production_configs
    edit_json(relay, listenHost="0.0.0.0")
    done = run_cli("scaffold-production", "--relay-config", relay, "--output-dir", tmp_path / "o")
    assert done.returncode == 0
    assert done.stderr.startswith(f"warning: {relay}: listenHost: 0.0.0.0 is not a loopback address")
    assert "reverse_proxy 127.0.0.1:8787" in (tmp_path / "o" / "Caddyfile").read_text()


@pytest.mark.parametrize("replicas", ["0", "2"])
def test_replicas_on_single_process_storage_are_refused_and_nothing_written(run_cli, production_configs, tmp_path, replicas):
    relay, _ = production_configs
    done = run_cli("scaffold-production", "--relay-config", relay, "--output-dir", tmp_path / "o", "--replicas", replicas)
    expected = "--replicas: expected 1 or more, got 0" if replicas == "0" else "storage.backend is 'sqlite': 2 replicas need storage every replica shares"
    assert done.returncode == 2 and expected in done.stderr, done.stderr
    assert not (tmp_path / "o").exists()


def test_replicas_get_a_template_unit_and_a_caddyfile_over_every_port(run_cli, production_configs, tmp_path):
    relay, _ = production_configs
    edit_json(relay, storage={"backend": "postgres", "dsn": "postgresql://mc@db.internal/mc", "passwordFile": "/etc/mobile-codex/db"},
              volatile={"backend": "redis", "url": "redis://127.0.0.1:6379/0"})  # fmt: skip
    done = run_cli("scaffold-production", "--relay-config", relay, "--output-dir", tmp_path / "m", "--replicas", "2")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    out = tmp_path / "m"
    assert sorted(p.name for p in out.iterdir()) == ["Caddyfile", "NEXT_STEPS.md", "mobile-codex-relay@.service"]
    unit = _unit(out, "mobile-codex-relay@.service")
    assert unit["ExecStart"][0].endswith(" relay --config " + word(str(relay), in_command=True) + " --port %i"), unit["ExecStart"]
    caddyfile = (out / "Caddyfile").read_text()
    assert "reverse_proxy 127.0.0.1:8787 127.0.0.1:8788 {" in caddyfile and "health_uri /api/ready" in caddyfile
    done = subprocess.run([_tool("caddy"), "adapt", "--config", str(out / "Caddyfile")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "not formatted" not in done.stderr, done.stderr
    instance = tmp_path / "verify" / "mobile-codex-relay@8788.service"  # systemd checks a template through an instance
    instance.parent.mkdir()
    instance.write_text((out / "mobile-codex-relay@.service").read_text())
    done = subprocess.run([_tool("systemd-analyze"), "verify", str(instance)], capture_output=True, text=True,
                          env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"}, timeout=60)  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    steps = (out / "NEXT_STEPS.md").read_text()
    assert "sudo systemctl enable --now mobile-codex-relay@8787 mobile-codex-relay@8788" in steps

    edit_json(relay, volatile={"backend": "memory"})
    refused = run_cli("scaffold-production", "--relay-config", relay, "--output-dir", tmp_path / "n", "--replicas", "2")
    assert refused.returncode == 2 and "volatile.backend is 'memory': 2 replicas need a volatile store" in refused.stderr
    assert not (tmp_path / "n").exists()
