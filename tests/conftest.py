"""Shared fixtures: paths, reference fixtures copied to tmp, running the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from .servers.postgres import start_postgres

REPO = Path(__file__).resolve().parent.parent
# The project's own test data (tests/fixtures/*/README.md say where each came from): the suite reads
# nothing outside the repository, so a plain clone passes it.
REFERENCE = Path(__file__).resolve().parent / "fixtures" / "reference"
API_MD = Path(__file__).resolve().parent / "fixtures" / "spec" / "API.md"
# Fixtures that make a test end to end: the real Chromium and the real Codex CLI (pytest.ini, `slow`).
E2E_FIXTURES = {"chromium", "codex_bin"}


def pytest_collection_modifyitems(items):
    """Mark `slow` every test that drives Chromium or runs Codex, so no new one can miss the mark;
    tests that start relay, agent or `up` processes carry `@pytest.mark.slow` themselves."""
    for item in items:
        if E2E_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def reference(tmp_path) -> Path:
    """A writable copy of tests/fixtures/reference: tests write their variants beside the originals."""
    target = tmp_path / "reference"
    shutil.copytree(REFERENCE, target)
    return target


def dirs_under(folder: Path) -> dict[str, str]:
    """Environment that points platformdirs (HOME, XDG_*) into `folder`, so tests never touch real dirs."""
    home = folder / "home"
    home.mkdir()
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
    }


@pytest.fixture
def user_dirs(tmp_path) -> dict[str, str]:
    return dirs_under(tmp_path)


@pytest.fixture
def run_cli(user_dirs):
    """Run `mobile-codex ARGS` as a subprocess of this interpreter; returns CompletedProcess."""
    return cli_runner(user_dirs)


def cli_runner(user_dirs: dict[str, str]):
    """What `run_cli` gives, for fixtures of a wider scope."""

    def run(*args: str, stdin: str | None = None, env: dict | None = None, cwd: Path | None = None):
        full_env = {**os.environ, **user_dirs, **(env or {})}
        return subprocess.run(
            [sys.executable, "-m", "mobile_codex.cli.main", *map(str, args)],
            input=stdin, capture_output=True, text=True, env=full_env, cwd=cwd, timeout=120,
        )

    return run


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def redis_server():
    """This run's own Redis (tests/servers/redis.py), without persistence, stopped at the end."""
    from tests.servers.redis import RedisServer

    server = RedisServer()
    yield server
    server.close()


@pytest.fixture
def redis_url(redis_server) -> str:
    """The session's Redis, emptied for this test."""
    if redis_server.process is None:
        redis_server.start()  # a test stopped it to see the relay answer 503
    redis_server.flush()
    return redis_server.url


@pytest.fixture(scope="session")
def postgres_server():
    """This run's own PostgreSQL cluster (tests/servers/postgres.py), stopped and removed at the end."""
    server = start_postgres()
    yield server
    server.destroy()


@pytest.fixture
def postgres_dsn(postgres_server, request) -> str:
    """A new empty database on the run's cluster for this test alone; dropped afterwards."""
    name = "t_" + uuid.uuid4().hex[:16]
    dsn = postgres_server.create_database(name)
    yield dsn
    if postgres_server.running:
        postgres_server.drop_database(name)
