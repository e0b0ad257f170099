"""Declares a config model for a section plugins cannot own (`actions` is the core's)."""

import attrs

from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import ConfigModelSpec


@attrs.frozen
class Anything:
    pass


@hookimpl
def register_config_models():
    return [ConfigModelSpec(model=Anything, section="actions", kind="script")]
