"""Built-in Codex exec modes: command lines as PRODUCT.md's checked Codex facts say."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import attrs
import pytest

from mobile_codex.agent_app.agent import build_agent
from mobile_codex.agent_app.codex.binary import CodexBinary
from mobile_codex.agent_app.codex.exec_task import checked_command
from mobile_codex.agent_app.dispatch import TaskContext
from mobile_codex.agent_app.errors import TaskFailed
from mobile_codex.core.config import load_agent_config
from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import CodexRun, ExecModeSpec
from mobile_codex.core.plugins import load_plugins

from .agent.conftest import DEFAULT_CODEX
from .conftest import write_json

EVIL = "--dangerously-bypass-approvals-and-sandbox"


@pytest.fixture
def modes(tmp_path):
    config = load_agent_config(write_json(tmp_path / "agent.json", {
        "relayBaseUrl": "http://localhost:8787", "agentId": "box", "workspaceRoot": str(tmp_path)}))  # fmt: skip
    return {mode_id: c.item for mode_id, c in load_plugins(entry_points=[]).exec_modes(config).items()}


@pytest.fixture
def command_line_modes(modes):
    return {mode_id: spec for mode_id, spec in modes.items() if not spec.interactive}


def run(**extra):
    return CodexRun(binary="codex", cwd=Path("/ws/app"), prompt=EVIL, output_file=Path("/tmp/out.txt"), **extra)


def test_modes_declare_their_flags(modes):
    assert {m: (s.writes, s.flags) for m, s in modes.items()} == {
        "read-only": (False, ("codexExec",)),
        "workspace-write": (True, ("codexExec", "codexExecWrite")),
        "resume": (False, ("codexExec",)),
        "chat": (False, ("codexExec",)),
        "supervised": (True, ("codexExec", "codexExecWrite")),
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


def test_the_prompt_is_always_the_last_argument_after_the_separator(command_line_modes):
    for spec in command_line_modes.values():
        argv = spec.build_command(run(session_id="s"))
        assert argv[-2:] == ["--", EVIL] and argv.count(EVIL) == 1


# --- the core enforces `-- PROMPT` on every mode, a third party's too ----------------------------

AWKWARD_PROMPTS = ["exec", "resume", "read-only", "--json", "--", "", "-C", EVIL]


@pytest.mark.parametrize("prompt", AWKWARD_PROMPTS)
def test_the_built_in_modes_pass_the_core_check_whatever_the_prompt(command_line_modes, prompt):
    for spec in command_line_modes.values():
        argv = checked_command(spec, attrs.evolve(run(session_id="s"), prompt=prompt))
        assert argv[-2:] == ["--", prompt]


BAD_BUILDS = {
    "no separator": lambda r: [r.binary, "exec", r.prompt],
    "prompt also as an option value": lambda r: [r.binary, "exec", "-c", r.prompt, "--", r.prompt],
    "prompt inside another item": lambda r: [r.binary, "exec", f"--title={r.prompt}", "--", r.prompt],
    "prompt not last": lambda r: [r.binary, "exec", "--", r.prompt, "--json"],
    "nothing before the separator": lambda r: ["--", r.prompt],
    "a shell string": lambda r: f"{r.binary} exec -- {r.prompt}",
    "not all strings": lambda r: [r.binary, "exec", r.cwd, "--", r.prompt],
    "raises": lambda r: [][1],
}


@pytest.mark.parametrize("build", BAD_BUILDS.values(), ids=BAD_BUILDS.keys())
@pytest.mark.parametrize("prompt", ["fix the bug", EVIL])
def test_a_mode_that_breaks_the_rule_is_refused(build, prompt):
    spec = ExecModeSpec(id="bad", label="Bad", writes=False, flags=("codexExec",), build_command=build)
    with pytest.raises(TaskFailed) as caught:
        checked_command(spec, attrs.evolve(run(), prompt=prompt))
    assert caught.value.code == "exec-mode-invalid-command"


class InTestModes:
    """A plugin with two modes that run `sh` to leave a mark: one keeps `-- PROMPT`, one does not."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _touch(self, name: str, separator: bool):
        mark = self.folder / name
        return lambda r: ["sh", "-c", 'touch "$1"', "sh", str(mark), *(["--"] if separator else []), r.prompt]

    @hookimpl
    def register_exec_modes(self, config):
        return [ExecModeSpec(id=mode, label=mode, writes=False, flags=("codexExec",), build_command=self._touch(mode, ok))
                for mode, ok in (("keeps-separator", True), ("drops-separator", False))]  # fmt: skip


def test_the_core_never_starts_a_plugin_command_without_the_separator(tmp_path):
    (tmp_path / "ws").mkdir()
    config = load_agent_config(write_json(tmp_path / "agent.json", {
        "relayBaseUrl": "http://localhost:8787", "agentId": "box", "workspaceRoot": str(tmp_path / "ws"),
        "stateDir": str(tmp_path / "state")}))  # fmt: skip
    plugins = load_plugins(entry_points=[])
    plugins.pm.register(InTestModes(tmp_path), name="in-test-modes")
    codex = CodexBinary(os.environ.get("MOBILE_CODEX_TEST_CODEX") or str(DEFAULT_CODEX))  # never run by these modes
    dispatcher = build_agent(config, plugins, token="t", codex_binary=codex).runner.dispatcher

    def task(mode: str):
        return TaskContext(task={"taskId": "task_1", "type": "codex_exec", "execMode": mode, "prompt": EVIL},
                           output=lambda text: None, cancel=threading.Event())  # fmt: skip

    with pytest.raises(TaskFailed) as caught:
        dispatcher.run(task("drops-separator"))
    assert caught.value.code == "exec-mode-invalid-command" and "drops-separator" in caught.value.detail
    assert not (tmp_path / "drops-separator").exists()  # never started
    assert dispatcher.run(task("keeps-separator")).error is None  # the control: a good mode does run
    assert (tmp_path / "keeps-separator").exists()
