"""Feature flags: one model shared by relay and agent.

A capability works only when both ends enable it, so the value that matters is
`effective(relay, agent)`, the field-wise AND. Keys on the wire and in config files are
camelCase; attribute names are their snake_case twins.
"""

from __future__ import annotations

import attrs

from .casing import to_camel, to_snake


@attrs.frozen(kw_only=True)
class FeatureFlags:
    pairings: bool = True
    codex_exec: bool = True
    codex_exec_write: bool = False
    read_session: bool = True
    delete_session: bool = True
    run_action: bool = True
    read_log: bool = True
    notifications: bool = True  # relay only: telling people what happened (issue 17)

    def enabled(self, key: str) -> bool:
        """Value of one flag by its camelCase key (`runAction`)."""
        return getattr(self, _attr(key))

    def to_dict(self) -> dict[str, bool]:
        return {_key(field.name): getattr(self, field.name) for field in attrs.fields(FeatureFlags)}

    @classmethod
    def from_dict(cls, values: dict[str, bool]) -> "FeatureFlags":
        """Build from camelCase keys; missing keys keep their defaults, unknown keys raise KeyError."""
        unknown = set(values) - set(FLAG_KEYS)
        if unknown:
            raise KeyError(sorted(unknown)[0])
        return cls(**{_attr(key): bool(value) for key, value in values.items()})


def effective(relay: FeatureFlags, agent: FeatureFlags) -> FeatureFlags:
    """What actually works for one agent: a flag is on only when both ends have it on."""
    return FeatureFlags(
        **{f.name: getattr(relay, f.name) and getattr(agent, f.name) for f in attrs.fields(FeatureFlags)}
    )


def _key(attr_name: str) -> str:
    return to_camel(attr_name)


def _attr(key: str) -> str:
    if key not in FLAG_KEYS:
        raise KeyError(key)
    return to_snake(key)


FLAG_KEYS: tuple[str, ...] = tuple(_key(f.name) for f in attrs.fields(FeatureFlags))
