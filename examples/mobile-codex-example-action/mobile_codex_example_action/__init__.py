"""An example action pack: one action that reports the workspace's disk usage.

A plugin module needs only `@hookimpl` functions named after the hooks in
`mobile_codex.core.hookspecs`. `REQUIRES_FLAGS` keeps it unregistered while `runAction` is off.
Its own config section, `plugins.config.mobile-codex-example-action`, is checked by `Settings`.
"""

import attrs

from mobile_codex.core.config.schema import integer, setting
from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import ActionSpec, ConfigModelSpec

DISTRIBUTION = "mobile-codex-example-action"
REQUIRES_FLAGS = ("runAction",)


@attrs.frozen(kw_only=True)
class Settings:
    """`plugins.config.mobile-codex-example-action`: `{"timeoutSec": 60}`."""

    timeout_sec: int = setting(60, integer(1, 3600))


@hookimpl
def register_config_models():
    return [ConfigModelSpec(model=Settings)]  # section "plugin": our own, named after the distribution


@hookimpl
def register_actions(config):
    # Checked, defaults filled in; None only for a config loaded without this plugin installed.
    settings = config.plugins.section(DISTRIBUTION) or Settings()
    # An argv list, never a shell string; cwd is relative to the agent's workspaceRoot.
    return [ActionSpec(id="disk-usage", label="Disk usage of the workspace", argv=("du", "-sh", "."),
                       timeout_sec=settings.timeout_sec)]  # fmt: skip
