"""Built-in Codex exec modes: command lines as PRODUCT.md's checked Codex facts say."""

from __future__ import annotations

from pathlib import Path

import pytest

from mobile_codex.core.config import load_agent_config
from mobile_codex.core.plugin_types import CodexRun
from mobile_codex.core.plugins import load_plugins

from .conftest import write_json

EVIL = "--dangerously-bypass-approvals-and-sandbox"


@pytest.fixture
def modes(tmp_path):
    config = load_agent_config(write_json(tmp_path / "agent.json", {
        "relayBaseUrl": "http://localhost:8787", "agentId": "box", "workspaceRoot": str(tmp_path)}))  # fmt: skip
    return {mode_id: c.item for mode_id, c in load_plugins(entry_points=[]).exec_modes(config).items()}


def run(**extra):
    return CodexRun(binary="codex", cwd=Path("/ws/app"), prompt=EVIL, output_file=Path("/tmp/out.txt"), **extra)


def test_modes_declare_their_flags(modes):
    assert {m: (s.writes, s.flags) for m, s in modes.items()} == {
        "read-only": (False, ("codexExec",)),
        "workspace-write": (True, ("codexExec", "codexExecWrite")),
        "resume": (False, ("codexExec",)),
    }


@pytest.mark.parametrize(("mode", "sandbox"), [("read-only", "read-only"), ("workspace-write", "workspace-write")])
def test_exec_command_line(modes, mode, sandbox):
    argv = modes[mode].build_command(run(model="gpt-x", extra_args=("--color", "never")))
    assert argv == ["codex", "exec", "--json", "--skip-git-repo-check", "-C", "/ws/app", "--sandbox", sandbox,
                    "-o", "/tmp/out.txt", "-m", "gpt-x", "--color", "never", "--", EVIL]  # fmt: skip
    assert "--full-auto" not in argv


def test_resume_is_read_only_with_the_outer_cwd(modes):
    argv = modes["resume"].build_command(run(session_id="0199a213-81c0-7800-8aa1-bbab2a035a53"))
    assert argv == ["codex", "exec", "-C", "/ws/app", "resume", "--json", "--skip-git-repo-check", "-o", "/tmp/out.txt",
                    "-c", 'sandbox_mode="read-only"', "0199a213-81c0-7800-8aa1-bbab2a035a53", "--", EVIL]  # fmt: skip
    with pytest.raises(ValueError):
        modes["resume"].build_command(run())


def test_the_prompt_is_always_the_last_argument_after_the_separator(modes):
    for spec in modes.values():
        argv = spec.build_command(run(session_id="s"))
        assert argv[-2:] == ["--", EVIL] and argv.count(EVIL) == 1
