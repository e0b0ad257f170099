"""A third kind of log source, `{container, maxLines}`, the way a third-party plugin would add one."""

import attrs

from mobile_codex.core.config.schema import integer, label_defaults_to_id, setting, string
from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import ConfigModelSpec, LogSourceSpec, LogTail

REQUIRES_FLAGS = ("readLog",)


@attrs.frozen(kw_only=True)
class ContainerLogConfig:
    label: str = setting("", string(non_empty=True))
    container: str = setting(parse=string(non_empty=True))
    max_lines: int = setting(100, integer(1, 1000))

    finish = staticmethod(label_defaults_to_id)


@hookimpl
def register_config_models(side):
    return [ConfigModelSpec(section="logSources", kind="container", label="a container", model=ContainerLogConfig)]


@hookimpl
def register_log_sources(config):
    return [
        LogSourceSpec(id=source_id, label=source.label, read_tail=lambda: LogTail(text="", line_count=0))
        for source_id, source in config.log_sources.items()
        if isinstance(source, ContainerLogConfig)
    ]
