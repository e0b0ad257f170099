"""Returns a dict where a ConfigModelSpec is expected."""

from mobile_codex.core.hookspecs import hookimpl


@hookimpl
def register_config_models():
    return [{"section": "logSources", "kind": "path"}]
