"""A person's part in a running interactive turn: answering its requests and steering it.

API.md "Interactive Codex": an answer is recorded at once (the first one wins) and a steer is
queued; both move the workspace's change feed (the text changed in memory only, so no write does)
and wake the agent's held poll (AgentSignals `input_arrived`), and are repeated in its poll replies (`owed`) until the agent reports them done. The text
and who answered live in the task's volatile entry only (conversation.py); the store only gains the
audit entry that an answer was given or a steer sent (who, when, signed or not; never the text).
An `Idempotency-Key` makes a retried answer or steer return the first result again.
"""

from __future__ import annotations

from typing import Any, Mapping

import attrs

from mobile_codex.core.crypto import new_id
from mobile_codex.core.interactive import DECISION_STATUS
from mobile_codex.core.records import Task
from mobile_codex.core.store import Store, Transaction
from mobile_codex.core.task_text import TaskText
from mobile_codex.core.task_catalog import Status
from mobile_codex.core.timeutil import Clock, iso

from ..errors import Conflict, NotFound, invalid_field
from . import conversation
from .audit_trail import note
from .dispatch import AgentSignals
from .events import ChangeFeed
from .idempotency import IdempotencyKeys, fingerprint
from .notifications import NotificationService
from .signed_intents import check_answer, check_steer
from .task_values import Creator, TaskState


@attrs.frozen
class Owed:
    """What a poll reply hands the agent for its running interactive tasks."""

    answers: list[dict]  # {taskId, requestId, decision, digest}
    steers: list[dict]  # {taskId, steerId, text}
    fresh: bool  # one of them was never sent before: the poll answers at once


class TurnService:
    def __init__(
        self, store: Store, clock: Clock, *, volatile: TaskText, signals: AgentSignals, feed: ChangeFeed,
        idempotency: IdempotencyKeys, notify: NotificationService,
    ):  # fmt: skip
        self.store = store
        self.notify = notify  # an answered request's notification says who answered
        self.feed = feed
        self.clock = clock
        self.volatile = volatile
        self.signals = signals
        self.idempotency = idempotency  # shared with task create: one key space per user

    def answer(
        self, workspace_id: str, task_id: str, request_id: str, *, decision: str, digest: str, by: Creator,
        idempotency_key: str | None = None, signed: Mapping[str, Any] | None = None,
    ) -> TaskState:  # fmt: skip
        """Record `decision` for a pending request whose digest the person saw (API.md's checks); a
        signed answer (core/intents.py) must name exactly this one, and goes to the agent with it."""

        def record() -> None:
            task = self._task(workspace_id, task_id)
            if signed is not None:
                check_answer(
                    signed, task_id=task_id, agent_id=task.agent_id, request_id=request_id, decision=decision, digest=digest
                )  # fmt: skip
            now = iso(self.clock())
            if task.status != Status.RUNNING:
                # A finished turn waits for nobody: its requests can no longer be answered.
                if not self.volatile.inspect(task_id, lambda entry: _has_request(entry, request_id)):
                    raise NotFound("request-not-found")
                raise Conflict("request-not-pending")
            self.volatile.update(
                task_id,
                lambda entry: conversation.answer(
                    entry, request_id, decision=decision, digest=digest, by=by.display_name, now=now, signed=signed
                ),
            )  # fmt: skip
            with self.store.transaction() as tx:  # the answer itself is volatile; the fact that it was given is not
                note(tx, "request.answered", at=now, workspace_id=workspace_id, record=("task", task_id),
                     actor=by.user_id, requestId=request_id[:100], decision=decision, signed=signed is not None)
            self._wake(task)
            self.notify.request_answered(task, request_id, status=DECISION_STATUS[decision], actor=by.display_name)

        request = ("answer", workspace_id, task_id, request_id, decision, digest, signed)
        return self._once(by, idempotency_key, request, task_id, record)

    def steer(
        self, workspace_id: str, task_id: str, text: str, *, by: Creator, idempotency_key: str | None = None,
        signed: Mapping[str, Any] | None = None,
    ) -> TaskState:  # fmt: skip
        """Queue `text` for the running turn of an interactive task (a signed steer must name this task
        and this text, core/intents.py)."""

        def record() -> None:
            task = self._task(workspace_id, task_id)
            if task.status != Status.RUNNING:
                raise Conflict("task-not-running")
            if not self.volatile.inspect(task_id, lambda entry: conversation.is_interactive(task, entry or {})):
                raise invalid_field("execMode")
            if not text.strip():
                raise invalid_field("text")
            if signed is not None:
                check_steer(signed, task_id=task_id, agent_id=task.agent_id, text=text)
            steer_id, now = new_id("steer"), iso(self.clock())
            self.volatile.update(task_id, lambda entry: conversation.add_steer(entry, steer_id, text, now, signed=signed))
            with self.store.transaction() as tx:  # like an answer: the fact, never the text
                note(tx, "task.steered", at=now, workspace_id=workspace_id, record=("task", task_id),
                     actor=by.user_id, steerId=steer_id, signed=signed is not None)
            self._wake(task)

        return self._once(by, idempotency_key, ("steer", workspace_id, task_id, text, signed), task_id, record)

    def owed(self, running: list[Task]) -> Owed:
        """Answers and steers still owed to the agent of these running tasks (those new to it marked sent)."""
        answers, steers, fresh = [], [], False
        for task in running:
            task_answers, task_steers, task_fresh = self.volatile.inspect(task.task_id, conversation.undelivered)
            if task_fresh:  # a write only when something goes out for the first time
                self._mark_sent(task.task_id, task_answers, task_steers)
            answers += [{"taskId": task.task_id, **answer} for answer in task_answers]
            steers += [{"taskId": task.task_id, **steer} for steer in task_steers]
            fresh = fresh or task_fresh
        return Owed(answers, steers, fresh)

    # --- helpers -----------------------------------------------------------------------------

    def _once(self, by: Creator, key: str | None, request: tuple, task_id: str, record) -> TaskState:
        """Run `record()` unless this user's key already did; either way the task as it is now."""
        if key is None:
            record()
        else:
            with self.idempotency.claim(by.user_id, key, fingerprint(*request)) as claim:
                if claim.result_id is None:
                    record()
                    claim.record(task_id)
        with self.store.transaction(write=False) as tx:
            return TaskState(_owned(tx, request[1], task_id), self.volatile.get(task_id))

    def _mark_sent(self, task_id: str, answers: list[dict], steers: list[dict]) -> None:
        try:
            self.volatile.update(task_id, lambda entry: conversation.mark_sent(entry, answers, steers))
        except conversation.TextGone:
            pass  # the task's text went since the look: nothing is owed any more

    def _task(self, workspace_id: str, task_id: str) -> Task:
        with self.store.transaction(write=False) as tx:
            return _owned(tx, workspace_id, task_id)

    def _wake(self, task: Task) -> None:
        """Phones and the agent learn of an answer or a steer: the one place that names whom to wake."""
        self.feed.bump(task.workspace_id)
        self.signals.input_arrived((task.workspace_id, task.agent_id))


def _owned(tx: Transaction, workspace_id: str, task_id: str) -> Task:
    task = tx.tasks.get(task_id)
    if task is None or task.workspace_id != workspace_id:
        raise NotFound("task-not-found")
    return task


def _has_request(entry: dict | None, request_id: str) -> bool:
    return any(request["requestId"] == request_id for request in (entry or {}).get("requests") or ())
