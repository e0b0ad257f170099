"""Declares a feature flag that does not exist."""

from mobile_codex.core.hookspecs import hookimpl

REQUIRES_FLAGS = ("runActions",)


@hookimpl
def register_actions(config):
    return []
