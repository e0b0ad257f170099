"""register_config_models: plugins check the parts of a config file they own, through the one ConfigError path.

Built-in kinds (log sources, storage backends) and small in-repo plugins here; a real installed
third-party distribution with its own section in test_third_party_plugins.py.
"""

from __future__ import annotations

import pytest

from mobile_codex.core.config import load, load_agent_config, load_relay_config
from mobile_codex.core.errors import ConfigError, PluginError, PluginSectionsInvalid
from mobile_codex.core.plugin_types import ConfigModelSpec
from mobile_codex.core.plugins import DEFAULT_PLUGINS, load_plugins
from mobile_codex.plugins.logs.file_tail import FileLogConfig
from mobile_codex.plugins.storage.json_state.backend import JsonSettings
from mobile_codex.plugins.storage.sqlite.backend import SqliteSettings
from mobile_codex.relay_app.server import open_store

from .conftest import write_json

CONTAINERS = "tests.sample_plugins.container_logs"


def agent_doc(tmp_path, **extra):
    return {"relayBaseUrl": "http://localhost:8787", "agentId": "box", "workspaceRoot": str(tmp_path), **extra}


def relay_doc(tmp_path, **extra):
    return {"bootstrapAdminTokenHash": "a" * 64, "tokenSecret": "s" * 32, "dataDir": str(tmp_path / "data"), **extra}


def issues(path, **kwargs) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(path, entry_points=[], **kwargs)
    return [str(issue) for issue in caught.value.issues]


def test_the_built_in_plugins_declare_the_models_of_their_sections():
    models = load_plugins(entry_points=[]).config_models("relay")
    assert {place: c.plugin.rsplit(".", 1)[1] for place, c in models.items()} == {
        "logSources.path": "file_tail", "logSources.unit": "journal", "storage.sqlite": "sqlite",
        "storage.json": "json_state", "storage.postgres": "postgres",
    }  # fmt: skip
    assert models["storage.sqlite"].item.model is SqliteSettings and models["logSources.path"].item.model is FileLogConfig


def test_an_entry_that_is_of_no_kind_names_the_kinds(tmp_path):
    path = write_json(tmp_path / "agent.json", agent_doc(tmp_path, logSources={"l": {"label": "L", "maxLines": 5}}))
    assert issues(path) == [f'{path}: logSources.l: expected "path" (a file) or "unit" (a journal unit)']


def test_a_third_party_kind_of_log_source_is_checked_by_its_own_model(tmp_path):
    doc = agent_doc(tmp_path, logSources={
        "web": {"container": "web-1", "maxLines": 50}, "app": {"path": "app.log"}, "unit": {"unit": "x.service"},
    })  # fmt: skip
    loaded = load(write_json(tmp_path / "agent.json", doc), builtins=(*DEFAULT_PLUGINS, CONTAINERS), entry_points=[])
    web = loaded.config.log_sources["web"]
    assert (type(web).__name__, web.container, web.max_lines, web.label) == ("ContainerLogConfig", "web-1", 50, "web")
    sources = loaded.plugins.log_sources(loaded.config)
    assert {key: c.plugin.rsplit(".", 1)[1] for key, c in sources.items()} == {
        "web": "container_logs", "app": "file_tail", "unit": "journal",
    }  # fmt: skip

    bad = write_json(tmp_path / "bad.json", agent_doc(tmp_path, logSources={
        "a": {"container": "c", "maxLines": 5000}, "b": {"container": "c", "path": "/x", "unit": "u"},
    }))  # fmt: skip
    assert issues(bad, builtins=(*DEFAULT_PLUGINS, CONTAINERS)) == [
        f"{bad}: logSources.a.maxLines: expected an integer from 1 to 1000, got 5000",
        f'{bad}: logSources.b: expected only one of "path" (a file), "unit" (a journal unit) or "container" (a container)',
    ]


def test_a_gated_plugin_still_checks_its_section(tmp_path):
    """readLog off: the log plugins are not registered, yet a bad entry is still an error."""
    doc = agent_doc(tmp_path, features={"readLog": False}, logSources={"l": {"path": "/a", "maxLines": 0}})
    path = write_json(tmp_path / "agent.json", doc)
    assert issues(path) == [f"{path}: logSources.l.maxLines: expected an integer from 1 to 5000, got 0"]
    ok = load(write_json(tmp_path / "ok.json", {**doc, "logSources": {"l": {"path": "/a"}}}), entry_points=[])
    assert isinstance(ok.config.log_sources["l"], FileLogConfig) and ok.plugins.log_sources(ok.config) == {}


def test_core_and_plugin_problems_come_out_together_in_file_order_of_each_step(tmp_path):
    doc = agent_doc(tmp_path, maxConcurrentTasks=9, logSources={"l": {"unit": "bad unit!"}}, plugins={"config": {"x-y": {}}})
    path = write_json(tmp_path / "agent.json", doc)
    assert issues(path) == [
        f"{path}: maxConcurrentTasks: expected an integer from 1 to 8, got 9",
        f'{path}: logSources.l.unit: expected a systemd unit name, got "bad unit!"',
        f"{path}: plugins.config.x-y: no installed plugin is named 'x-y'",
    ]


def test_only_plugin_sections_wrong_keeps_the_checked_core_config(tmp_path):
    path = write_json(tmp_path / "agent.json", agent_doc(tmp_path, agentLabel="Box", logSources={"l": {}}))
    with pytest.raises(PluginSectionsInvalid) as caught:
        load(path, entry_points=[])
    assert caught.value.config.agent_label == "Box" and caught.value.config.log_sources == {"l": {}}  # as written


def test_a_section_the_built_ins_do_not_take_is_an_error_naming_the_key(tmp_path):
    path = write_json(tmp_path / "agent.json", agent_doc(tmp_path, plugins={"config": {"Mobile_Codex": {}}}))
    assert issues(path) == [f"{path}: plugins.config.Mobile_Codex: plugin mobile-codex takes no config in the agent config"]


@pytest.mark.parametrize("backend", ["sqlite", "json"])
def test_a_storage_backend_receives_its_section_and_defaults_from_data_dir(tmp_path, backend):
    config = load_relay_config(write_json(tmp_path / "relay.json", relay_doc(tmp_path, storage={"backend": backend})))
    assert config.storage.data_dir == tmp_path / "data"
    assert config.storage.settings == {"sqlite": SqliteSettings(), "json": JsonSettings()}[backend]
    store = open_store(config, load_plugins(entry_points=[]))
    try:
        assert [path.parent for path in store.data_files()][0] == tmp_path / "data"
    finally:
        store.close()


@pytest.mark.parametrize(("backend", "name"), [("sqlite", "meta.db"), ("json", "meta.json")])
def test_a_storage_backend_takes_a_path_relative_to_the_config(tmp_path, backend, name):
    doc = relay_doc(tmp_path, storage={"backend": backend, "path": f"elsewhere/{name}"})
    config = load_relay_config(write_json(tmp_path / "relay.json", doc))
    assert config.storage.settings.path == tmp_path / "elsewhere" / name
    store = open_store(config, load_plugins(entry_points=[]))
    try:
        with store.transaction() as tx:
            tx.set_meta(tx.get_meta())
        assert (tmp_path / "elsewhere" / name).is_file() and not (tmp_path / "data").exists()
    finally:
        store.close()


@pytest.mark.parametrize(
    ("storage", "message"),
    [
        ({"backend": "sqlite", "dsn": "postgres://x"}, "storage.dsn: unknown key"),
        ({"backend": "json", "path": 5}, "storage.path: expected a path string, got 5"),
        ({"backend": ""}, "storage.backend: expected a non-empty string"),
        ({"backend": "mysql", "dsn": "x"}, "storage.backend: expected one of json, postgres, sqlite, got 'mysql'"),
        ({"backend": "postgres", "dsn": "x"}, "storage.dsn: not a PostgreSQL connection string (a postgresql:// URI or key=value pairs)"),
        ({"backend": "postgres"}, "storage.dsn: required key is missing"),
        ([], "storage: expected an object, got array"),
    ],
)
def test_storage_errors_name_the_key(tmp_path, storage, message):
    path = write_json(tmp_path / "relay.json", relay_doc(tmp_path, storage=storage))
    assert issues(path) == [f"{path}: {message}"]


def test_bad_declarations_stop_with_a_plugin_error(tmp_path):
    path = write_json(tmp_path / "agent.json", agent_doc(tmp_path))
    with pytest.raises(PluginError, match="duplicate config model for logSources.unit: given by plugin "
                                          "mobile_codex.plugins.logs.journal and by plugin tests.sample_plugins.second_journal"):
        load(path, builtins=(*DEFAULT_PLUGINS, "tests.sample_plugins.second_journal"), entry_points=[])
    with pytest.raises(PluginError, match="raw_config_model: register_config_models returned dict, expected ConfigModelSpec"):
        load(path, builtins=(*DEFAULT_PLUGINS, "tests.sample_plugins.raw_config_model"), entry_points=[])
    with pytest.raises(PluginError, match="bad_config_section: register_config_models: section must be 'plugin' or one of"):
        load(path, builtins=(*DEFAULT_PLUGINS, "tests.sample_plugins.bad_config_section"), entry_points=[])
    with pytest.raises(ValueError, match="kind must be set"):
        ConfigModelSpec(model=FileLogConfig, section="logSources")
    with pytest.raises(ValueError, match="model must be an attrs class"):
        ConfigModelSpec(model=dict)


def test_load_agent_config_is_load_with_the_plugins_the_file_allows(tmp_path):
    path = write_json(tmp_path / "agent.json", agent_doc(tmp_path, logSources={"l": {"path": "x.log"}}))
    assert load_agent_config(path) == load(path).config
    assert load_agent_config(path).log_sources["l"] == FileLogConfig(label="l", path=tmp_path / "x.log", max_lines=200)


def test_the_relay_unit_may_write_where_the_backend_keeps_its_file(tmp_path):
    from mobile_codex.cli.scaffold.deployment import RelaySide

    doc = relay_doc(tmp_path, storage={"backend": "sqlite", "path": str(tmp_path / "db" / "relay.sqlite3")})
    config = load_relay_config(write_json(tmp_path / "relay.json", doc))
    assert RelaySide(config_path=tmp_path / "relay.json", config=config).writable == (tmp_path / "data", tmp_path / "db")
