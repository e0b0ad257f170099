"""The agent and the relay meet only over HTTP: neither package imports the other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    """Absolute module names a file imports (relative imports resolved against its package)."""
    package = ["mobile_codex", *path.relative_to(REPO).parent.parts]
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


@pytest.mark.parametrize(("package", "forbidden"), [("agent_app", "relay_app"), ("relay_app", "agent_app")])
def test_no_import_between_agent_and_relay(package, forbidden):
    files = sorted((REPO / package).rglob("*.py"))
    assert files
    offenders = {
        str(path.relative_to(REPO)): sorted(name for name in imported_modules(path) if forbidden in name.split("."))
        for path in files
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_check_sees_relative_imports():
    names = imported_modules(REPO / "agent_app" / "agent.py")
    assert "mobile_codex.agent_app.runner.TaskRunner" in names
