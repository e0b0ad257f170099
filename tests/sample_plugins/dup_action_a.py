"""Gives action id `deploy`, like its twin dup_action_b: start-up must stop."""

from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import ActionSpec


@hookimpl
def register_actions(config):
    return [ActionSpec(id="deploy", label="Deploy (a)", argv=("true",))]
