"""Test plugin that must not be imported: importing it leaves a marker file."""

import os
from pathlib import Path

_marker_dir = os.environ.get("MC_TEST_IMPORT_MARKERS")
if _marker_dir:
    Path(_marker_dir, "mc_test_unlisted").write_text("imported")

from mobile_codex.core.hookspecs import hookimpl  # noqa: E402
from mobile_codex.core.plugin_types import ActionSpec  # noqa: E402


@hookimpl
def register_actions(config):
    return [ActionSpec(id="unlisted-action", label="should never load", argv=("true",))]
