"""run_action: the predefined argv action with the task's `actionId`, never a shell string."""

from __future__ import annotations

import json

from mobile_codex.core import child_process
from mobile_codex.core.child_env import child_environment
from mobile_codex.core.plugin_types import ActionSpec, Contribution
from mobile_codex.core.timeutil import Clock, iso, system_clock

from .dispatch import TaskContext, TaskResult, contributed
from .errors import TaskCanceled, TaskFailed
from .workspace import Workspace


class ActionHandler:
    def __init__(self, actions: dict[str, Contribution], workspace: Workspace, *, clock: Clock = system_clock):
        self.actions = actions
        self.workspace = workspace
        self.clock = clock

    def __call__(self, ctx: TaskContext) -> TaskResult:
        action: ActionSpec = contributed(self.actions, ctx.task.get("actionId"), "unknown-action", "action")
        cwd = self.workspace.resolve_dir(action.cwd)
        # The program and its arguments as a JSON list, each quoted: what runs, never a shell line.
        ctx.output(f"argv: {json.dumps(list(action.argv), ensure_ascii=False)}\n")
        try:
            outcome = child_process.run(
                action.argv, cwd=cwd, env=child_environment(), on_line=ctx.output, timeout_sec=action.timeout_sec,
                cancel=ctx.cancel,
            )  # fmt: skip
        except OSError as err:
            raise TaskFailed("action-not-startable", f"{action.argv[0]}: {err.strerror}") from None
        if outcome.canceled:
            raise TaskCanceled()
        if outcome.timed_out:
            raise TaskFailed("timeout", f"the action ran longer than {action.timeout_sec} s and was stopped")
        result = {"actionId": action.id, "exitCode": outcome.exit_code, "signal": outcome.signal, "completedAt": iso(self.clock())}
        ok = outcome.exit_code == 0
        ended = f"exited {outcome.exit_code}" if outcome.exit_code is not None else f"was killed by {outcome.signal}"
        return TaskResult(summary=f"{action.label}: {ended}", result=result, error=None if ok else "nonzero-exit")
