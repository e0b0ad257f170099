"""Returns a dict where an ActionSpec is expected."""

from mobile_codex.core.hookspecs import hookimpl


@hookimpl
def register_actions(config):
    return [{"id": "raw", "label": "raw", "argv": ["true"]}]
