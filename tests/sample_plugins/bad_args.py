"""A hook implementation asking for an argument the spec does not have."""

from mobile_codex.core.hookspecs import hookimpl


@hookimpl
def register_actions(config, relay):
    return []
