"""Third-party plugins through real installed distributions and entry points.

The example plugin and two hostile test distributions are pip-installed into a temporary
site dir; each test distribution leaves a marker file when imported.
"""

from __future__ import annotations

import importlib.metadata as metadata
import json
import sys

import pytest

from mobile_codex.core.config import load, load_agent_config
from mobile_codex.core.errors import ConfigError
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
    assert set(third) == {"mobile-codex-example-action:disk-usage", "mc-test-squatter:disk-usage", "mc-test-unlisted:unlisted",
                          "mobile-codex:apprise"}  # our own optional plugin is allowlisted the same way
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


# --- a plugin's own config section: plugins.config.<distribution> ------------------------------


def agent_file(tmp_path, allow, config=None, **extra):
    plugins = {"allow": allow, **({"config": config} if config is not None else {})}
    return write_json(tmp_path / "agent.json", {"relayBaseUrl": "http://localhost:8787", "agentId": "box",
                                                "workspaceRoot": str(tmp_path), "plugins": plugins, **extra})  # fmt: skip


def test_a_plugins_own_section_is_checked_by_its_model_and_reaches_its_hooks(tmp_path, on_path, markers):
    loaded = load(agent_file(tmp_path, ["mobile-codex-example-action"], {"Mobile_Codex_Example_Action": {"timeoutSec": 5}}))
    assert loaded.config.plugins.section("mobile-codex-example-action").timeout_sec == 5
    assert loaded.plugins.actions(loaded.config)["disk-usage"].item.timeout_sec == 5
    defaults = load(agent_file(tmp_path, ["mobile-codex-example-action"]))  # no section: the model's defaults
    assert defaults.plugins.actions(defaults.config)["disk-usage"].item.timeout_sec == 60


def test_a_bad_section_names_its_key_and_a_plugin_not_allowed_is_not_imported_to_check_it(tmp_path, on_path, markers):
    path = agent_file(tmp_path, ["mobile-codex-example-action"], {
        "mobile-codex-example-action": {"timeoutSec": 0, "retries": 1}, "mc-test-unlisted": {}, "not-installed": {},
    })  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert [str(issue) for issue in caught.value.issues] == [
        f"{path}: plugins.config.mobile-codex-example-action.retries: unknown key",
        f"{path}: plugins.config.mobile-codex-example-action.timeoutSec: expected an integer from 1 to 3600, got 0",
        f"{path}: plugins.config.mc-test-unlisted: plugin mc-test-unlisted is not in plugins.allow",
        f"{path}: plugins.config.not-installed: no installed plugin is named 'not-installed'",
    ]
    assert list(markers.iterdir()) == []  # judging its section did not import mc-test-unlisted


def test_an_allowed_plugin_without_a_model_takes_no_section(tmp_path, on_path, markers):
    path = agent_file(tmp_path, ["mc-test-unlisted"], {"mc-test-unlisted": {"x": 1}})
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert [str(i) for i in caught.value.issues] == [f"{path}: plugins.config.mc-test-unlisted: plugin mc-test-unlisted takes no config in the agent config"]


def test_a_flag_gated_plugin_still_checks_its_section(tmp_path, on_path, markers):
    path = agent_file(tmp_path, ["mobile-codex-example-action"], {"mobile-codex-example-action": {"timeoutSec": "1"}},
                      features={"runAction": False})  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert [str(i) for i in caught.value.issues] == [f"{path}: plugins.config.mobile-codex-example-action.timeoutSec: expected an integer, got string"]


def test_check_reports_plugin_sections_with_the_rest_and_imports_only_allowed_plugins(tmp_path, site_dir, run_cli, markers):
    env = {"PYTHONPATH": str(site_dir), "MC_TEST_IMPORT_MARKERS": str(markers)}
    path = agent_file(tmp_path, ["mobile-codex-example-action"], {"mobile-codex-example-action": {"timeoutSec": 9999},
                      "mc-test-squatter": {}}, pollIntervalMs=1, logSources={"l": {"path": "/a", "unit": "b"}})  # fmt: skip
    done = run_cli("check", "--config", path, env=env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"{path}: pollIntervalMs: expected an integer from 250 to 60000, got 1",
        f'{path}: logSources.l: expected either "path" (a file) or "unit" (a journal unit), not both',
        f"{path}: plugins.config.mobile-codex-example-action.timeoutSec: expected an integer from 1 to 3600, got 9999",
        f"{path}: plugins.config.mc-test-squatter: plugin mc-test-squatter is not in plugins.allow",
    ]
    assert list(markers.iterdir()) == []
    good = agent_file(tmp_path, ["mobile-codex-example-action"], {"mobile-codex-example-action": {"timeoutSec": 30}})
    done = run_cli("check", "--config", good, env=env)
    assert (done.returncode, done.stdout.strip()) == (0, f"{good}: ok (agent config)"), done.stderr
