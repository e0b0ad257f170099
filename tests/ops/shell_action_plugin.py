"""A plugin that adds its own actions, one of them a shell (for the `check` warning test)."""

from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import ActionSpec


@hookimpl
def register_actions(config):
    return [
        ActionSpec(id="cleanup", label="Clean up", argv=("bash", "-c", "rm -rf build")),
        ActionSpec(id="tests", label="Tests", argv=("python3", "-m", "pytest", "-q")),
    ]
