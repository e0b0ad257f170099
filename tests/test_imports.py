"""Every boundary between the packages, checked on the source: no module imports what its layer must not.

core/ is what every side shares; plugins/ get what they need from core/ alone; the relay and the
agent meet only over HTTP; only cli/ (the composition root) imports both apps. A plugin reaches
an app only through the plugin manager, never by an import in either direction.
Imports are read with `ast` (guarded `TYPE_CHECKING` ones and those inside functions too); the
built-in plugins that core/plugins.py imports by module path string (DEFAULT_PLUGINS) are not
imports of core/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
APPS = ("relay_app", "agent_app")

# package folder -> the packages its modules must never import
FORBIDDEN = {
    "core": ("relay_app", "agent_app", "cli", "plugins"),
    "plugins": ("relay_app", "agent_app", "cli"),
    "relay_app": ("agent_app", "cli", "plugins"),
    "agent_app": ("relay_app", "cli", "plugins"),
}


def imported_modules(path: Path, root: Path = REPO) -> set[str]:
    """Absolute module names a file imports (relative imports resolved against its package)."""
    package = ["mobile_codex", *path.relative_to(root).parent.parts]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def is_in(name: str, package: str) -> bool:
    return name == f"mobile_codex.{package}" or name.startswith(f"mobile_codex.{package}.")


def modules_of(folder: str, root: Path = REPO) -> list[Path]:
    files = sorted(path for path in (root / folder).rglob("*.py") if "__pycache__" not in path.parts)
    assert files, folder
    return files


def offenders(folder: str, forbidden: tuple[str, ...], root: Path = REPO) -> dict[str, list[str]]:
    """Module (relative path) -> the forbidden modules it imports."""
    found = {}
    for path in modules_of(folder, root):
        names = sorted(name for name in imported_modules(path, root) if any(is_in(name, other) for other in forbidden))
        if names:
            found[str(path.relative_to(root))] = names
    return found


@pytest.mark.parametrize(("folder", "forbidden"), sorted(FORBIDDEN.items()))
def test_no_package_imports_what_its_layer_must_not(folder, forbidden):
    assert offenders(folder, forbidden) == {}


@pytest.mark.parametrize("folder", ["core", "plugins", "relay_app", "agent_app", "web", "bench"])
def test_only_cli_imports_both_apps(folder):
    both = {}
    for path in modules_of(folder):
        names = imported_modules(path)
        if all(any(is_in(name, app) for name in names) for app in APPS):
            both[str(path.relative_to(REPO))] = sorted(names)
    assert both == {}


def test_the_check_sees_relative_and_nested_imports():
    names = imported_modules(REPO / "agent_app" / "agent.py")
    assert "mobile_codex.agent_app.runner.TaskRunner" in names
    names = imported_modules(REPO / "core" / "config" / "agent.py")
    assert "mobile_codex.core.features.FeatureFlags" in names  # `from ..features import FeatureFlags`
    assert not is_in("mobile_codex.core.plugins", "plugins")  # core's plugin manager is not plugins/


def test_a_back_door_is_caught(tmp_path):
    """Control: the check does fail on a plugin that imports the agent, wherever the import hides."""
    fake = tmp_path / "plugins" / "logs"
    fake.mkdir(parents=True)
    (fake / "sneaky.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from mobile_codex.agent_app import process\n"
        "def later():\n    from ...relay_app.services import importer\n"
    )
    assert offenders("plugins", FORBIDDEN["plugins"], root=tmp_path) == {
        "plugins/logs/sneaky.py": ["mobile_codex.agent_app", "mobile_codex.agent_app.process",
                                   "mobile_codex.relay_app.services", "mobile_codex.relay_app.services.importer"],
    }  # fmt: skip
