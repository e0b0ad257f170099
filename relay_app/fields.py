"""Reading fields out of a parsed JSON body, the API.md way.

Wrong JSON type or a missing required field -> 400 `invalid-field` naming the field. Strings over
their byte budget are clamped (not an error), keeping the head; outputs keep the tail.
`null` counts as absent.
"""

from __future__ import annotations

from typing import Any, Iterable

from mobile_codex.core.text import clamp_head, clamp_tail

from .errors import invalid_field

__all__ = ["clamp_head", "clamp_tail", "text", "argument", "flag", "clamped_int", "choice", "obj", "array"]


def text(body: dict, name: str, budget: int, *, required: bool = False, default: str = "", tail: bool = False) -> str:
    value = body.get(name)
    if value is None:
        if required:
            raise invalid_field(name)
        return default
    if not isinstance(value, str):
        raise invalid_field(name)
    if required and not value.strip():
        raise invalid_field(name)
    return clamp_tail(value, budget) if tail else clamp_head(value, budget)


def argument(body: dict, name: str, budget: int, *, required: bool = False) -> str:
    """A text field the agent turns into a command-line argument, a path or an id (prompt, cwd,
    session and action ids): 400 `invalid-field` for a NUL byte, which no argv item or path can
    hold (the agent would fail the task on it; refused here, it never reaches one)."""
    value = text(body, name, budget, required=required)
    if "\0" in value:
        raise invalid_field(name)
    return value


def flag(body: dict, name: str, *, default: bool = False, required: bool = False) -> bool:
    value = body.get(name)
    if value is None:
        if required:
            raise invalid_field(name)
        return default
    if not isinstance(value, bool):
        raise invalid_field(name)
    return value


def clamped_int(body: dict, name: str, *, default: int, lo: int, hi: int) -> int:
    """An integer clamped into lo..hi (API.md clamps TTLs rather than refusing them)."""
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:  # NaN
        raise invalid_field(name)
    return int(min(max(value, lo), hi))


def choice(body: dict, name: str, options: Iterable[str], *, default: str | None = None) -> str:
    value = body.get(name)
    if value is None and default is not None:
        return default
    if value not in tuple(options):
        raise invalid_field(name)
    return value


def obj(body: dict, name: str) -> dict[str, Any] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid_field(name)
    return value


def array(body: dict, name: str) -> list | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list):
        raise invalid_field(name)
    return value
