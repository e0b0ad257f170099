"""read_log: the bounded tail of the configured log source with the task's `logSourceId`."""

from __future__ import annotations

from mobile_codex.core.plugin_types import Contribution, LogNotReadable, LogSourceSpec, LogTail
from mobile_codex.core.timeutil import Clock, iso, system_clock

from .dispatch import TaskContext, TaskResult, contributed
from .errors import TaskFailed
from .redaction import clamp_tail_words

PHONE_TAIL_BYTES = 12000  # PRODUCT.md: the phone sees the last 12000 bytes of a tail


class LogHandler:
    def __init__(self, sources: dict[str, Contribution], *, clock: Clock = system_clock):
        self.sources = sources
        self.clock = clock

    def __call__(self, ctx: TaskContext) -> TaskResult:
        source: LogSourceSpec = contributed(self.sources, ctx.task.get("logSourceId"), "unknown-log-source", "log source")
        try:
            tail: LogTail = source.read_tail()
        except LogNotReadable as err:
            raise TaskFailed("log-not-readable", str(err)) from None
        ctx.output(clamp_tail_words(tail.text, PHONE_TAIL_BYTES))  # no cut token at its start: it could slip the filter
        result = {"logSourceId": source.id, "lineCount": tail.line_count, "completedAt": iso(self.clock())}
        return TaskResult(summary=f"{source.label}: last {tail.line_count} lines", result=result)
