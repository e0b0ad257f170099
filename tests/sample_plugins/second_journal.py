"""Claims the journal's kind of log source (`unit`) a second time."""

import attrs

from mobile_codex.core.config.schema import setting, string
from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import ConfigModelSpec


@attrs.frozen(kw_only=True)
class OtherJournal:
    unit: str = setting(parse=string())


@hookimpl
def register_config_models():
    return [ConfigModelSpec(section="logSources", kind="unit", model=OtherJournal)]
