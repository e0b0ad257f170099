"""Agents as the phone sees them: effective flags (relay ∧ agent) with the reason a control is
disabled, exec modes offered only where allowed, revoke for owners only (with a second tap)."""

from __future__ import annotations

import pytest

from tests.relay.agent_helpers import only_agent, pair_over_http

from .conftest import BOOTSTRAP_TOKEN, WebRelay

POLL = {
    "label": "Box", "workspaceRootName": "repo", "codexAvailable": True, "codexVersion": "0.169.0",
    "features": {"codexExec": True, "codexExecWrite": True, "readSession": True, "deleteSession": True, "runAction": False, "readLog": True},
    "actions": [{"id": "deploy", "label": "Deploy"}], "logSources": [{"id": "app", "label": "App log"}],
    "execModes": [{"id": "read-only", "label": "Read-only", "writes": False}, {"id": "workspace-write", "label": "Workspace write", "writes": True}],
}  # fmt: skip


@pytest.fixture
def relay(tmp_path):  # the relay keeps write mode off (its default); the agent allows it
    instance = WebRelay(tmp_path)
    agent = pair_over_http(instance, instance.owner(), "box-1")
    assert agent.post("/api/agent/poll", POLL)[0] == 200
    yield instance
    instance.stop()


def test_flags_show_where_they_are_off_and_controls_say_why(relay, phone):
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    phone.manage("Agents", "agents")
    card = phone.page.locator("[data-agent-id=box-1]")
    card.locator(".chip", has_text="Online").wait_for()
    # An agent is online: talking to it is the main button, pairing another the lesser one.
    assert phone.page.locator("main a.button.primary").all_inner_texts() == ["New conversation"]
    assert phone.page.locator("main a.button", has_text="Pair an agent").is_visible()
    assert card.locator("h2").inner_text() == "Box" and card.get_by_text("box-1").count() == 1  # the name once, the id apart
    card.locator("summary", has_text="What this agent may do").click()
    flags = dict(zip(card.locator(".flag-name").all_inner_texts(), card.locator(".flag-value").all_inner_texts()))
    assert flags == {
        "Codex runs": "On", "Codex write mode": "Off on the relay", "Read sessions": "On", "Delete sessions": "On",
        "Actions": "Off on this agent", "Logs": "On",
    }  # fmt: skip
    phone.check("agents-flags")

    card.locator("a", has_text="Open").click()
    phone.screen("agent")
    assert phone.page.get_by_text("Actions are unavailable: Off on this agent.").is_visible()
    assert phone.page.locator(".item-row", has_text="Deploy").locator("button").is_disabled()
    assert phone.page.locator(".item-row", has_text="App log").locator("button").is_enabled()
    phone.check("agent-reasons")

    phone.page.locator("a", has_text="New Codex run").click()
    phone.screen("codex")
    options = phone.page.locator("select[name=execMode] option")
    assert options.all_inner_texts() == ["Read-only", "Workspace write · changes files"]
    assert options.nth(1).is_disabled()
    assert phone.page.get_by_text("Write mode is unavailable: Off on the relay.").is_visible()
    phone.check("codex-write-off")


def test_revoke_is_in_the_agents_danger_zone_asks_twice_and_the_agent_shows_revoked(relay, phone):
    phone.open("/#/agents")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.manage("Agents", "agents")
    card = phone.page.locator("[data-agent-id=box-1]")
    card.locator("a", has_text="Open").wait_for()
    assert phone.page.locator("main button", has_text="Revoke").count() == 0  # never beside Open
    card.locator("a", has_text="Open").click()
    phone.screen("agent")
    zone = phone.page.locator(".danger-zone")
    zone.locator("button", has_text="Revoke").click()
    phone.check("revoke-confirm")
    zone.locator("button", has_text="Revoke this agent").click()
    phone.page.locator("[data-agent-id=box-1] .chip", has_text="Revoked").wait_for()
    phone.check("revoked")
    phone.manage("Agents", "agents")
    card.locator(".chip", has_text="Revoked").wait_for()
    assert card.locator("a", has_text="Open").count() == 0
    assert only_agent(relay.store, "box-1").revoked_at is not None


def test_a_viewer_sees_why_they_cannot_act(relay, phone):
    from tests.relay.agent_helpers import member

    phone.sign_in_with_cookie(member(relay, "viewer").cookies["mobilecodex_session"])
    phone.open("/#/agents")
    card = phone.page.locator("[data-agent-id=box-1]")
    card.wait_for()
    assert phone.page.locator("a", has_text="Pair an agent").count() == 0
    assert phone.page.locator("a", has_text="New conversation").count() == 0
    phone.check("viewer-agents")
    card.locator("a", has_text="Open").click()
    phone.screen("agent")
    assert phone.page.locator(".danger-zone").get_by_text("Revoke: Only workspace owners can do this").is_visible()
    phone.codex_form()
    assert phone.page.get_by_text("Codex cannot run on this agent: Your role in this workspace does not allow this.").is_visible()
    assert phone.page.locator("button", has_text="Run").is_disabled()
    phone.check("viewer-codex")


def test_the_pairing_command_quotes_the_config_path_hint_for_the_shell(tmp_path, phones):
    import shlex

    hint = "/srv/mobile codex/agent's.json"
    relay = WebRelay(tmp_path, web={"pairCommandConfigPathHint": hint})
    try:
        phone = phones(relay)
        phone.open("/")
        phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
        phone.screen("home")
        code = phone.new_pairing_code()
        command = phone.page.locator("pre.command").inner_text()
        assert shlex.split(command) == ["mobile-codex", "agent", "--config", hint, "--relay", relay.origin, "--pair-code", code], command
        phone.check("pair-code-with-hint")
    finally:
        relay.stop()
