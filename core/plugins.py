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
import re
from typing import Any, Iterable

import attrs
import pluggy

from . import hookspecs
from .errors import PluginError
from .features import FLAG_KEYS, FeatureFlags
from .plugin_types import ActionSpec, Contribution, ExecModeSpec, LogSourceSpec, StorageBackendSpec

ENTRY_POINT_GROUP = "mobile_codex"
BUILTIN_DISTRIBUTION = "mobile-codex"

DEFAULT_PLUGINS: tuple[str, ...] = (
    "mobile_codex.plugins.actions.argv_actions",
    "mobile_codex.plugins.logs.file_tail",
    "mobile_codex.plugins.logs.journal",
    "mobile_codex.plugins.exec_modes.codex_modes",
    "mobile_codex.plugins.storage.sqlite",
    "mobile_codex.plugins.storage.json_state",
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
    """The registered plugins of one process, and typed access to their contributions."""

    def __init__(self, pm: pluggy.PluginManager, report: list[PluginInfo]):
        self.pm = pm
        self.report = report

    def actions(self, config) -> dict[str, Contribution]:
        return self._collect("register_actions", ActionSpec, "action", config=config)

    def log_sources(self, config) -> dict[str, Contribution]:
        return self._collect("register_log_sources", LogSourceSpec, "log source", config=config)

    def exec_modes(self, config) -> dict[str, Contribution]:
        return self._collect("register_exec_modes", ExecModeSpec, "exec mode", config=config)

    def storage_backends(self) -> dict[str, Contribution]:
        return self._collect("register_storage_backends", StorageBackendSpec, "storage backend", id_attr="name")

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

    for module_path in builtins:
        plugin = importlib.import_module(module_path)
        info = PluginInfo(
            name=module_path, source="builtin", distribution=BUILTIN_DISTRIBUTION, entry_point=None,
            target=module_path, allowed=True, loaded=False, reason="",
        )
        report.append(_register(pm, plugin, info, flags))

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
        report.append(_register(pm, plugin, attrs.evolve(info, allowed=True), flags))

    try:
        pm.check_pending()
    except pluggy.PluginValidationError as err:
        raise PluginError(str(err)) from None  # names the plugin and the misspelled hook
    return Plugins(pm, report)


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
