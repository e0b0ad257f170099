"""Config pieces shared by relay and agent: feature flags, the plugin allowlist and plugins' own sections."""

from __future__ import annotations

import re

import attrs

from ..features import FLAG_KEYS, FeatureFlags
from ..plugins import normalize_distribution
from .schema import Invalid, boolean, json_type, plugin_owned, setting, shown, string_list

# PEP 508 distribution name, optionally ":<entry point name>".
_ALLOW_RULE = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?(:[A-Za-z0-9_.-]+)?")


def features(value, ctx, key, issues):
    """`features`: camelCase flag -> bool; unknown flag names are errors naming the key."""
    from ..errors import ConfigIssue

    if not isinstance(value, dict):
        raise Invalid(f"expected an object, got {json_type(value)}")
    flags = {}
    for name, flag in value.items():
        if name not in FLAG_KEYS:
            issues.append(ConfigIssue(ctx.file, f"{key}.{name}", "unknown key"))
            continue
        try:
            flags[name] = boolean(flag, ctx, f"{key}.{name}", issues)
        except Invalid as err:
            issues.append(ConfigIssue(ctx.file, f"{key}.{name}", str(err)))
    return FeatureFlags.from_dict(flags)


def _allow_rule(value, ctx, key, issues):
    if not _ALLOW_RULE.fullmatch(value):
        raise Invalid(f'expected "<distribution>" or "<distribution>:<entry point>", got {shown(value)}')
    return value


allow_rules = string_list(item=_allow_rule)


@attrs.frozen(kw_only=True)
class PluginsConfig:
    """Which third-party plugins may load (`allow`: `"dist"`, all its entry points, or
    `"dist:entry-point"`), and their own sections (`config`: `{distribution: {...}}`, each
    checked by that plugin's model; keys are PEP 503-normalised distribution names once loaded)."""

    allow: tuple[str, ...] = setting((), allow_rules)
    config: dict = setting(factory=dict, parse=plugin_owned)

    def section(self, distribution: str):
        """The checked section of plugin `distribution` (its model's instance), or None."""
        return self.config.get(normalize_distribution(distribution))
