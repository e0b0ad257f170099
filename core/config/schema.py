"""A small declarative schema for JSON config files.

Config models are frozen attrs classes whose fields are declared with `setting(...)`. The
field `listen_port` is the key `listenPort`. `build()` walks a parsed JSON object, collects
*every* problem as a `ConfigIssue` (file, dotted key, what was expected) and returns the model
only when there were none — so `check` can report all bad keys at once, never a traceback.
Plugins declare the models of their own config sections with the same pieces (`setting`,
`integer`, `string`, `path`, ... and an optional `finish`), see docs/plugins.md.
"""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path
from typing import Any, Callable

import attrs

from ..casing import to_camel
from ..errors import ConfigIssue

REQUIRED = attrs.NOTHING


class Invalid(Exception):
    """Raised by a parser; the message says what was expected."""


@attrs.frozen
class Context:
    """Where a config came from: messages name `file`; relative paths resolve against `base_dir`."""

    file: str
    base_dir: Path


def setting(default: Any = REQUIRED, parse: "Parser | None" = None, *, factory: Callable | None = None, key: str = ""):
    """Declare one config key. `parse` validates and converts the JSON value."""
    metadata = {"parse": parse, "key": key}
    if factory is not None:
        return attrs.field(factory=factory, metadata=metadata)
    return attrs.field(default=default, metadata=metadata)


camel = to_camel  # `listen_port` -> `listenPort`


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


# --- parsers -------------------------------------------------------------------------------
# A parser is a callable (value, ctx, key, issues) -> converted value. Leaf parsers raise
# Invalid; container parsers append nested issues themselves.

Parser = Callable[[Any, Context, str, list], Any]


def integer(lo: int, hi: int) -> Parser:
    def parse(value, ctx, key, issues):
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise Invalid(f"expected an integer, got {json_type(value)}")
        if not lo <= value <= hi:
            raise Invalid(f"expected an integer from {lo} to {hi}, got {value}")
        return value

    return parse


def boolean(value, ctx, key, issues):
    if not isinstance(value, bool):
        raise Invalid(f"expected true or false, got {json_type(value)}")
    return value


def string(*, pattern: str | None = None, expected: str = "", non_empty: bool = False, min_len: int = 0) -> Parser:
    compiled = re.compile(pattern) if pattern else None

    def parse(value, ctx, key, issues):
        if not isinstance(value, str):
            raise Invalid(f"expected a string, got {json_type(value)}")
        if non_empty and not value.strip():
            raise Invalid("expected a non-empty string")
        if len(value) < min_len:
            raise Invalid(f"expected at least {min_len} characters, got {len(value)}")
        if compiled and not compiled.fullmatch(value):
            raise Invalid(f"expected {expected}, got {shown(value)}")
        return value

    return parse


def choice(*options: str) -> Parser:
    def parse(value, ctx, key, issues):
        if value not in options:
            raise Invalid(f"expected one of {', '.join(options)}, got {shown(value)}")
        return value

    return parse


def string_list(*, non_empty: bool = False, item: Parser | None = None) -> Parser:
    def parse(value, ctx, key, issues):
        if not isinstance(value, list):
            raise Invalid(f"expected an array of strings, got {json_type(value)}")
        if non_empty and not value:
            raise Invalid("expected a non-empty array of strings")
        out = []
        for index, entry in enumerate(value):
            if not isinstance(entry, str) or (non_empty and not entry):
                raise Invalid(f"expected an array of non-empty strings, item {index} is {shown(entry)}")
            if item is None:
                out.append(entry)
                continue
            try:
                out.append(item(entry, ctx, f"{key}[{index}]", issues))
            except Invalid as err:
                issues.append(ConfigIssue(ctx.file, f"{key}[{index}]", str(err)))
        return tuple(out)

    return parse


def path(*, absolute_only: bool = False, empty_is_none: bool = False) -> Parser:
    """A filesystem path; a relative one resolves against the config file's folder.

    With `empty_is_none`, "" means "not set" (None), for keys whose default is found elsewhere.
    """

    def parse(value, ctx, key, issues):
        if empty_is_none and value == "":
            return None
        if not isinstance(value, str) or not value.strip():
            raise Invalid(f"expected a path string, got {shown(value)}")
        candidate = Path(value).expanduser()
        if absolute_only and not candidate.is_absolute():
            raise Invalid(f"expected an absolute path, got {shown(value)}")
        return candidate if candidate.is_absolute() else (ctx.base_dir / candidate).resolve()

    return parse


def http_url(*, origin_only: bool = False) -> Parser:
    from urllib.parse import urlsplit

    what = "an http(s) origin (scheme://host[:port], no path)" if origin_only else "an http(s) URL"

    def parse(value, ctx, key, issues):
        if not isinstance(value, str):
            raise Invalid(f"expected a string, got {json_type(value)}")
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise Invalid(f"expected {what}, got {shown(value)}") from None
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        if origin_only:
            ok = ok and parts.path in ("", "/") and not parts.query and not parts.fragment and not parts.username
        if not ok:
            raise Invalid(f"expected {what}, got {shown(value)}")
        if origin_only:
            return f"{parts.scheme}://{parts.netloc.lower()}"
        return value.rstrip("/")

    return parse


def ip_network(value, ctx, key, issues):
    if not isinstance(value, str):
        raise Invalid(f"expected an IP address or network, got {json_type(value)}")
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise Invalid(f"expected an IP address or network, got {shown(value)}") from None


def network_list(value, ctx, key, issues):
    if not isinstance(value, list):
        raise Invalid(f"expected an array of IP addresses or networks, got {json_type(value)}")
    out = []
    for index, entry in enumerate(value):
        try:
            out.append(ip_network(entry, ctx, key, issues))
        except Invalid as err:
            issues.append(ConfigIssue(ctx.file, f"{key}[{index}]", str(err)))
    return tuple(out)


def plugin_owned(value, ctx, key, issues):
    """A section the plugins' config models check once the plugins are loaded
    (core/config/plugin_sections.py): kept as written until then."""
    return value


def section(model: type) -> Parser:
    """A nested object described by another config model."""

    def parse(value, ctx, key, issues):
        return build(model, value, ctx, key, issues)

    return parse


def mapping_of(pick_model: Callable[[dict], type], *, id_pattern: str, id_expected: str) -> Parser:
    """An object of id -> nested object; `pick_model` chooses the model for each entry."""
    compiled = re.compile(id_pattern)

    def parse(value, ctx, key, issues):
        if not isinstance(value, dict):
            raise Invalid(f"expected an object, got {json_type(value)}")
        out = {}
        for entry_id, entry in value.items():
            entry_key = f"{key}.{entry_id}"
            if not compiled.fullmatch(entry_id):
                issues.append(ConfigIssue(ctx.file, entry_key, f"expected an id of {id_expected}"))
                continue
            if not isinstance(entry, dict):
                issues.append(ConfigIssue(ctx.file, entry_key, f"expected an object, got {json_type(entry)}"))
                continue
            try:
                model = pick_model(entry)
            except Invalid as err:
                issues.append(ConfigIssue(ctx.file, entry_key, str(err)))
                continue
            built = build(model, entry, ctx, entry_key, issues, entry_id=entry_id)
            if built is not None:
                out[entry_id] = built
        return out

    return parse


def label_defaults_to_id(values, ctx, entry_id="", **_):
    """`finish` for an entry model (`actions.<id>`, `logSources.<id>`): `label` defaults to the id."""
    values.setdefault("label", entry_id)
    return []


# --- the walker ----------------------------------------------------------------------------


def build(model: type, value: Any, ctx: Context, prefix: str, issues: list, **extra: Any):
    """Validate `value` against `model`; append issues; return the instance or None."""
    if not isinstance(value, dict):
        issues.append(ConfigIssue(ctx.file, prefix or "(top level)", f"expected an object, got {json_type(value)}"))
        return None
    ignored = getattr(model, "IGNORED_KEYS", ())
    fields = {f.metadata.get("key") or camel(f.name): f for f in attrs.fields(model) if "parse" in f.metadata}
    before = len(issues)
    for given in value:  # in file order, so messages follow the file
        if given not in fields and given not in ignored:
            issues.append(ConfigIssue(ctx.file, _join(prefix, given), "unknown key"))
    kwargs: dict[str, Any] = {}
    for key, field in fields.items():
        dotted = _join(prefix, key)
        if key not in value:
            if field.default is REQUIRED:
                issues.append(ConfigIssue(ctx.file, dotted, "required key is missing"))
            continue
        parse = field.metadata["parse"]
        try:
            kwargs[field.name] = parse(value[key], ctx, dotted, issues)
        except Invalid as err:
            issues.append(ConfigIssue(ctx.file, dotted, str(err)))
    finish = getattr(model, "finish", None)
    if finish is not None and len(issues) == before:
        # Derived defaults and cross-key rules, once the keys themselves are valid.
        for dotted_key, message in finish(kwargs, ctx, **extra) or ():
            issues.append(ConfigIssue(ctx.file, _join(prefix, dotted_key), message))
    if len(issues) != before:
        return None
    return model(**kwargs)


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key
