"""The examples/ plugin, installed and allowlisted, runs its action from a task created on the relay."""

from __future__ import annotations

import sys

import pytest

from .. import plugin_dists
from .stack import Stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory, codex_bin, model_server):
    site = plugin_dists.install(tmp_path_factory.mktemp("site"))
    instance = Stack(
        tmp_path_factory.mktemp("plugin-e2e"), codex_bin, model_server, extra_sys_path=str(site),
        agent_overrides={"plugins": {"allow": ["mobile-codex-example-action"]}},
    )  # fmt: skip
    yield instance
    instance.close()
    sys.path.remove(str(site))
    for name in [m for m in sys.modules if m.startswith(("mc_test_", "mobile_codex_example_action"))]:
        del sys.modules[name]


def test_the_example_action_runs_end_to_end(stack):
    assert {"id": "disk-usage", "label": "Disk usage of the workspace"} in stack.agent_record().actions
    view = stack.run(type="run_action", actionId="disk-usage")
    assert view["status"] == "completed", view
    assert view["needsApproval"] is True and view["approvedAt"]
    assert view["result"]["exitCode"] == 0 and view["result"]["actionId"] == "disk-usage"
    assert 'argv: ["du", "-sh", "."]' in view["outputTail"] and "\t.\n" in view["outputTail"]


def test_a_squatting_plugin_is_not_loaded(stack):
    # mc-test-squatter also registers an entry point called disk-usage; only the allowed one is imported
    assert "mc_test_squatter" not in sys.modules
