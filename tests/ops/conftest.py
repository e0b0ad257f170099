"""Fixtures for the operations tests: production configs in tmp dirs, the installed executable."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

# `scaffold-production` puts the `mobile-codex` beside this interpreter into ExecStart.
INSTALLED = Path(sys.executable).parent / "mobile-codex"


@pytest.fixture
def production_configs(run_cli, tmp_path) -> tuple[Path, Path]:
    return write_production_configs(run_cli, tmp_path)


def write_production_configs(run_cli, tmp_path: Path) -> tuple[Path, Path]:
    """A production relay and agent config, written by the real commands into tmp.

    Paths contain a space and a percent sign so the units' quoting and specifier escaping are exercised.
    """
    root = tmp_path / "srv 1%"
    workspace = root / "work space"
    workspace.mkdir(parents=True)
    relay, agent = root / "relay.json", root / "agent.json"
    done = run_cli("init-relay", "--mode", "production", "--origin", "https://relay.example.com",
                   "--data-dir", root / "data", "--output", relay)  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = run_cli("init-agent", "--mode", "production", "--relay", "https://relay.example.com", "--workspace", workspace,
                   "--agent-id", "build-box", "--state-dir", root / "state", "--output", agent)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return relay, agent


def edit_json(path: Path, **changes) -> Path:
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data, indent=2))
    return path
