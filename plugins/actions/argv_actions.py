"""Argv actions from the agent config (`actions`): the operator's predefined commands."""

from __future__ import annotations

from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import ActionSpec

REQUIRES_FLAGS = ("runAction",)


@hookimpl
def register_actions(config):
    return [
        ActionSpec(id=action_id, label=action.label, argv=action.argv, cwd=action.cwd, timeout_sec=action.timeout_sec)
        for action_id, action in config.actions.items()
    ]
