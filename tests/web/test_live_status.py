"""Status that is true (issue 18): offline shown within 2 s of the connection dropping and gone at
the next answer, a cleanly stopped agent (a real agent process) offline at once, and a reload while
offline keeps the open task."""

from __future__ import annotations

import json
import signal

import pytest

from tests.agent.cli_processes import AgentProcess
from tests.relay.agent_helpers import pair_over_http

from .conftest import BOOTSTRAP_TOKEN, DESKTOP, VIEWPORT
from .home_helpers import finished_task


@pytest.fixture(params=[VIEWPORT, DESKTOP], ids=["phone", "desktop"])
def phone(relay, phones, request):
    """Each test at 390×844 (touch) and at 1280×800."""
    return phones(relay, request.param)


BANNER = ".banner [data-offline]"
WITHIN_2_S = 2000  # ms: the bound for showing offline


def signed_in(phone) -> None:
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")


def test_offline_is_shown_within_2_s_and_goes_at_the_next_answer(relay, phone):
    signed_in(phone)
    phone.page.wait_for_timeout(300)  # the live state's wait is held by now
    phone.context.set_offline(True)
    phone.page.locator(BANNER).wait_for(timeout=WITHIN_2_S)
    assert phone.page.locator(".connection", has_text="Offline").is_visible()
    phone.check("offline-banner")
    phone.context.set_offline(False)
    phone.page.locator(BANNER).wait_for(state="detached", timeout=5000)


def test_the_relay_going_away_is_shown_within_2_s(relay, phone):
    signed_in(phone)
    phone.page.wait_for_timeout(300)
    phone.expect_failure("/api/")  # the relay is gone: its requests fail, as this test wants
    relay.stop()
    phone.page.locator(BANNER).wait_for(timeout=WITHIN_2_S)
    relay.start()  # same port: the next try reaches it and the banner goes
    phone.page.locator(BANNER).wait_for(state="detached", timeout=20000)


def test_a_failed_request_flips_the_banner_and_the_next_success_clears_it(relay, phone):
    signed_in(phone)
    phone.expect_failure("/api/")
    phone.page.route("**/api/auth/status", lambda route: route.abort())  # one request fails on the network
    phone.page.evaluate("() => fetch('/api/auth/status').catch(() => {})")  # (a bare fetch: no app code)
    assert phone.page.locator(BANNER).count() == 0  # only the app's own requests count
    phone.page.evaluate("async () => { const api = await import('/api.js'); await api.api.status().catch(() => {}); }")
    phone.page.locator(BANNER).wait_for(timeout=WITHIN_2_S)
    phone.page.unroute("**/api/auth/status")
    phone.page.evaluate("async () => { const api = await import('/api.js'); await api.api.status(); }")
    phone.page.locator(BANNER).wait_for(state="detached", timeout=WITHIN_2_S)


def test_a_cleanly_stopped_agent_is_offline_at_once(relay, phone, tmp_path, user_dirs):
    token = pair_over_http(relay, relay.owner(), "box-1").token
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    config = tmp_path / "agent.json"
    config.write_text(json.dumps({
        "relayBaseUrl": f"http://127.0.0.1:{relay.port}", "agentId": "box-1", "agentLabel": "Build box",
        "workspaceRoot": str(workspace), "stateDir": str(tmp_path / "agent-state"), "pollIntervalMs": 250,
        "longPollMs": 20000, "codex": {"binary": "/nonexistent/codex"},
    }))  # fmt: skip
    agent = AgentProcess(user_dirs, "--config", config, env={"MOBILE_CODEX_AGENT_TOKEN": token})
    try:
        agent.expect(r"connected to the relay")
        signed_in(phone)
        phone.manage("Agents", "agents")
        card = phone.page.locator("[data-agent-id=box-1]")
        card.locator(".chip", has_text="Online").wait_for()
        phone.page.wait_for_timeout(300)  # the agent's poll and the phone's state wait are both held now
        agent.proc.send_signal(signal.SIGTERM)
        assert agent.finish()[0] == 0
        card.locator(".chip", has_text="Online").wait_for(state="detached", timeout=5000)  # not after 90 s
        phone.check("agent-stopped")
    finally:
        if agent.proc.poll() is None:
            agent.proc.kill()


def test_a_reload_while_offline_keeps_the_open_task(relay, phone):
    task_id = finished_task(relay, "Build it", outputAppend="$ make\nall built\n", summary="Built.")
    signed_in(phone)
    phone.page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    phone.open(f"/#/task/{task_id}")
    main = phone.page.locator("main")
    kept = main.locator(".screen pre.output", has_text="all built")  # folded under "What Codex did"
    main.locator(".screen h1", has_text="Build it").wait_for()
    kept.wait_for(state="attached")
    phone.context.set_offline(True)
    phone.expect_failure("/api/")
    phone.page.reload()
    main.locator(".screen h1", has_text="Build it").wait_for()
    kept.wait_for(state="attached")
    assert phone.page.url.endswith(f"#/task/{task_id}")
    assert main.locator(".screen.offline").count() == 0
    phone.page.locator(".connection", has_text="Offline").wait_for()
    phone.check("task-reloaded-offline")
