"""read_session and delete_session: Codex's stored sessions, only those under workspaceRoot."""

from __future__ import annotations

import collections

from mobile_codex.core import child_process
from mobile_codex.core.timeutil import Clock, iso, system_clock

from ..dispatch import TaskContext, TaskResult
from ..errors import TaskCanceled, TaskFailed
from .installation import Codex

DELETE_TIMEOUT_SEC = 60
MESSAGE_TEXT_CHARS = 400  # API.md: messages[].text <= 400


class ReadSessionHandler:
    def __init__(self, codex: Codex, *, clock: Clock = system_clock):
        self.codex = codex
        self.clock = clock

    def __call__(self, ctx: TaskContext) -> TaskResult:
        thread = self.codex.sessions.resolve(ctx.task.get("sessionId"))
        messages = self.codex.sessions.conversation(thread)
        shown = messages[-self.codex.config.session_read_message_limit :]
        for message in shown:
            ctx.output(f"{message.role}: {message.text}\n\n")
        redact = self.codex.sessions.redact  # before the cut: a secret cut in half is no longer recognised
        result = {
            "sessionId": thread.id, "title": redact(thread.title), "cwd": self.codex.sessions.workspace.relative(thread.cwd),
            "messageCount": len(messages),
            "messages": [{"role": m.role, "text": redact(m.text)[:MESSAGE_TEXT_CHARS]} for m in shown],
            "completedAt": iso(self.clock()),
        }  # fmt: skip
        return TaskResult(summary=f"{thread.title or thread.id}: {len(messages)} messages", result=result)


class DeleteSessionHandler:
    """`codex delete --force ID` under the agent's child-process rules (its group killed at the
    timeout or on cancel)."""

    def __init__(self, codex: Codex, *, clock: Clock = system_clock, timeout_sec: float = DELETE_TIMEOUT_SEC):
        self.codex = codex
        self.clock = clock
        self.timeout_sec = timeout_sec

    def __call__(self, ctx: TaskContext) -> TaskResult:
        thread = self.codex.sessions.resolve(ctx.task.get("sessionId"))  # the workspace check comes first
        binary = self.codex.require_binary()
        said: collections.deque[str] = collections.deque(maxlen=40)  # its last lines, shown on failure
        try:
            outcome = child_process.run(
                [binary, "delete", "--force", thread.id], cwd=self.codex.sessions.workspace.root, env=self.codex.env(),
                on_line=said.append, timeout_sec=self.timeout_sec, cancel=ctx.cancel,
            )  # fmt: skip
        except OSError as err:
            raise TaskFailed("codex-not-installed", f"{binary}: {err.strerror}") from None
        finally:
            self.codex.sessions.invalidate()
        if outcome.canceled:
            raise TaskCanceled()
        if outcome.timed_out:
            raise TaskFailed("timeout", f"codex delete did not finish within {self.timeout_sec:g} s")
        if outcome.exit_code != 0:
            ctx.output("".join(said).strip()[-2000:] + "\n")
            raise TaskFailed("session-delete-failed", f"codex delete ended with {outcome.exit_code or outcome.signal}")
        ctx.output(f"deleted session {thread.id}\n")
        result = {"sessionId": thread.id, "deleted": True, "completedAt": iso(self.clock())}
        return TaskResult(summary=f"Deleted session {thread.title or thread.id}", result=result)
