"""The suite stands alone: no module imports a test module (shared helpers live in conftest.py or helper
modules), and nothing reads from outside the repository (the reference fixtures are tests/fixtures/)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
# The folder beside the repository that a clone does not have (written in parts so this file passes).
OUTSIDE_MARKERS = ("shared" + "/fixtures", "shared" + "/spec", "../" + "shared")


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts)


def imported_modules(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """(line, dotted name) of every module an import statement names, relative imports resolved.
    `from package import name` yields `package.name` too, since the name may be a submodule."""
    found = []
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def imports_of_test_modules(source: str, module: str) -> list[str]:
    return [
        f"line {line}: imports {name}"
        for line, name in imported_modules(ast.parse(source), module)
        if name.split(".")[0] == "tests" and name.rsplit(".", 1)[-1].startswith("test_")
    ]


def climbs(node: ast.AST) -> int | None:
    """How many folders up from the file a `Path(__file__)...` chain of `.parent` and `.parents[n]` goes;
    None for any other expression."""
    count = 0
    while True:
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            count, node = count + 1, node.value
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
            if not (isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, int)):
                return None
            count, node = count + node.slice.value + 1, node.value.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("resolve", "absolute"):
            node = node.func.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Path":
            from_file = len(node.args) == 1 and isinstance(node.args[0], ast.Name) and node.args[0].id == "__file__"
            return count if from_file else None
        else:
            return None


def reads_outside(source: str, relative: Path) -> list[str]:
    """Paths outside the repository: strings naming the folders beside it, and `__file__` climbs past its root."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [f"line {node.lineno}: {node.value!r}" for marker in OUTSIDE_MARKERS if marker in node.value][:1]
        elif isinstance(node, (ast.Attribute, ast.Subscript)):
            up = climbs(node)
            if up is not None and up > len(relative.parts):
                found.append(f"line {node.lineno}: climbs {up} folders from {relative}, past the repository")
        if isinstance(node, ast.Attribute) and node.attr == "parent" and isinstance(node.value, ast.Name):
            if node.value.id == "REPO":
                found.append(f"line {node.lineno}: REPO.parent is outside the repository")
    return found


def python_files() -> list[Path]:
    return sorted(path for path in TESTS.rglob("*.py") if "__pycache__" not in path.parts)


def test_the_checks_catch_what_they_are_for():
    module = "tests.agent.test_new"
    assert imports_of_test_modules("from .test_runner import finals", module) == ["line 1: imports tests.agent.test_runner"]
    assert imports_of_test_modules("from ..relay.test_x import y", module) == ["line 1: imports tests.relay.test_x"]
    assert imports_of_test_modules("import tests.web.test_shell", module) == ["line 1: imports tests.web.test_shell"]
    assert imports_of_test_modules("from tests.agent import test_up", module) == ["line 1: imports tests.agent.test_up"]
    assert imports_of_test_modules("from .conftest import finals\nfrom ..waiting import wait_until", module) == []
    relative = Path("tests/agent/test_new.py")
    assert reads_outside('FIXTURES = Path("/work/shared/' + 'fixtures/reference")', relative)
    assert reads_outside("SPEC = Path(__file__).resolve().parents[3] / 'spec'", relative)
    assert reads_outside("SPEC = Path(__file__).parent.parent.parent.parent / 'spec'", relative)
    assert reads_outside("OUT = REPO.parent / 'x'", relative)
    assert reads_outside("ROOT = Path(__file__).resolve().parents[2]", relative) == []  # the repository itself


def test_no_module_imports_a_test_module():
    offenders = {
        str(path.relative_to(REPO)): found
        for path in python_files()
        if (found := imports_of_test_modules(path.read_text(encoding="utf-8"), module_name(path)))
    }
    assert not offenders, f"move what they share into conftest.py or a helper module: {offenders}"


def test_nothing_is_read_from_outside_the_repository():
    offenders = {
        str(path.relative_to(REPO)): found
        for path in python_files()
        if (found := reads_outside(path.read_text(encoding="utf-8"), path.relative_to(REPO)))
    }
    assert not offenders, f"copy what the tests need under tests/fixtures/: {offenders}"
    assert len(python_files()) > 50  # the walk did find the suite
