"""The second step of loading a config: the sections plugins own, checked with the plugins' models.

The core checks its own keys first and keeps these sections as written; once the plugins the
file allows are loaded, each one is checked with a model a plugin declared through
`register_config_models` (hookspecs.py):

- `logSources.<id>` (agent): with the model of the entry's kind, told by the key it has
  (`path`: a file, `unit`: a journal unit, or a kind a third-party plugin adds);
- `storage` (relay): `backend` against the loaded backends, the other keys with its model;
- `plugins.config.<distribution>` (both): with that plugin's own model.

Problems are ConfigIssues like the core's (`file: key: message`), so all of them are reported at
once. The check reads the parsed JSON, not the first step's result, so it runs (and reports) even
when the core keys of the same file are wrong.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from ..errors import ConfigIssue, PluginError
from ..plugin_types import KIND_SECTIONS, OWN_SECTION
from ..plugins import BUILTIN_DISTRIBUTION, Plugins, normalize_distribution
from .agent import ITEM_ID_EXPECTED, ITEM_ID_PATTERN
from .relay import StorageConfig
from .schema import Context, Invalid, build, json_type, mapping_of

# The plugin-owned sections of each kind of config file.
SECTIONS = {"relay": ("storage", "plugins.config"), "agent": ("logSources", "plugins.config")}


@attrs.frozen
class _NoSettings:
    """The settings model of a backend that declares none: any key is unknown."""


@attrs.frozen(kw_only=True)
class PluginModels:
    """What the loaded plugins declared about the sections they own, for one side."""

    kinds: Mapping[str, tuple]  # "logSources" -> its kinds' ConfigModelSpecs, in load order
    backends: Mapping[str, type]  # loaded storage backend -> its settings model
    own: Mapping[str, type]  # normalised distribution -> the model of its own section
    allowed: Mapping[str, bool]  # normalised distribution of every installed plugin -> whether it may load
    # normalised distribution -> its entry points plugins.allow does not name (mobile-codex's own optional ones)
    not_allowed: Mapping[str, tuple] = attrs.field(factory=dict)

    @classmethod
    def of(cls, plugins: Plugins, side: str) -> "PluginModels":
        models = plugins.config_models(side)
        kinds: dict[str, list] = {section: [] for section in KIND_SECTIONS}
        own = {}
        for place, contribution in models.items():
            spec = contribution.item
            if spec.section == OWN_SECTION:
                own[place.removeprefix("plugins.config.")] = spec.model
            else:
                kinds[spec.section].append(spec)
        backends = {}
        if side == "relay":
            names = plugins.storage_backends()
            for spec in kinds.pop("storage"):
                if spec.kind not in names:
                    raise PluginError(f"plugin {models[f'storage.{spec.kind}'].plugin}: a config model for storage "
                                      f"backend {spec.kind!r}, which no plugin registers")  # fmt: skip
            backends = {name: _settings_model(models, name) for name in names}
        allowed: dict[str, bool] = {normalize_distribution(BUILTIN_DISTRIBUTION): True}
        not_allowed: dict[str, tuple] = {}
        for info in plugins.report:
            dist = normalize_distribution(info.distribution)
            allowed[dist] = allowed.get(dist, False) or info.allowed
            if not info.allowed:
                not_allowed[dist] = (*not_allowed.get(dist, ()), info.name)
        return cls(kinds={k: tuple(v) for k, v in kinds.items()}, backends=backends, own=own, allowed=allowed,
                   not_allowed=not_allowed)  # fmt: skip


def _settings_model(models, backend: str) -> type:
    found = models.get(f"storage.{backend}")
    return found.item.model if found else _NoSettings


def check_plugin_sections(data: object, ctx: Context, side: str, plugins: Plugins, issues: list) -> dict:
    """Check the plugin-owned sections of the parsed file `data`; append every problem to `issues`.

    Returns the checked values by attribute: `log_sources`, `storage` (without `data_dir`, which
    the caller knows) and `plugins_config`.
    """
    models = PluginModels.of(plugins, side)
    if not isinstance(data, dict):
        return {}  # the first step said so
    checked: dict = {}
    if "logSources" in SECTIONS[side] and "logSources" in data:
        checked["log_sources"] = _entries("logSources", data["logSources"], ctx, models, issues)
    if "storage" in SECTIONS[side]:
        checked["storage"] = _storage(data.get("storage", {}), ctx, models, issues)
    plugins_section = data.get("plugins", {})
    if isinstance(plugins_section, dict):  # else the first step said so
        checked["plugins_config"] = _own_sections(plugins_section.get("config", {}), ctx, side, models, issues)
    return checked


def _entries(section: str, value: object, ctx: Context, models: PluginModels, issues: list) -> dict:
    kinds = models.kinds.get(section, ())
    parse = mapping_of(lambda entry: _kind_model(section, kinds, entry), id_pattern=ITEM_ID_PATTERN, id_expected=ITEM_ID_EXPECTED)
    try:
        return parse(value, ctx, section, issues)
    except Invalid as err:
        issues.append(ConfigIssue(ctx.file, section, str(err)))
        return {}


def _kind_model(section: str, kinds: tuple, entry: dict) -> type:
    """The model of the one kind whose key the entry has."""
    if not kinds:
        raise Invalid(f"no loaded plugin reads {section} entries")
    marked = [spec for spec in kinds if spec.kind in entry]
    if len(marked) == 1:
        return marked[0].model
    choices = [f'"{spec.kind}"' + (f" ({spec.label})" if spec.label else "") for spec in marked or kinds]
    if len(marked) == 2:
        raise Invalid(f"expected either {choices[0]} or {choices[1]}, not both")
    if marked:
        raise Invalid(f"expected only one of {_or(choices)}")
    raise Invalid(f"expected {_or(choices)}")


def _or(choices: list[str]) -> str:
    return choices[0] if len(choices) == 1 else f"{', '.join(choices[:-1])} or {choices[-1]}"


def _storage(value: object, ctx: Context, models: PluginModels, issues: list) -> StorageConfig | None:
    if not isinstance(value, dict):
        issues.append(ConfigIssue(ctx.file, "storage", f"expected an object, got {json_type(value)}"))
        return None
    before = len(issues)
    chosen = build(StorageConfig, {"backend": value["backend"]} if "backend" in value else {}, ctx, "storage", issues)
    if chosen is None:
        return None
    if chosen.backend not in models.backends:
        message = f"expected one of {', '.join(sorted(models.backends))}, got {chosen.backend!r}"
        issues.append(ConfigIssue(ctx.file, "storage.backend", message))
        return None
    model = models.backends[chosen.backend]
    settings = build(model, {key: v for key, v in value.items() if key != "backend"}, ctx, "storage", issues)
    if len(issues) != before:
        return None
    return attrs.evolve(chosen, settings=None if model is _NoSettings else settings)


def _own_sections(value: object, ctx: Context, side: str, models: PluginModels, issues: list) -> dict:
    """`plugins.config`: each named plugin's section with its model; a plugin with a model and no
    section gets its defaults (or a `required key is missing` for each key it needs)."""
    if not isinstance(value, dict):
        issues.append(ConfigIssue(ctx.file, "plugins.config", f"expected an object, got {json_type(value)}"))
        return {}
    checked, named = {}, {}
    for name, section in value.items():
        dist, key = normalize_distribution(name), f"plugins.config.{name}"
        if dist in named:
            issues.append(ConfigIssue(ctx.file, key, f"names the same plugin as plugins.config.{named[dist]}"))
            continue
        named[dist] = name
        if dist not in models.own:
            issues.append(ConfigIssue(ctx.file, key, _why_no_section(dist, side, models)))
            continue
        built = build(models.own[dist], section, ctx, key, issues)
        if built is not None:
            checked[dist] = built
    for dist, model in models.own.items():
        if dist not in named:
            built = build(model, {}, ctx, f"plugins.config.{dist}", issues)
            if built is not None:
                checked[dist] = built
    return checked


def _why_no_section(dist: str, side: str, models: PluginModels) -> str:
    if dist not in models.allowed:
        return f"no installed plugin is named {dist!r}"
    if not models.allowed[dist]:
        return f"plugin {dist} is not in plugins.allow"
    if models.not_allowed.get(dist):  # an optional plugin of a distribution that has others (mobile-codex:apprise)
        return f"plugin {dist} takes no config in the {side} config unless plugins.allow names one of {', '.join(models.not_allowed[dist])}"
    return f"plugin {dist} takes no config in the {side} config"
