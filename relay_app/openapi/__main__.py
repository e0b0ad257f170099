"""Write the OpenAPI document: `python -m mobile_codex.relay_app.openapi docs/openapi.json` (stdout without a path)."""

import sys
from pathlib import Path

from . import render

if len(sys.argv) > 1:
    Path(sys.argv[1]).write_text(render(), encoding="utf-8")
else:
    sys.stdout.write(render())
