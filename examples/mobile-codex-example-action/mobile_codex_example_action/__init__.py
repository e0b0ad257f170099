"""An example action pack: one action that reports the workspace's disk usage.

A plugin module needs only `@hookimpl` functions named after the hooks in
`mobile_codex.core.hookspecs`. `REQUIRES_FLAGS` keeps it unregistered while `runAction` is off.
"""

from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import ActionSpec

REQUIRES_FLAGS = ("runAction",)


@hookimpl
def register_actions(config):
    # An argv list, never a shell string; cwd is relative to the agent's workspaceRoot.
    return [ActionSpec(id="disk-usage", label="Disk usage of the workspace", argv=("du", "-sh", "."), timeout_sec=60)]
