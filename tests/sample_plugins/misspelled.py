"""A plugin whose hook name has a typo: `register_action` (no s). Must fail at start-up."""

from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import ActionSpec


@hookimpl
def register_action(config):
    return [ActionSpec(id="typo", label="typo", argv=("true",))]
