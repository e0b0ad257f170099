"""What the poll says about interactive modes (version range, sign-in) and the agent's rules for them."""

from __future__ import annotations

import os

import pytest

from mobile_codex.agent_app.agent import build_agent
from mobile_codex.agent_app.codex.app_server.support import CodexSupport, signed_in_from, supported_version
from mobile_codex.agent_app.codex.binary import CodexBinary
from mobile_codex.agent_app.errors import TaskFailed
from mobile_codex.core.plugins import load_plugins

from ..waiting import wait_until
from .conftest import Collected
from .turn_host import TurnHost


def modes(body) -> dict[str, dict]:
    return {m["id"]: m for m in body["execModes"]}


def test_supported_versions():
    assert supported_version("0.169.0") and supported_version("0.169.12-alpha.1")
    assert not supported_version("0.168.9") and not supported_version("0.170.0") and not supported_version("")


def test_signed_in_means_an_account_or_a_provider_without_openai_login():
    assert signed_in_from({"account": {"type": "apiKey"}, "requiresOpenaiAuth": True})
    assert signed_in_from({"account": None, "requiresOpenaiAuth": False})
    assert not signed_in_from({"account": None, "requiresOpenaiAuth": True}) and not signed_in_from(None)


def test_real_codex_offers_interactive_modes_and_reports_signed_in(tmp_path, codex_bin, model_server):
    host = TurnHost(tmp_path, codex_bin, model_server)
    capabilities = host.agent.poller.capabilities
    body = capabilities.poll_body()
    assert modes(body)["chat"] == {"id": "chat", "label": modes(body)["chat"]["label"], "writes": False, "interactive": True}
    assert modes(body)["supervised"]["interactive"] is True and modes(body)["supervised"]["writes"] is True
    assert modes(body)["read-only"]["interactive"] is False
    wait_until(lambda: capabilities.poll_body()["codexSignedIn"] is True, timeout=60)


def test_modes_follow_the_binary_when_it_changes(tmp_path, agent_config):
    binary = tmp_path / "codex"
    binary.write_text("old")
    versions = {"now": "0.169.3"}
    agent = build_agent(agent_config(), load_plugins(entry_points=[]), token="t", codex_binary=CodexBinary(str(binary), "0.168.0"))
    support = CodexSupport(agent.codex, tmp_path, find=lambda name: CodexBinary(str(binary), versions["now"]))
    agent.poller.capabilities.support = support
    assert "chat" not in modes(agent.poller.capabilities.poll_body())
    assert agent.poller.capabilities.poll_body()["codexSignedIn"] is False
    binary.write_text("upgraded in place")
    os.utime(binary, ns=(1, 2))
    assert modes(agent.poller.capabilities.poll_body())["chat"]["interactive"] is True
    versions["now"] = "0.170.1"
    binary.write_text("upgraded again, too new")
    assert "chat" not in modes(agent.poller.capabilities.poll_body())


def test_write_only_supervised_refuses_unsupervised_writes_and_keeps_supervised(agent_config):
    config = agent_config(features={"codexExecWrite": True}, codex={"writeOnlySupervised": True, "binary": "/nonexistent/codex"})
    agent = build_agent(config, load_plugins(entry_points=[]), token="t", codex_binary=CodexBinary("/bin/true", "0.169.0"))
    offered = modes(agent.poller.capabilities.poll_body())
    assert "workspace-write" not in offered and "supervised" in offered and "read-only" in offered
    run = Collected({"taskId": "t", "type": "codex_exec", "execMode": "workspace-write", "writeAccess": True, "prompt": "x"})
    with pytest.raises(TaskFailed) as failed:
        agent.runner.dispatcher.run(run.ctx)
    assert failed.value.code == "write-needs-supervision"


@pytest.fixture(scope="module")
def host(tmp_path_factory, codex_bin, model_server):
    return TurnHost(tmp_path_factory.mktemp("choices"), codex_bin, model_server,
                    codex={"conversationModels": ["mock-model"], "conversationEfforts": ["low"]})  # fmt: skip


def test_model_and_effort_must_be_among_those_the_config_allows(host, model_server):
    for fields, code in (({"model": "gpt-elsewhere"}, "model-not-allowed"), ({"effort": "high"}, "effort-not-allowed")):
        turn = host.start("hi", mode="chat", **fields)
        turn.finish()
        assert isinstance(turn.error, TaskFailed) and turn.error.code == code
    assert host.agent.poller.capabilities.poll_body()["conversationModels"] == ["mock-model"]
    model_server.reset()
    chosen = host.start("hi", mode="chat", model="mock-model", effort="low")
    chosen.finish()
    assert chosen.error is None and chosen.result.error is None, chosen.error
    assert model_server.requests[-1]["model"] == "mock-model" and model_server.requests[-1]["reasoning"]["effort"] == "low"


def test_codex_without_a_login_fails_codex_not_signed_in(tmp_path, codex_bin, model_server):
    host = TurnHost(tmp_path, codex_bin, model_server)
    (host.home / "config.toml").unlink()  # the default provider: OpenAI, which needs a login this home lacks
    model_server.reset()
    turn = host.start("hi", mode="chat")
    turn.finish()
    assert isinstance(turn.error, TaskFailed) and turn.error.code == "codex-not-signed-in"
    assert model_server.requests == []
    assert host.agent.poller.capabilities.poll_body()["codexSignedIn"] is False  # the poll says so from now on
