"""What the docs may name, read from the code: commands and flags from the argparse parser,
config keys (dotted, with `<id>` for entries of `actions` and `logSources`) from the config models,
the built-in plugins' models included (log-source kinds, storage backends' keys)."""

from __future__ import annotations

import argparse
import inspect
import typing

import attrs

from mobile_codex.cli.main import build_parser
from mobile_codex.core.config import AgentConfig, RelayConfig
from mobile_codex.core.config.agent import ActionConfig
from mobile_codex.core.config.relay import StorageConfig
from mobile_codex.core.config.schema import REQUIRED, camel
from mobile_codex.core.features import FLAG_KEYS, FeatureFlags
from mobile_codex.core.plugins import load_plugins
from mobile_codex.plugins.notifiers.apprise_notifier import Channel, Settings

ID = "<id>"
BUILTINS = load_plugins(entry_points=[])


def _plugin_models(side: str, section: str) -> tuple[type, ...]:
    return tuple(c.item.model for place, c in BUILTINS.config_models(side).items() if place.startswith(f"{section}."))


ENTRY_MODELS = {"actions": (ActionConfig,), "logSources": _plugin_models("agent", "logSources")}
# Sections whose keys several models declare: the core's part and each built-in backend's.
SECTION_MODELS = {"storage": (StorageConfig, *_plugin_models("relay", "storage"))}


def commands() -> dict[str, set[str]]:
    """Subcommand -> its option strings (with --help), and those of its own subcommands (`agent trust`)."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {name: _options(p) for name, p in sub.choices.items()}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    options = set(parser._option_string_actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                options |= _options(child)
    return options


def top_level_flags() -> set[str]:
    return set(build_parser()._option_string_actions)


@attrs.frozen
class Key:
    path: str
    model: type | None  # the model declaring it (None for feature flags)
    field: attrs.Attribute | None


def _walk(model: type, prefix: str) -> typing.Iterator[Key]:
    hints = typing.get_type_hints(model)
    for field in attrs.fields(model):
        if "parse" not in field.metadata:
            continue
        key = field.metadata.get("key") or camel(field.name)
        path = f"{prefix}{key}"
        nested = hints.get(field.name)
        if nested is FeatureFlags:
            for flag in FLAG_KEYS:
                yield Key(f"{path}.{flag}", None, None)
        elif key in ENTRY_MODELS and not prefix:
            yield from _walk_all(ENTRY_MODELS[key], f"{path}.{ID}.")
        elif key in SECTION_MODELS and not prefix:
            yield from _walk_all(SECTION_MODELS[key], f"{path}.")
        elif isinstance(nested, type) and attrs.has(nested):
            yield from _walk(nested, f"{path}.")
        else:
            yield Key(path, model, field)
    for ignored in getattr(model, "IGNORED_KEYS", ()):
        yield Key(f"{prefix}{ignored}", model, None)


def _walk_all(models: tuple[type, ...], prefix: str) -> typing.Iterator[Key]:
    seen = set()
    for model in models:
        for sub in _walk(model, prefix):
            if sub.path not in seen:
                seen.add(sub.path)
                yield sub


def config_keys(model: type) -> dict[str, Key]:
    return {key.path: key for key in _walk(model, "")}


RELAY_KEYS = config_keys(RelayConfig)
AGENT_KEYS = config_keys(AgentConfig)
# The optional Apprise notifier's own section (plugins.config.mobile-codex): `channels` is a list of Channel.
APPRISE_KEYS = {**config_keys(Settings), **{f"channels[].{path}": key for path, key in config_keys(Channel).items()}}


def all_names() -> set[str]:
    """Every key segment (leaf or section) of either config."""
    names = set()
    for path in (*RELAY_KEYS, *AGENT_KEYS, *APPRISE_KEYS):
        names.update(part for part in path.split(".") if part != ID)
    return names


def default_of(key: Key):
    """The model's default for a leaf key, or REQUIRED."""
    if key.field is None:
        return FeatureFlags().enabled(key.path.rsplit(".", 1)[1]) if key.model is None else None
    if key.field.default is REQUIRED:
        return REQUIRED
    default = key.field.default
    return default.factory() if isinstance(default, attrs.Factory) else default


def parser_limits(key: Key) -> dict:
    """The closure variables of the key's parser (`lo`/`hi` for integers, `options` for choices)."""
    if key.field is None:
        return {}
    parse = key.field.metadata["parse"]
    if parse is None or not hasattr(parse, "__code__"):
        return {}
    return dict(inspect.getclosurevars(parse).nonlocals)
