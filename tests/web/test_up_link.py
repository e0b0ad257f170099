"""`mobile-codex up` prints `<origin>/#code=…`: opening it signs the phone in and the code leaves
the address bar; the local agent `up` paired is listed."""

from __future__ import annotations

import pytest

from tests.agent.cli_processes import free_port, start_up, stop

from .conftest import Phone


class UpRelay:
    """What Phone needs of a relay: its origin."""

    def __init__(self, port: int):
        self.origin = f"http://localhost:{port}"


@pytest.fixture
def workspace(tmp_path):
    root = tmp_path / "workspace"
    root.mkdir()
    return root


@pytest.fixture
def port(run_cli):
    chosen = free_port()
    done = run_cli("init-relay", "--origin", f"http://localhost:{chosen}")
    assert done.returncode == 0, done.stderr
    return chosen


def test_the_up_login_link_signs_in(user_dirs, workspace, port, chromium, request):
    up, code = start_up(user_dirs, workspace, port)
    phone = Phone(chromium, UpRelay(port), request.node.name)
    try:
        phone.open(f"/#code={code}")
        phone.screen("home")
        assert "code=" not in phone.page.url and phone.page.evaluate("() => location.hash") == "#/home"
        phone.manage("Agents", "agents")
        phone.page.locator("[data-agent-id] .chip", has_text="Online").wait_for()
        phone.check("up-signed-in")
    finally:
        phone.close()
        returncode, stderr = stop(up)
    assert returncode == 0, stderr
