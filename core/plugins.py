"""The plugin manager: which plugins load, and collecting what they contribute.

Built-in plugins (DEFAULT_PLUGINS) are registered exactly like third-party ones. Third-party
plugins are entry points in group `mobile_codex`; an entry point is loaded (imported) only when
the config's `plugins.allow` names its distribution, or its distribution and entry-point name.
`importlib.metadata` tells us the distribution *before* import, so an entry point that is not
allowed — or another distribution squatting an allowed entry-point name — is never imported.
"""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import inspect
import re
from typing import Any, Iterable

import attrs
import pluggy

from . import hookspecs
from .errors import PluginError
from .features import FLAG_KEYS, FeatureFlags
from .plugin_types import (
    OWN_SECTION, ActionSpec, ConfigModelSpec, Contribution, ExecModeSpec, LogSourceSpec, NotifierSpec,
    StorageBackendSpec, TextFilterSpec, VolatileBackendSpec,
)  # fmt: skip

ENTRY_POINT_GROUP = "mobile_codex"
BUILTIN_DISTRIBUTION = "mobile-codex"

DEFAULT_PLUGINS: tuple[str, ...] = (
    "mobile_codex.plugins.actions.argv_actions",
    "mobile_codex.plugins.logs.file_tail",
    "mobile_codex.plugins.logs.journal",
    "mobile_codex.plugins.exec_modes.codex_modes",
    "mobile_codex.plugins.storage.sqlite",
    "mobile_codex.plugins.storage.postgres",
    "mobile_codex.plugins.storage.json_state",
    "mobile_codex.plugins.volatile.memory",
    "mobile_codex.plugins.volatile.redis",
    "mobile_codex.plugins.notifiers.web_push",
    "mobile_codex.plugins.filters.secrets",
)


def normalize_distribution(name: str) -> str:
    """PEP 503 normalisation: `Mobile_Codex.Extras` == `mobile-codex-extras`."""
    return re.sub(r"[-_.]+", "-", name).lower()


@attrs.frozen(kw_only=True)
class PluginInfo:
    """One row of `mobile-codex plugins`: what is installed and what happened to it."""

    name: str
    source: str  # "builtin" | "entry-point"
    distribution: str
    entry_point: str | None
    target: str  # module path (or module:attr) the plugin lives at
    allowed: bool
    loaded: bool
    reason: str
    hooks: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "distribution": self.distribution,
            "entryPoint": self.entry_point,
            "target": self.target,
            "allowed": self.allowed,
            "loaded": self.loaded,
            "reason": self.reason,
            "hooks": list(self.hooks),
        }


def is_allowed(distribution: str, entry_point: str, allow: Iterable[str]) -> bool:
    dist = normalize_distribution(distribution)
    for rule in allow:
        rule_dist, _, rule_ep = rule.partition(":")
        if normalize_distribution(rule_dist) == dist and (not rule_ep or rule_ep == entry_point):
            return True
    return False


def discover_entry_points() -> list[metadata.EntryPoint]:
    """Installed entry points of our group, one per (distribution, name)."""
    seen: dict[tuple[str, str], metadata.EntryPoint] = {}
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = normalize_distribution(ep.dist.name if ep.dist else "")
        seen.setdefault((dist, ep.name), ep)
    return list(seen.values())


class Plugins:
    """The registered plugins of one process, and typed access to their contributions.

    `gated` holds the plugins a feature flag kept from registering: they contribute nothing,
    but their config models still check their config (`config_models`).
    """

    def __init__(self, pm: pluggy.PluginManager, report: list[PluginInfo], gated: dict[str, object] | None = None):
        self.pm = pm
        self.report = report
        self.gated = dict(gated or {})

    def config_models(self, side: str) -> dict[str, Contribution]:
        """The ConfigModelSpecs of every loaded or gated plugin, keyed by the place they check:
        `logSources.<kind>`, `storage.<backend>` or `plugins.config.<distribution>`."""
        distribution = {info.name: normalize_distribution(info.distribution) for info in self.report}
        found: dict[str, Contribution] = {}
        for plugin_name, function, argnames in self._config_model_impls():
            try:
                items = list(function(**{arg: side for arg in argnames}) or ())
            except (TypeError, ValueError) as err:  # e.g. a ConfigModelSpec it built wrongly
                raise PluginError(f"plugin {plugin_name}: register_config_models: {err}") from None
            for item in items:
                if not isinstance(item, ConfigModelSpec):
                    raise PluginError(
                        f"plugin {plugin_name}: register_config_models returned {type(item).__name__}, expected ConfigModelSpec"
                    )
                place = f"plugins.config.{distribution[plugin_name]}" if item.section == OWN_SECTION else f"{item.section}.{item.kind}"
                if place in found:
                    raise PluginError(
                        f"duplicate config model for {place}: given by plugin {found[place].plugin} and by plugin {plugin_name}"
                    )
                found[place] = Contribution(item=item, plugin=plugin_name)
        return found

    def _config_model_impls(self):
        """(plugin name, function, argument names) of each register_config_models, in load order."""
        registered = {impl.plugin_name: (impl.function, impl.argnames) for impl in self.pm.hook.register_config_models.get_hookimpls()}
        for info in self.report:
            if info.name in registered:
                yield (info.name, *registered[info.name])
            elif info.name in self.gated:
                function = getattr(self.gated[info.name], "register_config_models", None)
                if function is not None and hasattr(function, f"{hookspecs.PROJECT}_impl"):
                    argnames = tuple(inspect.signature(function).parameters)
                    if not set(argnames) <= {"side"}:
                        raise PluginError(f"plugin {info.name}: register_config_models takes unknown arguments {argnames}")
                    yield info.name, function, argnames

    def actions(self, config) -> dict[str, Contribution]:
        return self._collect("register_actions", ActionSpec, "action", config=config)

    def log_sources(self, config) -> dict[str, Contribution]:
        return self._collect("register_log_sources", LogSourceSpec, "log source", config=config)

    def exec_modes(self, config) -> dict[str, Contribution]:
        return self._collect("register_exec_modes", ExecModeSpec, "exec mode", config=config)

    def text_filters(self, config) -> dict[str, Contribution]:
        return self._collect("register_text_filters", TextFilterSpec, "text filter", config=config)

    def notifiers(self, config, store) -> dict[str, Contribution]:
        return self._collect("register_notifiers", NotifierSpec, "notifier", config=config, store=store)

    def storage_backends(self) -> dict[str, Contribution]:
        return self._collect("register_storage_backends", StorageBackendSpec, "storage backend", id_attr="name")

    def volatile_backends(self) -> dict[str, Contribution]:
        return self._collect("register_volatile_backends", VolatileBackendSpec, "volatile backend", id_attr="name")

    def _collect(self, hook_name: str, kind: type, what: str, *, id_attr: str = "id", **kwargs) -> dict[str, Contribution]:
        """Call each implementation separately so every item is tagged with its plugin."""
        found: dict[str, Contribution] = {}
        hook = getattr(self.pm.hook, hook_name)
        for impl in hook.get_hookimpls():  # in registration order (pluggy *calls* them in reverse)
            items = impl.function(**{arg: kwargs[arg] for arg in impl.argnames}) or ()
            for item in items:
                if not isinstance(item, kind):
                    raise PluginError(
                        f"plugin {impl.plugin_name}: {hook_name} returned {type(item).__name__}, expected {kind.__name__}"
                    )
                item_id = getattr(item, id_attr)
                if item_id in found:
                    raise PluginError(
                        f"duplicate {what} id {item_id!r}: given by plugin {found[item_id].plugin} "
                        f"and by plugin {impl.plugin_name}"
                    )
                found[item_id] = Contribution(item=item, plugin=impl.plugin_name)
        return found


def load_plugins(
    *,
    allow: Iterable[str] = (),
    flags: FeatureFlags = FeatureFlags(),
    builtins: Iterable[str] = DEFAULT_PLUGINS,
    entry_points: Iterable[metadata.EntryPoint] | None = None,
) -> Plugins:
    """Register built-in plugins and the allowed third-party ones; raise PluginError on problems."""
    allow = tuple(allow)
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    report: list[PluginInfo] = []
    gated: dict[str, object] = {}

    def register(plugin: object, info: PluginInfo) -> None:
        info = _register(pm, plugin, info, flags)
        if not info.loaded:
            gated[info.name] = plugin
        report.append(info)

    for module_path in builtins:
        plugin = importlib.import_module(module_path)
        register(plugin, PluginInfo(
            name=module_path, source="builtin", distribution=BUILTIN_DISTRIBUTION, entry_point=None,
            target=module_path, allowed=True, loaded=False, reason="",
        ))  # fmt: skip

    for ep in discover_entry_points() if entry_points is None else entry_points:
        dist = ep.dist.name if ep.dist else "?"
        name = f"{normalize_distribution(dist)}:{ep.name}"
        info = PluginInfo(
            name=name, source="entry-point", distribution=dist, entry_point=ep.name, target=ep.value,
            allowed=False, loaded=False, reason="",
        )
        if not is_allowed(dist, ep.name, allow):
            report.append(attrs.evolve(info, reason="not in plugins.allow"))
            continue
        try:
            plugin = ep.load()
        except Exception as err:  # a broken third-party package must not hide behind a traceback
            raise PluginError(f"plugin {name}: import of {ep.value} failed: {type(err).__name__}: {err}") from err
        register(plugin, attrs.evolve(info, allowed=True))

    try:
        pm.check_pending()
    except pluggy.PluginValidationError as err:
        raise PluginError(str(err)) from None  # names the plugin and the misspelled hook
    return Plugins(pm, report, gated)


def _register(pm: pluggy.PluginManager, plugin: object, info: PluginInfo, flags: FeatureFlags) -> PluginInfo:
    required = tuple(getattr(plugin, "REQUIRES_FLAGS", ()))
    unknown = [flag for flag in required if flag not in FLAG_KEYS]
    if unknown:
        raise PluginError(f"plugin {info.name}: REQUIRES_FLAGS names unknown feature flag {unknown[0]!r}")
    off = [flag for flag in required if not flags.enabled(flag)]
    if off:
        return attrs.evolve(info, reason=f"feature flag {', '.join(off)} is off")
    try:
        pm.register(plugin, name=info.name)
    except ValueError as err:  # pluggy: the same plugin object or name registered twice
        raise PluginError(f"plugin {info.name}: {err}") from None
    except pluggy.PluginValidationError as err:
        raise PluginError(f"plugin {info.name}: {err}") from None
    hooks = tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or ()))
    return attrs.evolve(info, loaded=True, reason="loaded", hooks=hooks)
