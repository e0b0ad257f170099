"""Config pieces shared by relay and agent: feature flags and the plugin allowlist."""

from __future__ import annotations

import re

import attrs

from ..features import FLAG_KEYS, FeatureFlags
from .schema import Invalid, boolean, json_type, setting, shown, string_list

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


@attrs.frozen(kw_only=True)
class PluginsConfig:
    """Which third-party plugins may load: `"dist"` (all its entry points) or `"dist:entry-point"`."""

    allow: tuple[str, ...] = setting((), string_list(item=_allow_rule))
