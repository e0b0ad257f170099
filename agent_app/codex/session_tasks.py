"""read_session and delete_session: Codex's stored sessions, only those under workspaceRoot."""

from __future__ import annotations

import subprocess

from mobile_codex.core.timeutil import Clock, iso, system_clock

from ..dispatch import TaskContext, TaskResult
from ..errors import TaskFailed
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
        result = {
            "sessionId": thread.id, "title": thread.title, "cwd": self.codex.sessions.workspace.relative(thread.cwd),
            "messageCount": len(messages),
            "messages": [{"role": m.role, "text": m.text[:MESSAGE_TEXT_CHARS]} for m in shown],
            "completedAt": iso(self.clock()),
        }  # fmt: skip
        return TaskResult(summary=f"{thread.title or thread.id}: {len(messages)} messages", result=result)


class DeleteSessionHandler:
    def __init__(self, codex: Codex, *, clock: Clock = system_clock):
        self.codex = codex
        self.clock = clock

    def __call__(self, ctx: TaskContext) -> TaskResult:
        thread = self.codex.sessions.resolve(ctx.task.get("sessionId"))  # the workspace check comes first
        binary = self.codex.require_binary()
        try:
            done = subprocess.run(
                [binary, "delete", "--force", thread.id], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                env=self.codex.env(), timeout=DELETE_TIMEOUT_SEC, start_new_session=True,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise TaskFailed("timeout", f"codex delete did not finish within {DELETE_TIMEOUT_SEC} s") from None
        except OSError as err:
            raise TaskFailed("codex-not-installed", f"{binary}: {err.strerror}") from None
        finally:
            self.codex.sessions.invalidate()
        if done.returncode != 0:
            ctx.output((done.stderr or done.stdout).strip()[-2000:] + "\n")
            raise TaskFailed("session-delete-failed", f"codex delete exited {done.returncode}")
        ctx.output(f"deleted session {thread.id}\n")
        result = {"sessionId": thread.id, "deleted": True, "completedAt": iso(self.clock())}
        return TaskResult(summary=f"Deleted session {thread.title or thread.id}", result=result)
