"""The plugin manager: built-ins, flag gating, tagging, duplicates, bad implementations."""

from __future__ import annotations

import inspect

import attrs
import pluggy
import pytest

from mobile_codex.core import hookspecs
from mobile_codex.core.config import load_agent_config
from mobile_codex.core.errors import PluginError
from mobile_codex.core.features import FeatureFlags
from mobile_codex.core.plugin_types import ActionSpec, NotifierSpec
from mobile_codex.core.plugins import DEFAULT_PLUGINS, is_allowed, load_plugins, normalize_distribution

from .conftest import write_json

NO_ENTRY_POINTS: list = []


@pytest.fixture
def agent_config(tmp_path):
    return load_agent_config(
        write_json(
            tmp_path / "agent.json",
            {
                "relayBaseUrl": "http://localhost:8787",
                "agentId": "box",
                "workspaceRoot": str(tmp_path),
                "actions": {"status": {"label": "Git Status", "argv": ["git", "status"]}},
                "logSources": {
                    "app": {"label": "App", "path": str(tmp_path / "app.log")},
                    "web": {"label": "Web unit", "unit": "web.service"},
                },
            },
        )
    )


def test_builtins_register_like_any_plugin_and_tag_their_items(agent_config):
    plugins = load_plugins(entry_points=NO_ENTRY_POINTS)
    assert [info.name for info in plugins.report] == list(DEFAULT_PLUGINS)
    assert all(info.loaded and info.source == "builtin" for info in plugins.report)

    actions = plugins.actions(agent_config)
    assert list(actions) == ["status"]
    assert actions["status"].plugin == "mobile_codex.plugins.actions.argv_actions"
    assert actions["status"].item == ActionSpec(id="status", label="Git Status", argv=("git", "status"))

    logs = plugins.log_sources(agent_config)
    assert {k: c.plugin.rsplit(".", 1)[1] for k, c in logs.items()} == {"app": "file_tail", "web": "journal"}
    assert sorted(plugins.exec_modes(agent_config)) == ["chat", "read-only", "resume", "supervised", "workspace-write"]
    assert sorted(plugins.storage_backends()) == ["json", "postgres", "sqlite"]


def test_values_passed_through_hooks_are_frozen(agent_config):
    spec = load_plugins(entry_points=NO_ENTRY_POINTS).actions(agent_config)["status"].item
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        spec.argv = ("rm", "-rf", "/")  # type: ignore[misc]


@pytest.mark.parametrize(
    ("flag", "gone"),
    [
        ("runAction", "mobile_codex.plugins.actions.argv_actions"),
        ("readLog", "mobile_codex.plugins.logs.file_tail"),
        ("codexExec", "mobile_codex.plugins.exec_modes.codex_modes"),
    ],
)
def test_a_plugin_gated_by_an_off_flag_is_not_registered(agent_config, flag, gone):
    flags = FeatureFlags.from_dict({flag: False})
    plugins = load_plugins(flags=flags, entry_points=NO_ENTRY_POINTS)
    info = next(i for i in plugins.report if i.name == gone)
    assert (info.loaded, info.reason) == (False, f"feature flag {flag} is off")
    assert plugins.pm.get_plugin(gone) is None
    assert plugins.pm.get_plugin("mobile_codex.plugins.storage.sqlite") is not None


def test_gating_off_empties_the_contribution(agent_config):
    plugins = load_plugins(flags=FeatureFlags(run_action=False, read_log=False), entry_points=NO_ENTRY_POINTS)
    assert plugins.actions(agent_config) == {}
    assert plugins.log_sources(agent_config) == {}


def test_duplicate_ids_stop_start_up_naming_both_plugins(agent_config):
    builtins = ("tests.sample_plugins.dup_action_a", "tests.sample_plugins.dup_action_b")
    plugins = load_plugins(builtins=builtins, entry_points=NO_ENTRY_POINTS)
    with pytest.raises(PluginError) as caught:
        plugins.actions(agent_config)
    assert str(caught.value) == (
        "duplicate action id 'deploy': given by plugin tests.sample_plugins.dup_action_a "
        "and by plugin tests.sample_plugins.dup_action_b"
    )


def test_duplicate_with_a_config_action_is_caught_too(agent_config):
    config = attrs.evolve(agent_config, actions={"deploy": agent_config.actions["status"]})
    plugins = load_plugins(builtins=DEFAULT_PLUGINS + ("tests.sample_plugins.dup_action_a",), entry_points=NO_ENTRY_POINTS)
    with pytest.raises(PluginError, match="duplicate action id 'deploy'.*argv_actions.*dup_action_a"):
        plugins.actions(config)


def test_misspelled_hook_implementation_is_rejected_at_start():
    with pytest.raises(PluginError, match="unknown hook 'register_action'.*misspelled"):
        load_plugins(builtins=("tests.sample_plugins.misspelled",), entry_points=NO_ENTRY_POINTS)


def test_hook_implementation_with_unknown_argument_is_rejected():
    with pytest.raises(PluginError, match="(?s)bad_args.*relay"):
        load_plugins(builtins=("tests.sample_plugins.bad_args",), entry_points=NO_ENTRY_POINTS)


def test_unknown_flag_declaration_is_rejected():
    with pytest.raises(PluginError, match="unknown feature flag 'runActions'"):
        load_plugins(builtins=("tests.sample_plugins.bad_flag",), entry_points=NO_ENTRY_POINTS)


def test_items_of_the_wrong_type_are_rejected(agent_config):
    plugins = load_plugins(builtins=("tests.sample_plugins.wrong_type",), entry_points=NO_ENTRY_POINTS)
    with pytest.raises(PluginError, match="wrong_type: register_actions returned dict, expected ActionSpec"):
        plugins.actions(agent_config)


@pytest.mark.parametrize(
    ("dist", "ep", "rules", "allowed"),
    [
        ("mobile-codex-example-action", "disk-usage", ["mobile-codex-example-action"], True),
        ("Mobile_Codex.Example-Action", "disk-usage", ["mobile-codex-example-action"], True),
        ("mobile-codex-example-action", "disk-usage", ["mobile_codex_example_action:disk-usage"], True),
        ("mobile-codex-example-action", "other", ["mobile-codex-example-action:disk-usage"], False),
        ("mc-test-squatter", "disk-usage", ["mobile-codex-example-action:disk-usage"], False),
        ("mc-test-squatter", "disk-usage", [], False),
    ],
)
def test_allow_rules(dist, ep, rules, allowed):
    assert is_allowed(dist, ep, rules) is allowed


def test_normalize_distribution_is_pep_503():
    assert normalize_distribution("Foo__Bar.baz-Qux") == "foo-bar-baz-qux"


def test_every_hook_has_a_docstring_and_a_test():
    """A hook nobody documents or tests rots; this keeps the contract honest."""
    specs = [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("register_")]
    assert specs == ["register_actions", "register_config_models", "register_exec_modes", "register_log_sources",
                     "register_notifiers", "register_storage_backends", "register_text_filters",
                     "register_volatile_backends"]  # fmt: skip
    source = "".join(p.read_text() for p in __import__("pathlib").Path(__file__).parent.glob("test_*.py"))
    for name in specs:
        assert getattr(hookspecs, name).__doc__.strip(), name
        accessor = {"register_actions": ".actions(", "register_exec_modes": ".exec_modes(",
                    "register_log_sources": ".log_sources(", "register_storage_backends": ".storage_backends(",
                    "register_config_models": ".config_models(", "register_notifiers": ".notifiers(",
                    "register_volatile_backends": ".volatile_backends(", "register_text_filters": ".text_filters("}[name]
        assert accessor in source, f"no test calls the {name} hook"


def test_the_built_in_volatile_backends_are_memory_and_redis():
    backends = load_plugins(entry_points=[]).volatile_backends()
    assert sorted(backends) == ["memory", "redis"]
    assert backends["memory"].plugin == "mobile_codex.plugins.volatile.memory"


class _Channel:
    """A notifier plugin (register_notifiers): it is handed the relay's config and store."""

    def __init__(self, item=None):
        self.seen = []
        self.item = item

    @pluggy.HookimplMarker("mobile_codex")
    def register_notifiers(self, config, store):
        self.seen.append((config, store))
        return [self.item or NotifierSpec(id="desk", label="Desk bell", deliver=lambda event: None, timeout_sec=2)]


def test_notifiers_are_collected_with_the_config_and_store_and_checked():
    plugins = load_plugins(builtins=(), entry_points=NO_ENTRY_POINTS)  # the built-in web-push reads a real config
    channel = _Channel()
    plugins.pm.register(channel, name="desk-plugin")
    found = plugins.notifiers("the-config", "the-store")
    assert list(found) == ["desk"] and found["desk"].plugin == "desk-plugin" and found["desk"].item.timeout_sec == 2
    assert channel.seen == [("the-config", "the-store")]
    wrong = load_plugins(builtins=(), entry_points=NO_ENTRY_POINTS)
    wrong.pm.register(_Channel(item="not a spec"), name="wrong-plugin")
    with pytest.raises(PluginError, match="register_notifiers returned str, expected NotifierSpec"):
        wrong.notifiers(None, None)
