"""Installs the example plugin and the test-only distributions into a temporary site dir."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "mobile-codex-example-action"
TEST_DISTS = [REPO / "tests" / "dists" / "squatter", REPO / "tests" / "dists" / "unlisted"]


def install(target: Path) -> Path:
    """`pip install --target` the three distributions (no deps: mobile-codex is already here)."""
    cmd = [
        sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
        "--no-index", "--target", str(target), str(EXAMPLE), *map(str, TEST_DISTS),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=300)
    return target
