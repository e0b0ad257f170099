"""codex_exec: one `codex exec` run through the exec mode the task names.

Order of checks: exec mode known (`unknown-exec-mode`) → the mode's flags on here → writes only
when supervised, if the operator says so (`write-needs-supervision`) → resume never writes
(`resume-write-mode-disabled`) → a prompt to run (`prompt-missing`: the relay refuses an empty one,
so its text was lost on the way; Codex never runs without one) → an interactive mode is a turn
(turn_task.py) → codex installed → where to run (a resume runs in the session's recorded cwd, which
must be under workspaceRoot; others in the task's cwd, confined) → one write run per workspace →
the mode's command line keeps the prompt after `--` (`exec-mode-invalid-command`). A write run diffs
against a snapshot taken at its start.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path

import attrs

from mobile_codex.core import child_process
from mobile_codex.core.plugin_types import CodexRun, Contribution, ExecModeSpec
from mobile_codex.core.features import FeatureFlags
from mobile_codex.core.task_catalog import RESUME_MODE, default_exec_mode
from mobile_codex.core.timeutil import Clock, iso, system_clock

from ..diff import WRITE_LOCKS, Snapshot, SnapshotUnavailable, WriteLocks
from ..dispatch import TaskContext, TaskResult, contributed
from ..errors import TaskCanceled, TaskFailed
from ..workspace import Workspace
from .events import EventRenderer
from .installation import Codex
from .turn_task import InteractiveTurns


INVALID_COMMAND = "exec-mode-invalid-command"


def checked_command(mode: ExecModeSpec, run: CodexRun) -> list[str]:
    """`mode.build_command(run)`, refused (`exec-mode-invalid-command`) unless it ends `-- PROMPT`
    and uses the prompt nowhere else: text from the phone never becomes an option (SECURITY.md).

    Where the mode puts the prompt is found with a marker prompt that no fixed item can contain;
    a real prompt such as "exec" or "resume" may equal a fixed item by chance, which is no fault.
    """
    marker = f"mobile-codex-prompt-{secrets.token_hex(8)}"
    probe = _built(mode, attrs.evolve(run, prompt=marker))
    argv = _built(mode, run)
    prompt_only_at_the_end = (
        len(probe) >= 3 and probe[-2:] == ["--", marker] and not any(marker in item for item in probe[:-1])
        and argv[-2:] == ["--", run.prompt]
    )  # fmt: skip
    if not prompt_only_at_the_end:
        raise TaskFailed(INVALID_COMMAND, f"exec mode {mode.id} must end its command line with `--` and the prompt, "
                                          "and put the prompt nowhere else; nothing was run")  # fmt: skip
    return argv


def _built(mode: ExecModeSpec, run: CodexRun) -> list[str]:
    try:
        argv = mode.build_command(run)
    except Exception as err:  # a third-party mode's bug is the task's failure, with a stable code
        raise TaskFailed(INVALID_COMMAND, f"exec mode {mode.id} could not build its command line: {err}") from None
    if not isinstance(argv, (list, tuple)) or not all(isinstance(item, str) for item in argv):
        raise TaskFailed(INVALID_COMMAND, f"exec mode {mode.id} did not return a list of strings; nothing was run")
    return list(argv)


class CodexExecHandler:
    def __init__(self, codex: Codex, modes: dict[str, Contribution], workspace: Workspace, flags: FeatureFlags, *,
                 write_locks: WriteLocks = WRITE_LOCKS, clock: Clock = system_clock,
                 interactive: InteractiveTurns | None = None):  # fmt: skip
        self.codex = codex
        self.interactive = interactive
        self.modes = modes
        self.workspace = workspace
        self.flags = flags
        self.write_locks = write_locks
        self.clock = clock

    def __call__(self, ctx: TaskContext) -> TaskResult:
        task = ctx.task
        mode_id = task.get("execMode") or default_exec_mode(
            resume_session_id=task.get("resumeSessionId") or "", write_access=task.get("writeAccess") is True
        )  # a task from the reference relay names no mode
        mode: ExecModeSpec = contributed(self.modes, mode_id, "unknown-exec-mode", "exec mode")
        for flag in mode.flags:
            if not self.flags.enabled(flag):
                raise TaskFailed(f"{flag}-disabled-locally", f"exec mode {mode.id} needs {flag}")
        if self.codex.config.write_only_supervised and mode.writes_unasked:
            raise TaskFailed("write-needs-supervision", f"exec mode {mode.id} writes without asking; this agent "
                                                        "allows writes only in supervised turns")  # fmt: skip
        resume_id = task.get("resumeSessionId") or ""
        if (mode.id == RESUME_MODE or resume_id) and (task.get("writeAccess") is True or mode.writes):
            raise TaskFailed("resume-write-mode-disabled", "a resumed session always runs read-only")
        prompt = task.get("prompt") if isinstance(task.get("prompt"), str) else ""
        if not prompt.strip():
            raise TaskFailed("prompt-missing", "the task came without its prompt; nothing was run")
        if mode.interactive:
            if self.interactive is None:
                raise TaskFailed("unknown-exec-mode", f"exec mode {mode.id} is interactive; this agent cannot run it")
            return self.interactive(ctx, mode, prompt)
        binary = self.codex.require_binary()
        if mode.id == RESUME_MODE or resume_id:
            thread = self.codex.sessions.resolve(resume_id)
            cwd = Path(thread.cwd)  # the outer -C keeps the thread's cwd (PRODUCT.md)
            if not cwd.is_dir():
                raise TaskFailed("path-outside-workspace", f"the session's directory {thread.cwd} is gone")
        else:
            cwd = self.workspace.resolve_dir(task.get("cwd") if isinstance(task.get("cwd"), str) else None)

        with ExitStack() as stack:
            if mode.writes:
                stack.enter_context(self.write_locks.hold(self.workspace.root))
            scratch = Path(tempfile.mkdtemp(prefix="mobile-codex-run-"))
            stack.callback(shutil.rmtree, scratch, True)
            run = CodexRun(
                binary=binary, cwd=cwd, prompt=prompt, output_file=scratch / "last-message.txt",
                model=self.codex.config.model, extra_args=self.codex.config.extra_args, session_id=resume_id,
            )  # fmt: skip
            argv = checked_command(mode, run)
            snapshot = self._snapshot(cwd, ctx) if mode.writes else None
            if snapshot:
                stack.callback(snapshot.close)
            try:
                return self._run(argv, run, ctx, snapshot)
            finally:
                self.codex.sessions.invalidate()

    def _snapshot(self, cwd: Path, ctx: TaskContext) -> Snapshot | None:
        try:
            return Snapshot.take(cwd)
        except SnapshotUnavailable as err:
            ctx.output(f"[no diff for this run: {err}]\n")
            return None

    def _run(self, argv: list[str], run: CodexRun, ctx: TaskContext, snapshot: Snapshot | None) -> TaskResult:
        renderer = EventRenderer()
        try:
            outcome = child_process.run(
                argv, cwd=run.cwd, env=self.codex.env(), on_line=lambda line: ctx.output(renderer.render(line)),
                cancel=ctx.cancel, merge_stderr=False,
            )  # fmt: skip
        except OSError as err:
            raise TaskFailed("codex-not-installed", f"{argv[0]}: {err.strerror}") from None
        if outcome.canceled:
            raise TaskCanceled()
        summary = renderer.last_message or _read_text(run.output_file)
        diff_text = None
        if snapshot is not None:
            try:
                diff_text = snapshot.diff()
            except SnapshotUnavailable as err:
                ctx.output(f"[no diff for this run: {err}]\n")
        error = None
        if outcome.exit_code != 0:
            error = "nonzero-exit"
            stderr = outcome.stderr_tail.strip()
            if stderr:
                ctx.output("\n" + "\n".join(stderr.splitlines()[-20:]) + "\n")
            summary = summary or renderer.failure or f"codex exited {outcome.exit_code or outcome.signal}"
        result = {
            "exitCode": outcome.exit_code, "signal": outcome.signal, "completedAt": iso(self.clock()),
            "threadId": renderer.thread_id,
        }  # fmt: skip
        return TaskResult(summary=summary, result=result, error=error, diff_text=diff_text, thread_id=renderer.thread_id)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
