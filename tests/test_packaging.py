"""`pip install .` and `pip install -e .` both give a working `mobile_codex` with its web assets."""

from __future__ import annotations

import importlib.resources
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from .conftest import REPO

PROBE = """
import importlib.resources, json, mobile_codex.core.plugins as p, mobile_codex.web as w
html = importlib.resources.files("mobile_codex.web").joinpath("index.html").read_text()
print(json.dumps({"web": w.__file__, "core": p.__file__, "html": "<html" in html}))
"""


def test_editable_install_serves_the_repository_folders():
    """The test environment itself is an editable install (the test command uses `pip install -e`)."""
    import mobile_codex.core as core
    import mobile_codex.web as web

    assert Path(core.__file__).resolve() == REPO / "core" / "__init__.py"
    assert Path(web.__file__).resolve().parent == REPO / "web"
    assert "<html" in importlib.resources.files("mobile_codex.web").joinpath("index.html").read_text()


@pytest.mark.slow  # a real `pip install .`
def test_regular_install_has_the_mapped_packages_web_assets_and_script(tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(target), str(REPO)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    installed = target / "mobile_codex"
    assert (installed / "web" / "index.html").is_file()

    def files(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}

    assert files(REPO / "web") - files(installed / "web") == set()  # every screen, string table and icon ships
    assert (installed / "plugins" / "storage" / "sqlite").is_dir()
    assert not (target / "core").exists() and not (target / "plugins").exists()  # nothing generic at the top
    assert (target / "bin" / "mobile-codex").is_file()

    # -S: skip site-packages' .pth files, so the editable finder of the test venv cannot answer;
    # dependencies come from the venv's site-packages added by hand after the target.
    deps = sysconfig.get_paths()["purelib"]
    done = subprocess.run(
        [sys.executable, "-S", "-c", PROBE], env={"PYTHONPATH": f"{target}:{deps}"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    import json

    found = json.loads(done.stdout)
    assert found["html"] is True
    assert Path(found["web"]).parent == installed / "web"
    assert Path(found["core"]).parent == installed / "core"
