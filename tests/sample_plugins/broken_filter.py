"""A text filter that always raises: the agent must withhold the text rather than send it unfiltered."""

from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import TextFilterSpec


def _find(text, where):
    raise RuntimeError("this filter is broken")


@hookimpl
def register_text_filters(config):
    return [TextFilterSpec(id="broken", label="Broken on purpose", find=_find)]
