"""Third-party plugins through real installed distributions and entry points.

The example plugin and two hostile test distributions are pip-installed into a temporary
site dir; each test distribution leaves a marker file when imported.
"""

from __future__ import annotations

import importlib.metadata as metadata
import json
import sys

import pytest

from mobile_codex.core.config import load_agent_config
from mobile_codex.core.plugins import load_plugins

from . import plugin_dists
from .conftest import write_json

pytestmark = pytest.mark.slow  # pip installs three distributions first


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory):
    return plugin_dists.install(tmp_path_factory.mktemp("site"))


@pytest.fixture
def markers(tmp_path, monkeypatch):
    directory = tmp_path / "markers"
    directory.mkdir()
    monkeypatch.setenv("MC_TEST_IMPORT_MARKERS", str(directory))
    return directory


@pytest.fixture
def on_path(site_dir, monkeypatch):
    monkeypatch.syspath_prepend(str(site_dir))
    yield site_dir
    for name in [m for m in sys.modules if m.startswith(("mc_test_", "mobile_codex_example_action"))]:
        del sys.modules[name]


def our_entry_points(site_dir):
    return [ep for dist in metadata.distributions(path=[str(site_dir)]) for ep in dist.entry_points if ep.group == "mobile_codex"]


def agent_config(tmp_path, allow, **extra):
    data = {"relayBaseUrl": "http://localhost:8787", "agentId": "box", "workspaceRoot": str(tmp_path),
            "plugins": {"allow": allow}, **extra}  # fmt: skip
    return load_agent_config(write_json(tmp_path / "agent.json", data))


def test_the_three_distributions_are_installed(site_dir):
    names = sorted((ep.dist.name, ep.name) for ep in our_entry_points(site_dir))
    assert names == [("mc-test-squatter", "disk-usage"), ("mc-test-unlisted", "unlisted"),
                     ("mobile-codex-example-action", "disk-usage")]  # fmt: skip


def test_nothing_third_party_is_imported_without_an_allow_rule(tmp_path, on_path, markers):
    config = agent_config(tmp_path, [])
    plugins = load_plugins(allow=config.plugins.allow, flags=config.features)
    third = {info.name: info for info in plugins.report if info.source == "entry-point"}
    assert set(third) == {"mobile-codex-example-action:disk-usage", "mc-test-squatter:disk-usage", "mc-test-unlisted:unlisted"}
    assert all(not info.loaded and info.reason == "not in plugins.allow" for info in third.values())
    assert list(markers.iterdir()) == []  # no import side effect happened
    assert "mc_test_unlisted" not in sys.modules and "mc_test_squatter" not in sys.modules
    assert "disk-usage" not in plugins.actions(config)


def test_allowed_plugin_loads_and_its_action_is_listed_while_the_squatter_is_ignored(tmp_path, on_path, markers):
    config = agent_config(tmp_path, ["mobile-codex-example-action"])
    plugins = load_plugins(allow=config.plugins.allow, flags=config.features)
    actions = plugins.actions(config)
    assert actions["disk-usage"].plugin == "mobile-codex-example-action:disk-usage"
    assert actions["disk-usage"].item.argv == ("du", "-sh", ".")
    assert "squatter-action" not in actions and "unlisted-action" not in actions
    assert list(markers.iterdir()) == []  # the squatter shares the entry-point name, yet was never imported
    report = {info.name: info for info in plugins.report}
    assert report["mc-test-squatter:disk-usage"].loaded is False
    assert report["mobile-codex-example-action:disk-usage"].loaded is True


def test_entry_point_level_rule_admits_only_that_entry_point(tmp_path, on_path, markers):
    config = agent_config(tmp_path, ["mobile-codex-example-action:disk-usage", "mc-test-unlisted:other-name"])
    plugins = load_plugins(allow=config.plugins.allow, flags=config.features)
    assert "disk-usage" in plugins.actions(config)
    assert list(markers.iterdir()) == []


def test_allowed_but_flag_gated_plugin_is_not_registered(tmp_path, on_path, markers):
    config = agent_config(tmp_path, ["mobile-codex-example-action"], features={"runAction": False})
    plugins = load_plugins(allow=config.plugins.allow, flags=config.features)
    info = next(i for i in plugins.report if i.name == "mobile-codex-example-action:disk-usage")
    assert (info.allowed, info.loaded, info.reason) == (True, False, "feature flag runAction is off")
    assert plugins.actions(config) == {}


def test_allowing_a_hostile_plugin_does_import_it(tmp_path, on_path, markers):
    """Control for the tests above: the marker mechanism does detect an import."""
    config = agent_config(tmp_path, ["mc-test-unlisted"])
    plugins = load_plugins(allow=config.plugins.allow, flags=config.features)
    assert (markers / "mc_test_unlisted").exists()
    assert "unlisted-action" in plugins.actions(config)


def test_plugins_command_shows_it_all(tmp_path, site_dir, run_cli, markers):
    config = write_json(tmp_path / "agent.json", {
        "relayBaseUrl": "http://localhost:8787", "agentId": "box", "workspaceRoot": str(tmp_path),
        "plugins": {"allow": ["mobile-codex-example-action"]}})  # fmt: skip
    env = {"PYTHONPATH": str(site_dir), "MC_TEST_IMPORT_MARKERS": str(markers)}
    done = run_cli("plugins", "--config", config, "--json", env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    rows = {row["name"]: row for row in report["plugins"]}
    assert rows["mobile-codex-example-action:disk-usage"]["loaded"] is True
    assert rows["mc-test-squatter:disk-usage"]["reason"] == "not in plugins.allow"
    assert {"id": "disk-usage", "plugin": "mobile-codex-example-action:disk-usage"} in report["contributions"]["actions"]
    assert list(markers.iterdir()) == []

    text = run_cli("plugins", "--config", config, env=env)
    assert text.returncode == 0
    assert "mc-test-squatter:disk-usage" in text.stdout and "not in plugins.allow" in text.stdout
    assert "actions: disk-usage (mobile-codex-example-action:disk-usage)" in text.stdout
