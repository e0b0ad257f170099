"""`check` warns about production risks on stderr, naming the key, and keeps its exit code."""

from __future__ import annotations

import json

import pytest

from mobile_codex.cli.production_risks import shell_command

from ..conftest import write_json


VAPID_KEY = "p2oAOCOL1z6ljj1m0lXp0mVbI0rIaH-zC2NU8PoSIcI"  # a test key; the reference config has none
AUDIT_KEY = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"  # a test Ed25519 key; the reference config has none


def _relay(reference, **changes):
    doc = json.loads((reference / "relay.json").read_text())
    doc.update({"notifications": {"webPush": {"vapidPrivateKey": VAPID_KEY}}, "auditPrivateKey": AUDIT_KEY, **changes})
    return write_json(reference / "risky-relay.json", doc)


def test_a_relay_without_a_vapid_key_is_warned_that_web_push_is_off(run_cli, reference):
    path = _relay(reference, notifications={})
    done = run_cli("check", "--config", path)
    assert done.returncode == 0
    assert done.stderr.splitlines() == [
        f"warning: {path}: notifications.webPush.vapidPrivateKey: not set: Web Push is off, phones get no notifications; "
        "`mobile-codex init-relay` writes one (keep it: changing it invalidates every subscription)",
    ]


def test_a_relay_without_an_audit_key_is_warned_that_exports_cannot_be_signed(run_cli, reference):
    path = _relay(reference, auditPrivateKey="")
    done = run_cli("check", "--config", path)
    assert done.returncode == 0
    assert done.stderr.splitlines() == [
        f"warning: {path}: auditPrivateKey: not set: the audit trail is kept but `mobile-codex audit export` cannot sign "
        "it; `mobile-codex audit new-key` prints one (the same on every replica)",
    ]


def _agent(reference, tmp_path, **changes):
    doc = json.loads((reference / "agent.json").read_text())
    doc.update(workspaceRoot=str(tmp_path), logSources={}, **changes)
    return write_json(reference / "risky-agent.json", doc)


def test_relay_warnings_exact_lines_exit_0(run_cli, reference):
    doc = json.loads((reference / "relay.json").read_text())
    doc["features"]["codexExecWrite"] = True
    path = _relay(reference, listenHost="0.0.0.0", publicOrigin="http://relay.example.com", features=doc["features"])
    done = run_cli("check", "--config", path)
    assert done.returncode == 0
    assert done.stdout.strip() == f"{path}: ok (relay config)"
    assert done.stderr.splitlines() == [
        f"warning: {path}: listenHost: 0.0.0.0 is not a loopback address: the relay is reachable without your TLS proxy; "
        "listen on 127.0.0.1 behind a reverse proxy",
        f"warning: {path}: publicOrigin: http://relay.example.com is plain http on a non-local host: sign-ins and session "
        "cookies cross the network unencrypted; use an https origin",
        f"warning: {path}: features.codexExecWrite: write mode is on: Codex may change files in the workspace when both ends "
        "enable it; turn it off unless you need it",
    ]


@pytest.mark.parametrize("origin", ["http://localhost:8787", "http://127.0.0.1:9000", "http://[::1]:8787", "https://relay.example.com"])
def test_local_or_https_origins_are_quiet(run_cli, reference, origin):
    done = run_cli("check", "--config", _relay(reference, publicOrigin=origin, listenHost="::1"))
    assert (done.returncode, done.stderr) == (0, "")


def test_agent_warnings_exact_lines_exit_0(run_cli, reference, tmp_path):
    actions = {
        "build": {"label": "Build", "argv": ["bash", "-c", "make && make install"]},
        "deploy": {"label": "Deploy", "argv": ["/bin/sh", "-c", "./deploy"]},
        "lint": {"label": "Lint", "argv": ["/usr/bin/env", "FOO=1", "zsh", "-lc", "lint"]},
        "tests": {"label": "Tests", "argv": ["bash", "scripts/test.sh", "-c"]},  # a script, not -c text
    }
    log_sources = {"hosts": {"label": "Hosts", "path": "/etc/hosts"}, "app": {"label": "App", "path": "/var/log/app.log"}}
    path = _agent(reference, tmp_path, relayBaseUrl="http://relay.example.com", actions=actions,
                  features={"codexExecWrite": True}, redaction={"enabled": False})  # fmt: skip
    doc = json.loads(path.read_text())
    doc["logSources"] = log_sources
    write_json(path, doc)
    done = run_cli("check", "--config", path)
    assert done.returncode == 0
    assert done.stderr.splitlines() == [
        f"warning: {path}: relayBaseUrl: http://relay.example.com is plain http on a non-local host: the agent token crosses "
        "the network unencrypted; use the relay's https origin",
        f"warning: {path}: features.codexExecWrite: write mode is on: Codex may change files in the workspace when both ends "
        "enable it; turn it off unless you need it",
        f"warning: {path}: requireSignedIntents: is 'off': whoever controls the relay can have this agent run every task "
        "without a person's passkey signature (docs/security.md); set it to \"all\" and trust your passkeys with "
        "`mobile-codex agent trust`",
        f"warning: {path}: actions.build.argv: runs a shell (bash -c): its text is shell code, so quoting mistakes become "
        "commands; list the program and its arguments instead",
        f"warning: {path}: actions.deploy.argv: runs a shell (/bin/sh -c): its text is shell code, so quoting mistakes become "
        "commands; list the program and its arguments instead",
        f"warning: {path}: actions.lint.argv: runs a shell (zsh -lc): its text is shell code, so quoting mistakes become "
        "commands; list the program and its arguments instead",
        f"warning: {path}: logSources.hosts.path: /etc/hosts is under /etc: configuration files can hold secrets; show the "
        "phone logs, not config",
        f"warning: {path}: redaction.enabled: off: output, diffs, log tails and sessions reach the relay and the phone with "
        "any secrets in them; turn it on and allowlist what it hides wrongly",
    ]


def test_warnings_do_not_change_a_config_error_exit(run_cli, reference):
    path = _relay(reference, listenHost="0.0.0.0", storage={"backend": "nope"})
    done = run_cli("check", "--config", path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"warning: {path}: listenHost: 0.0.0.0 is not a loopback address: the relay is reachable without your TLS proxy; "
        "listen on 127.0.0.1 behind a reverse proxy",
        f"{path}: storage.backend: expected one of json, postgres, sqlite, got 'nope'",
    ]


@pytest.mark.parametrize(("argv", "found"), [
    (("sh", "-c", "x"), "sh -c"),
    (("bash", "-c", "x"), "bash -c"),
    (("/bin/bash", "-euc", "x"), "/bin/bash -euc"),
    (("dash", "-c", "x"), "dash -c"),
    (("busybox", "sh", "-c", "x"), "busybox sh -c"),
    (("env", "-i", "sh", "-c", "x"), "sh -c"),
    (("bash", "--norc", "-c", "x"), "bash --norc -c"),
    (("busybox", "ls", "-c"), None),
    (("bash", "script.sh"), None),
    (("bash", "--", "-c"), None),
    (("git", "-c", "core.pager=cat", "log"), None),
    (("python3", "-c", "print(1)"), None),
    (("env",), None),
])  # fmt: skip
def test_shell_detection(argv, found):
    assert shell_command(argv) == found


def test_an_action_a_plugin_adds_that_runs_a_shell_is_named_under_plugins_allow(reference, tmp_path):
    from mobile_codex.cli.production_risks import plugin_action_risks
    from mobile_codex.core.config import load_config
    from mobile_codex.core.plugins import DEFAULT_PLUGINS, load_plugins

    doc = json.loads((reference / "agent.json").read_text())
    doc.update(workspaceRoot=str(tmp_path), logSources={}, actions={"status": {"label": "Status", "argv": ["sh", "-c", "git status"]}})
    path = write_json(tmp_path / "agent.json", doc)
    config = load_config(path)
    plugins = load_plugins(builtins=(*DEFAULT_PLUGINS, "tests.ops.shell_action_plugin"))
    risks = [str(risk) for risk in plugin_action_risks(path, config, plugins)]
    assert risks == [
        f"{path}: plugins.allow: plugin tests.ops.shell_action_plugin adds action 'cleanup' that runs a shell (bash -c): "
        "review its code before allowing it"
    ]  # the config's own shell action is warned about under actions.status.argv, not twice


@pytest.mark.parametrize("storage", ["sqlite", "postgres"])
def test_a_replica_config_on_sqlite_is_warned_about(run_cli, reference, storage):
    settings = {"backend": "postgres", "dsn": "postgresql://mc@db.internal/mc"} if storage == "postgres" else {"backend": "sqlite"}
    path = _relay(reference, storage=settings, volatile={"backend": "redis", "url": "redis://127.0.0.1:6379/0"})
    done = run_cli("check", "--config", path)
    assert done.returncode == 0, done.stderr
    expected = [] if storage == "postgres" else [
        f"warning: {path}: storage.backend: sqlite beside a shared volatile store (redis) reads as a config for several relay "
        "replicas, but sqlite cannot be shared by them: use postgres (docs/deployment-ha.md), or volatile memory for one relay",
    ]  # fmt: skip
    assert done.stderr.splitlines() == expected


def _signed_agent(reference, tmp_path, mode="all"):
    """An agent config that needs signatures, its stateDir (not made yet) and its trust file."""
    state = tmp_path / "agent-state"
    path = _agent(reference, tmp_path, requireSignedIntents=mode, webauthnOrigin="https://relay.example.com",
                  stateDir=str(state), relayBaseUrl="https://relay.example.com")  # fmt: skip
    return path, state, state / "trusted-passkeys.json"


def _ceremony(path):
    return (f"`mobile-codex agent trust --config {path}` lists your workspace's passkeys; add yours with "
            "`--add PASSKEY_ID` once its fingerprint matches the one your phone showed (docs/deployment.md)")


TRUSTED = {"passkeyId": "pk_1", "credentialId": "cred-1", "displayName": "Ada's phone", "revokedUpstream": False}


def test_signatures_required_with_no_state_dir_yet_warns_to_run_the_trust_ceremony(run_cli, reference, tmp_path):
    path, state, trust = _signed_agent(reference, tmp_path)
    done = run_cli("check", "--config", path)
    assert (done.returncode, done.stdout.strip()) == (0, f"{path}: ok (agent config)")
    assert done.stderr.splitlines() == [
        f"warning: {path}: requireSignedIntents: is 'all' but this agent trusts no passkey yet (no {trust}): it refuses "
        f"every task (approver-not-trusted) until you run the trust ceremony: {_ceremony(path)}",
    ]
    assert not state.exists()  # check only looks


@pytest.mark.parametrize(("passkeys", "why"), [
    ([], "{trust} lists none"),
    ([{**TRUSTED, "revokedUpstream": True}], "every passkey in {trust} is revoked upstream"),
])  # fmt: skip
def test_writes_with_no_live_trusted_passkey_warns_that_writes_are_refused(run_cli, reference, tmp_path, passkeys, why):
    path, state, trust = _signed_agent(reference, tmp_path, mode="writes")
    state.mkdir()
    write_json(trust, {"format": 1, "passkeys": passkeys})
    done = run_cli("check", "--config", path)
    assert done.returncode == 0
    assert done.stderr.splitlines() == [
        f"warning: {path}: requireSignedIntents: is 'writes': whoever controls the relay can have this agent run read-only "
        "Codex turns and log reads without a person's passkey signature (docs/security.md); set it to \"all\" and trust your "
        "passkeys with `mobile-codex agent trust`",
        f"warning: {path}: requireSignedIntents: is 'writes' but this agent trusts no passkey yet ({why.format(trust=trust)}): "
        "it refuses every action, session delete and Codex run that writes (approver-not-trusted) until you run the trust "
        f"ceremony: {_ceremony(path)}",
    ]


@pytest.mark.parametrize("mode", ["all", "off"])
def test_a_live_trusted_passkey_or_signatures_off_is_quiet_about_trust(run_cli, reference, tmp_path, mode):
    path, state, trust = _signed_agent(reference, tmp_path, mode=mode)
    if mode == "all":
        state.mkdir()
        write_json(trust, {"format": 1, "passkeys": [{**TRUSTED, "credentialId": "gone", "revokedUpstream": True}, TRUSTED]})
    done = run_cli("check", "--config", path)
    assert done.returncode == 0
    # one live passkey is enough; with signatures off there is nothing to trust, only the advice to turn them on
    expected = [] if mode == "all" else [
        f"warning: {path}: requireSignedIntents: is 'off': whoever controls the relay can have this agent run every task "
        "without a person's passkey signature (docs/security.md); set it to \"all\" and trust your passkeys with "
        "`mobile-codex agent trust`",
    ]  # fmt: skip
    assert done.stderr.splitlines() == expected


@pytest.mark.parametrize(("content", "problem"), [
    ("{\"passkeys\": [", "not JSON"),
    ("\xff\xfe", "not JSON"),
    ("[]", "no \"passkeys\" list"),
    ("{\"format\": 1, \"passkeys\": {}}", "no \"passkeys\" list"),
])  # fmt: skip
def test_a_corrupt_trust_file_is_named_not_a_traceback(run_cli, reference, tmp_path, content, problem):
    path, state, trust = _signed_agent(reference, tmp_path)
    state.mkdir()
    trust.write_bytes(content.encode("latin-1"))
    done = run_cli("check", "--config", path)
    assert (done.returncode, done.stdout.strip()) == (0, f"{path}: ok (agent config)")
    assert done.stderr.splitlines() == [
        f"warning: {path}: requireSignedIntents: is 'all' but {trust} is not a trust file ({problem}): the agent trusts no "
        "passkey from it and refuses every task (approver-not-trusted); move it aside and trust your passkeys again: "
        f"{_ceremony(path)}",
    ]


def test_a_trust_file_that_cannot_be_read_is_named(run_cli, reference, tmp_path):
    path, state, trust = _signed_agent(reference, tmp_path)
    trust.mkdir(parents=True)  # reading it fails the way a file of another user does: an OSError
    done = run_cli("check", "--config", path)
    assert done.returncode == 0
    assert done.stderr.splitlines() == [
        f"warning: {path}: requireSignedIntents: is 'all' but {trust} cannot be read (Is a directory): check cannot tell "
        "whether this agent trusts a passkey (with none, it refuses every task); run check as the agent's user",
    ]
