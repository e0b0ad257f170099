"""The built-in Codex exec modes: `read-only`, `workspace-write` and `resume` (one `codex exec`
each), and the interactive `chat` and `supervised` (turns of a conversation over `codex app-server`).

Every command line ends with `-- PROMPT`, so text from the phone can never become an option
(a prompt such as `--dangerously-bypass-approvals-and-sandbox` stays a prompt).
`--full-auto` is gone from current Codex; the sandbox is chosen with `--sandbox` instead.
"""

from __future__ import annotations

from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import CodexRun, ExecModeSpec
from mobile_codex.core.task_catalog import (
    BUILT_IN_EXEC_MODES, BUILT_IN_TURN_MODES, CHAT_MODE, RESUME_MODE, SUPERVISED_MODE, TASK_TYPES,
)  # fmt: skip

REQUIRES_FLAGS = ("codexExec",)


def _model_args(run: CodexRun) -> list[str]:
    return (["-m", run.model] if run.model else []) + list(run.extra_args)


def _exec_with_sandbox(sandbox: str):
    def build(run: CodexRun) -> list[str]:
        return [
            run.binary, "exec", "--json", "--skip-git-repo-check",
            "-C", str(run.cwd), "--sandbox", sandbox, "-o", str(run.output_file),
            *_model_args(run), "--", run.prompt,
        ]  # fmt: skip

    return build


def build_resume(run: CodexRun) -> list[str]:
    """Continue a session, always read-only. `resume` has no `-C` of its own: the outer one
    keeps the thread's cwd (the agent passes the session's recorded cwd)."""
    if not run.session_id:
        raise ValueError("resume needs a session id")
    return [
        run.binary, "exec", "-C", str(run.cwd), "resume", "--json", "--skip-git-repo-check",
        "-o", str(run.output_file), "-c", 'sandbox_mode="read-only"',
        *_model_args(run), run.session_id, "--", run.prompt,
    ]  # fmt: skip


def _built_in(mode_id: str, label: str, build_command) -> ExecModeSpec:
    """Whether a built-in mode writes is the catalogue's word: the relay relies on it unasked."""
    writes = BUILT_IN_EXEC_MODES[mode_id]
    flags = TASK_TYPES["codex_exec"].required_flags(write_access=writes)
    return ExecModeSpec(id=mode_id, label=label, writes=writes, flags=flags, build_command=build_command)


def _built_in_turn(mode_id: str, label: str) -> ExecModeSpec:
    rules = BUILT_IN_TURN_MODES[mode_id]
    flags = TASK_TYPES["codex_exec"].required_flags(write_access=rules.writes)
    return ExecModeSpec(id=mode_id, label=label, writes=rules.writes, flags=flags, turn=rules)


@hookimpl
def register_exec_modes(config):
    return [
        _built_in("read-only", "Read only", _exec_with_sandbox("read-only")),
        _built_in("workspace-write", "Write to workspace", _exec_with_sandbox("workspace-write")),
        _built_in(RESUME_MODE, "Continue session (read only)", build_resume),
        _built_in_turn(CHAT_MODE, "Chat (read only, asks nothing)"),
        _built_in_turn(SUPERVISED_MODE, "Supervised (asks before each command and file change)"),
    ]
