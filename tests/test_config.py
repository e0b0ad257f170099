"""Config models: reference files parse unchanged; every bad key gets one exact message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mobile_codex.agent_app.codex.sessions import codex_home
from mobile_codex.core.config import AgentConfig, RelayConfig, load_agent_config, load_config, load_relay_config
from mobile_codex.core.errors import ConfigError
from mobile_codex.core.features import FeatureFlags, effective
from mobile_codex.plugins.logs.file_tail import FileLogConfig
from mobile_codex.plugins.logs.journal import JournalLogConfig

from .conftest import write_json

HASH = "a" * 64
SECRET = "s" * 32


def relay_doc(**extra):
    return {"bootstrapAdminTokenHash": HASH, "tokenSecret": SECRET, **extra}


def agent_doc(tmp_path, **extra):
    return {"relayBaseUrl": "http://localhost:8787", "agentId": "box", "workspaceRoot": str(tmp_path), **extra}


def issues_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [str(issue) for issue in caught.value.issues]


def test_reference_relay_config_parses_unchanged(reference):
    config = load_relay_config(reference / "relay.json")
    assert config.public_origin == "http://localhost:8787"
    assert config.data_dir == (reference / "data").resolve()  # relative to the config's folder
    assert config.max_login_attempts_per_minute == 1000
    assert config.features == FeatureFlags()
    assert config.rp_id == "localhost"
    assert config.storage.backend == "sqlite" and config.server.threads == 64 and config.server.connection_limit == 164


def test_reference_agent_config_parses_unchanged(reference):
    config = load_agent_config(reference / "agent.json")
    assert config.agent_id == "server-main" and config.agent_label == "Main Server"
    assert config.state_dir == (reference / "agent-state").resolve()
    assert config.actions["status"].argv == ("git", "status", "--short")
    assert config.actions["test"].timeout_sec == 600
    assert isinstance(config.log_sources["app"], FileLogConfig)
    assert config.codex.session_list_limit == 12  # writeModeDefaultsToOff accepted and ignored
    assert config.long_poll_ms == 20000 and config.max_concurrent_tasks == 2


def test_relay_defaults(tmp_path, user_dirs, monkeypatch):
    for key, value in user_dirs.items():
        monkeypatch.setenv(key, value)
    config = load_relay_config(write_json(tmp_path / "r.json", relay_doc(listenPort=9001)))
    assert isinstance(config, RelayConfig)
    assert config.listen_host == "127.0.0.1"
    assert config.public_origin == "http://localhost:9001"
    assert config.data_dir == Path(user_dirs["XDG_DATA_HOME"]) / "mobile-codex" / "relay"
    assert config.session_ttl_sec == 43200
    assert (config.max_login_attempts_per_minute, config.max_pair_attempts_per_minute) == (10, 20)
    assert config.auth.passkeys.challenge_ttl_ms == 300000 and config.auth.passkeys.user_verification == "preferred"
    assert config.web.poll_interval_ms == 2500 and config.web.app_name == "Mobile Codex"
    assert config.plugins.allow == () and config.trusted_proxies == ()
    assert config.features.codex_exec_write is False


def test_agent_defaults(tmp_path, user_dirs, monkeypatch):
    for key, value in user_dirs.items():
        monkeypatch.setenv(key, value)
    config = load_agent_config(write_json(tmp_path / "a.json", agent_doc(tmp_path)))
    assert isinstance(config, AgentConfig)
    assert config.agent_label == "box"
    assert config.state_dir == Path(user_dirs["XDG_STATE_HOME"]) / "mobile-codex" / "agent"
    assert (config.poll_interval_ms, config.max_task_log_bytes) == (2500, 12000)
    assert config.codex.binary == "codex" and config.codex.home_dir is None
    assert config.codex.session_read_message_limit == 24 and config.codex.session_catalog_ttl_ms == 30000
    assert (config.approval_timeout_sec, config.turn_stall_sec) == (900, 600)
    assert config.codex.write_only_supervised is False and config.codex.conversation_models == ()


def test_codex_home_dir_empty_means_codex_home_or_the_default(tmp_path):
    config = load_agent_config(write_json(tmp_path / "a.json", agent_doc(tmp_path, codex={"homeDir": ""})))
    assert config.codex.home_dir is None  # as if the key were absent (PRODUCT.md: default "")
    assert codex_home(config.codex, {"CODEX_HOME": "/srv/codex", "HOME": "/home/u"}) == Path("/srv/codex")
    assert codex_home(config.codex, {"HOME": "/home/u"}) == Path("/home/u/.codex")
    config = load_agent_config(write_json(tmp_path / "a.json", agent_doc(tmp_path, codex={"homeDir": "codex-home"})))
    assert codex_home(config.codex, {"CODEX_HOME": "/srv/codex"}) == tmp_path / "codex-home"


def test_server_connection_limit_follows_threads(tmp_path):
    config = load_relay_config(write_json(tmp_path / "r.json", relay_doc(server={"threads": 300})))
    assert config.server.connection_limit == 400
    assert issues_of(write_json(tmp_path / "r.json", relay_doc(server={"threads": 300, "connectionLimit": 350}))) == [
        f"{tmp_path / 'r.json'}: server.connectionLimit: expected at least threads + 100 = 400, got 350"
    ]


def test_journal_and_file_sources_and_relative_paths(tmp_path):
    doc = agent_doc(tmp_path, logSources={
        "app": {"label": "App", "path": "logs/app.log", "maxLines": 50},
        "web": {"label": "Web", "unit": "web.service", "directory": "journal"},
    })  # fmt: skip
    config = load_agent_config(write_json(tmp_path / "a.json", doc))
    assert config.log_sources["app"] == FileLogConfig(label="App", path=tmp_path / "logs" / "app.log", max_lines=50)
    assert config.log_sources["web"] == JournalLogConfig(label="Web", unit="web.service", max_lines=200, directory=tmp_path / "journal")


def test_trusted_proxies_are_networks(tmp_path):
    config = load_relay_config(write_json(tmp_path / "r.json", relay_doc(trustedProxies=["127.0.0.1", "10.0.0.0/8"])))
    assert [str(n) for n in config.trusted_proxies] == ["127.0.0.1/32", "10.0.0.0/8"]


# --- each kind of error, with its exact message ------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"listenPrt": 8787}, "listenPrt: unknown key"),
        ({"listenPort": "8787"}, "listenPort: expected an integer, got string"),
        ({"listenPort": 70000}, "listenPort: expected an integer from 1 to 65535, got 70000"),
        ({"listenPort": True}, "listenPort: expected an integer, got boolean"),
        ({"sessionTtlSec": 10}, "sessionTtlSec: expected an integer from 300 to 2592000, got 10"),
        ({"tokenSecret": None}, "tokenSecret: required key is missing"),
        ({"tokenSecret": "short"}, "tokenSecret: expected at least 32 characters, got 5"),
        ({"bootstrapAdminTokenHash": "ABC"}, 'bootstrapAdminTokenHash: expected 64 lowercase hex characters (SHA-256), got "ABC"'),
        ({"publicOrigin": "https://relay.example/app"}, 'publicOrigin: expected an http(s) origin (scheme://host[:port], no path), got "https://relay.example/app"'),
        ({"features": {"codexExecWrites": True}}, "features.codexExecWrites: unknown key"),
        ({"features": {"codexExecWrite": "yes"}}, "features.codexExecWrite: expected true or false, got string"),
        ({"auth": {"passkeys": {"timeoutMs": 5}}}, "auth.passkeys.timeoutMs: expected an integer from 10000 to 600000, got 5"),
        ({"auth": {"passkeys": {"userVerification": "always"}}}, 'auth.passkeys.userVerification: expected one of required, preferred, discouraged, got "always"'),
        ({"server": {"threads": 4}}, "server.threads: expected an integer from 16 to 2048, got 4"),
        ({"trustedProxies": ["not-an-ip"]}, 'trustedProxies[0]: expected an IP address or network, got "not-an-ip"'),
        ({"plugins": {"allow": ["bad name!"]}}, 'plugins.allow[0]: expected "<distribution>" or "<distribution>:<entry point>", got "bad name!"'),
        ({"web": []}, "web: expected an object, got array"),
    ],
)
def test_relay_errors(tmp_path, change, message):
    doc = relay_doc()
    for key, value in change.items():
        if value is None:
            del doc[key]
        else:
            doc[key] = value
    path = write_json(tmp_path / "relay.json", doc)
    assert issues_of(path) == [f"{path}: {message}"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"agentId": "has space"}, 'agentId: expected 1 to 64 characters from A-Z a-z 0-9 . _ -, got "has space"'),
        ({"relayBaseUrl": "ftp://x"}, 'relayBaseUrl: expected an http(s) URL, got "ftp://x"'),
        ({"workspaceRoot": None}, "workspaceRoot: required key is missing"),
        ({"maxConcurrentTasks": 9}, "maxConcurrentTasks: expected an integer from 1 to 8, got 9"),
        ({"longPollMs": 30000}, "longPollMs: expected an integer from 0 to 25000, got 30000"),
        ({"actions": {"x": {"argv": []}}}, "actions.x.argv: expected a non-empty array of strings"),
        ({"actions": {"x": {"argv": "rm -rf /"}}}, "actions.x.argv: expected an array of strings, got string"),
        ({"actions": {"x": {"label": "X"}}}, "actions.x.argv: required key is missing"),
        ({"actions": {"x": {"argv": ["true"], "shell": True}}}, "actions.x.shell: unknown key"),
        ({"actions": {"../x": {"argv": ["true"]}}}, "actions.../x: expected an id of 1 to 80 characters from A-Z a-z 0-9 . _ -"),
        ({"logSources": {"l": {"path": "/a", "unit": "b"}}}, 'logSources.l: expected either "path" (a file) or "unit" (a journal unit), not both'),
        ({"logSources": {"l": {"path": "/a", "maxLines": 6000}}}, "logSources.l.maxLines: expected an integer from 1 to 5000, got 6000"),
        ({"codex": {"sessionListLimit": 50}}, "codex.sessionListLimit: expected an integer from 1 to 20, got 50"),
        ({"codex": {"bogus": 1}}, "codex.bogus: unknown key"),
        ({"codex": {"conversationModels": ["-m"]}}, 'codex.conversationModels[0]: expected a model name of 1 to 80 characters from A-Z a-z 0-9 . _ : / -, got "-m"'),
        ({"approvalTimeoutSec": 10}, "approvalTimeoutSec: expected an integer from 30 to 86400, got 10"),
        ({"turnStallSec": 0}, "turnStallSec: expected an integer from 30 to 86400, got 0"),
        ({"codex": {"writeOnlySupervised": "yes"}}, "codex.writeOnlySupervised: expected true or false, got string"),
        ({"codex": {"conversationEfforts": ["High!"]}}, 'codex.conversationEfforts[0]: expected a reasoning effort such as low, medium, high, got "High!"'),
        ({"codex": {"homeDir": "  "}}, 'codex.homeDir: expected a path string, got "  "'),
        ({"codex": {"homeDir": None}}, "codex.homeDir: expected a path string, got null"),
    ],
)
def test_agent_errors(tmp_path, change, message):
    doc = agent_doc(tmp_path)
    for key, value in change.items():
        if value is None:
            del doc[key]
        else:
            doc[key] = value
    path = write_json(tmp_path / "agent.json", doc)
    assert issues_of(path) == [f"{path}: {message}"]


def test_every_problem_is_reported_at_once(tmp_path):
    doc = relay_doc(listenPort="x", extra=1, sessionTtlSec=1)
    del doc["tokenSecret"]
    path = write_json(tmp_path / "relay.json", doc)
    assert issues_of(path) == [
        f"{path}: extra: unknown key",
        f"{path}: listenPort: expected an integer, got string",
        f"{path}: sessionTtlSec: expected an integer from 300 to 2592000, got 1",
        f"{path}: tokenSecret: required key is missing",
    ]


def test_unreadable_files(tmp_path):
    missing = tmp_path / "nope.json"
    assert issues_of(missing) == [f"{missing}: (file): file not found"]
    broken = tmp_path / "broken.json"
    broken.write_text('{"listenPort": 1,,}')
    assert issues_of(broken) == [f"{broken}: (file): invalid JSON at line 1 column 18: Expecting property name enclosed in double quotes"]
    neither = write_json(tmp_path / "neither.json", {"web": {}})
    assert "cannot tell a relay config" in issues_of(neither)[0]
    array = tmp_path / "array.json"
    array.write_text("[]")
    assert "cannot tell" in issues_of(array)[0]


def test_effective_flags_are_the_and_of_both_ends():
    relay = FeatureFlags(codex_exec_write=True, read_log=False)
    agent = FeatureFlags(codex_exec_write=True, run_action=False)
    both = effective(relay, agent)
    assert both.codex_exec_write and not both.read_log and not both.run_action and both.codex_exec
    assert effective(FeatureFlags(), FeatureFlags()).codex_exec_write is False  # safe default
    assert both.to_dict()["readLog"] is False and FeatureFlags.from_dict(both.to_dict()) == both
    assert json.dumps(FeatureFlags().to_dict()) == (
        '{"pairings": true, "codexExec": true, "codexExecWrite": false, "readSession": true, '
        '"deleteSession": true, "runAction": true, "readLog": true, "notifications": true}'
    )


def test_the_notifications_section_is_checked_like_every_other(tmp_path):
    good = load_config(write_json(tmp_path / "good.json", relay_doc(notifications={"workers": 4, "includeText": True})))
    assert good.notifications.workers == 4 and good.notifications.include_text is True
    assert good.notifications.queue_size == 1000 and good.notifications.retries == 3  # defaults beside them
    bad = write_json(tmp_path / "bad.json", relay_doc(notifications={"workers": 0, "queueSize": "big", "colour": 1}))
    problems = "\n".join(issues_of(bad))
    assert "notifications.workers" in problems and "notifications.queueSize" in problems
    assert "notifications.colour" in problems
