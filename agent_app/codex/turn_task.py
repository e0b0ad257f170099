"""codex_exec with an interactive mode: one turn of a Codex conversation over `codex app-server`.

Order of checks (the first three in CodexExecHandler): the mode's flags on here → writes only when
supervised (when the operator says so) → a prompt → Codex installed and of a version we speak → the model and effort the task asks
for are allowed → where to run (a continued thread runs in its recorded cwd, which must be under
workspaceRoot; a new one in the task's cwd, confined). Then, holding the thread's lock: its own
app-server, a signed-in check, `thread/start` or `thread/resume` (both always with the mode's
sandbox and approval policy: Codex does not restore them), the turn, and the server stopped again
(a loaded thread blocks every other writer of it).
"""

from __future__ import annotations

import logging
import threading
from contextlib import ExitStack
from pathlib import Path

from mobile_codex.core.plugin_types import ExecModeSpec
from mobile_codex.core.timeutil import Clock, iso, system_clock

from ..dispatch import TaskContext, TaskResult
from ..errors import TaskFailed
from ..workspace import Workspace
from .app_server.launch import open_app_server
from .app_server.requests import RequestIds
from .app_server.rpc import RpcError
from .app_server.support import CodexSupport, signed_in_from
from .app_server.turn import Turn, TurnSettings
from .installation import Codex
from .thread_locks import ThreadLocks

log = logging.getLogger("mobile_codex.agent")

SANDBOX_POLICIES = {"read-only": {"type": "readOnly"}, "workspace-write": {"type": "workspaceWrite"}}
CALL_TIMEOUT_SEC = 60.0

class InteractiveTurns:
    """Runs interactive turns; `record` (a list) keeps every message sent to Codex (the schema canary test)."""

    def __init__(self, codex: Codex, workspace: Workspace, support: CodexSupport, *,
                 state_dir: Path, approval_timeout: float, stall_timeout: float, clock: Clock = system_clock):  # fmt: skip
        self.codex = codex
        self.workspace = workspace
        self.support = support
        self.state_dir = state_dir
        self.approval_timeout = approval_timeout
        self.stall_timeout = stall_timeout
        self.clock = clock
        self.locks = ThreadLocks()
        self.ids = RequestIds()
        self.record: list | None = None

    def __call__(self, ctx: TaskContext, mode: ExecModeSpec, prompt: str) -> TaskResult:
        """One turn; `prompt` is the task's, already checked by CodexExecHandler."""
        task = ctx.task
        if ctx.turn is None:
            raise TaskFailed("unknown-exec-mode", f"exec mode {mode.id} needs a runner that reports turns")
        self.codex.require_binary()
        if not self.support.interactive():
            raise TaskFailed("unknown-exec-mode", f"exec mode {mode.id} needs a Codex version this agent supports")
        settings = TurnSettings(
            approval_timeout=self.approval_timeout, stall_timeout=self.stall_timeout,
            sandbox_policy=SANDBOX_POLICIES[mode.turn.sandbox], approval_policy=mode.turn.approval_policy,
            model=_chosen(mode.model, task.get("model"), self.codex.config.conversation_models, "model")
            or self.codex.config.model,
            effort=_chosen(mode.effort, task.get("effort"), self.codex.config.conversation_efforts, "effort"),
        )  # fmt: skip
        thread_id = task.get("threadId") or ""
        if thread_id:
            cwd = self._thread_cwd(thread_id)
        else:
            cwd = self.workspace.resolve_dir(task.get("cwd") if isinstance(task.get("cwd"), str) else None)
        started: list[str] = []  # a new thread, busy from its start until its server has stopped
        with ExitStack() as stack:
            if thread_id:
                stack.enter_context(self.locks.hold(thread_id, ctx.cancel))
            stack.callback(lambda: [self.locks.release(new) for new in started])
            server = open_app_server(self.codex, cwd=cwd, state_dir=self.state_dir, record=self.record)
            stack.callback(self._stop, server, ctx.cancel)  # runs first: the lock goes only after the server
            self._require_signed_in(server)
            thread_id = self._load_thread(server, thread_id, cwd, mode, settings)
            if not task.get("threadId"):
                self.locks.mark_busy(thread_id)
                started.append(thread_id)
            ctx.turn.report(thread_id=thread_id)
            turn = Turn(server.rpc, ctx.turn, task_id=str(task.get("taskId")), thread_id=thread_id, cwd=str(cwd),
                        settings=settings, output=ctx.output, cancel=ctx.cancel, ids=self.ids, clock=self.clock)  # fmt: skip
            try:
                outcome = turn.run(prompt)
            finally:
                self.codex.sessions.invalidate()
        result = {"turnId": outcome.turn_id, "threadId": thread_id, "turnStatus": outcome.status,
                  "tokenUsage": outcome.tokens, "completedAt": iso(self.clock())}  # fmt: skip
        error = None
        summary = outcome.last_message
        if outcome.status == "interrupted" and outcome.canceled_by_person:
            summary = summary or "The turn ended: a request was answered cancel"
        elif outcome.status != "completed":
            error = "codex-turn-failed"
            summary = summary or outcome.error or f"the turn ended {outcome.status}"
            if outcome.error:
                ctx.output(f"[turn {outcome.status}: {outcome.error}]\n")
        return TaskResult(summary=summary, result=result, error=error, diff_text=outcome.diff or None, thread_id=thread_id)

    # --- steps -----------------------------------------------------------------------------------

    def _thread_cwd(self, thread_id: object) -> Path:
        try:
            thread = self.codex.sessions.resolve(thread_id)
        except TaskFailed as err:
            raise TaskFailed("thread-not-found", f"no Codex thread {thread_id} under this agent's workspace "
                                                 f"({err.code})") from None  # fmt: skip
        cwd = Path(thread.cwd)
        if not cwd.is_dir():
            raise TaskFailed("path-outside-workspace", f"the thread's directory {thread.cwd} is gone")
        return cwd

    def _require_signed_in(self, server) -> None:
        try:
            answer = server.rpc.request("account/read", {}, timeout=CALL_TIMEOUT_SEC)
        except RpcError:
            return  # cannot tell: let the turn say what is wrong
        signed_in = signed_in_from(answer)
        self.support.learned(signed_in)
        if not signed_in:
            raise TaskFailed("codex-not-signed-in", "Codex is not signed in on this server (run `codex login` there)")

    def _load_thread(self, server, thread_id: str, cwd: Path, mode: ExecModeSpec, settings: TurnSettings) -> str:
        params = {"cwd": str(cwd), "approvalPolicy": mode.turn.approval_policy, "sandbox": mode.turn.sandbox}
        if settings.model:
            params["model"] = settings.model
        try:
            if thread_id:
                answer = server.rpc.request("thread/resume", {"threadId": thread_id, **params}, timeout=CALL_TIMEOUT_SEC)
            else:
                answer = server.rpc.request("thread/start", params, timeout=CALL_TIMEOUT_SEC)
        except RpcError as err:
            if thread_id and "not found" in str(err).lower():
                raise TaskFailed("thread-not-found", f"Codex cannot load thread {thread_id}: {err}") from None
            tail = server.rpc.stderr_tail().strip().splitlines()[-10:] if server.rpc.closed.is_set() else []
            raise TaskFailed("codex-crashed" if tail else "codex-refused", "\n".join([str(err), *tail])) from None
        found = ((answer or {}).get("thread") or {}).get("id") if isinstance(answer, dict) else None
        if not isinstance(found, str) or not found:
            raise TaskFailed("codex-refused", "Codex did not say which thread it loaded")
        return found

    def _stop(self, server, cancel: threading.Event) -> None:
        """Canceled: kill the group at once (approved commands too). Else let the server leave, then kill."""
        server.stop(grace=0 if cancel.is_set() else 2.0)


def _chosen(fixed: str, asked: object, allowed: tuple[str, ...], what: str) -> str:
    """The mode's own choice, else the phone's when the config allows it, else Codex's default ("")."""
    if fixed:
        return fixed
    if asked in (None, ""):
        return ""
    if asked not in allowed:
        raise TaskFailed(f"{what}-not-allowed", f"this agent does not offer {what} {asked!r} for conversations")
    return str(asked)
