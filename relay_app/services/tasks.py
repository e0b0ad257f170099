"""Tasks: the phone creates, approves, rejects and cancels them; agents claim and update them.

Who may do what is the policy table's business (resources check it before calling here); this
service enforces the task rules of the catalogue (core/task_catalog.py): which moves are open
from which status, which flags a type needs, which exec mode a codex_exec task runs. Metadata
goes to the store; the task's text (prompt, output, ...) to the shared volatile store only
(core/task_text.py).

Cancel (ours): a queued or unapproved task is canceled at once. A running one gets
`cancelRequestedAt`, its agent's held poll is woken, and the agent reports `canceled`; if it has
not done so within `CANCEL_GRACE_SEC`, the relay's housekeeping cancels the task itself
(`finish_overdue_cancels`), never a read path.

Quotas (docs/security.md): create answers 429 `too-many-tasks` past the config's `limits` — a
user's creates per minute, a workspace's unfinished tasks — or when the volatile store has no
room left for one more unfinished task's text (unfinished text is never evicted, see core/task_text.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Mapping

import attrs

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.crypto import new_id
from mobile_codex.core.interactive import PENDING
from mobile_codex.core.intents import SIGNED_BYTES
from mobile_codex.core.records import Agent, Task
from mobile_codex.core.store import Store, Transaction
from mobile_codex.core.task_catalog import (
    BUILT_IN_EXEC_MODES, BUILT_IN_TURN_MODES, RESUME_MODE, TASK_TYPES, TERMINAL, UNFINISHED, Move, Status,
    default_exec_mode, may,
)  # fmt: skip
from mobile_codex.core.task_text import EMPTY, TaskText, get_many
from mobile_codex.core.text import clamp_head, clamp_tail
from mobile_codex.core.timeutil import Clock, iso
from mobile_codex.core.volatile_store import VolatileStore

from ..errors import BadRequest, Conflict, Forbidden, NotFound, TooManyRequests, invalid_field
from ..policy import needs_second_approver
from .audit_trail import note
from .conversation import TURN_RESERVE, apply_report, turn_text
from .dispatch import AgentSignals
from .events import ChangeFeed
from .idempotency import IdempotencyKeys, fingerprint
from .notifications import NotificationService
from .rate_limit import RateLimiter
from .signed_intents import check_task, task_view_fields
from .task_results import RESULT_BYTES, sanitize_result
from .task_values import Creator, TaskRequest, TaskState, TaskUpdate

CANCEL_GRACE_SEC = 60
# API.md's budgets for a task's text (the bodies are clamped to them in resources/task_bodies.py).
PROMPT_BYTES = 12000
TITLE_BYTES = 120  # a title made of task text is kept with it (TEXT_TITLED)
SUMMARY_BYTES = 2048
OUTPUT_TAIL_BYTES = 12000
DIFF_BYTES = 20000
ERROR_BYTES = 4000
# The most one task's text can hold: what the volatile store reserves for each unfinished task.
# About 85 KB, so the 64 MiB store holds the text of ~790 unfinished tasks relay-wide.
# A signed create and a signed approval (core/intents.py) add an intent and an assertion each.
TEXT_RESERVE = (
    PROMPT_BYTES + TITLE_BYTES + SUMMARY_BYTES + OUTPUT_TAIL_BYTES + DIFF_BYTES + ERROR_BYTES + RESULT_BYTES
    + sum(map(len, EMPTY)) + len("title") + 2 * SIGNED_BYTES
)
# An interactive task also holds its conversation (items, requests, steers: conversation.py):
# ~520 KB in all, so the 64 MiB store holds ~125 unfinished interactive tasks beside nothing else.
INTERACTIVE_TEXT_RESERVE = TEXT_RESERVE + TURN_RESERVE
TASKS_IN_VIEW = 100
# Types whose title a client derives from task text (a prompt, a Codex session's title or first
# message): the store keeps the type as their title and the client's title lives with the other
# volatile text, so no prompt reaches the disk through a title (issue 15, finding 1).
TEXT_TITLED = frozenset({"codex_exec", "read_session", "delete_session"})


class TaskService:
    def __init__(
        self, store: Store, config: RelayConfig, clock: Clock, *, volatile: TaskText, signals: AgentSignals,
        feed: ChangeFeed, quotas: RateLimiter, notify: NotificationService, shared: VolatileStore,
    ):  # fmt: skip
        self.store = store
        self.notify = notify  # told of finished tasks and of requests waiting or expired
        self.config = config
        self.clock = clock
        self.volatile = volatile
        self.signals = signals
        self.feed = feed
        self.idempotency = IdempotencyKeys(shared, clock)
        self.quotas = quotas  # per-user budgets, on the relay's clock

    def state(self, task: Task) -> TaskState:
        return TaskState(task, self.volatile.get(task.task_id))

    def states(self, tasks: list[Task]) -> list[TaskState]:
        """`state` of each task, their text read at once (one round trip to Redis for the view's 100;
        none for no tasks, as an idle poll claims none)."""
        return [TaskState(task, text) for task, text in zip(tasks, get_many(self.volatile, [t.task_id for t in tasks]))]

    def recent(self, tx: Transaction, workspace_id: str) -> list[TaskState]:
        """The state view's tasks: <=100, newest update first (a read: it never writes)."""
        tasks = tx.tasks.find(workspace_id=workspace_id, order_by="-updated_at", limit=TASKS_IN_VIEW)
        return self.states(tasks)

    def older(self, tx: Transaction, workspace_id: str, before: str | None, limit: int) -> tuple[list[TaskState], str | None]:
        """Up to `limit` tasks after task `before` in the state view's order (newest update first,
        ties by id), and the id to ask `before` next (None at the end). No `before`: from the newest.

        The store has no range query, so the workspace's task records are read in that order and cut
        here; retention keeps a workspace's history short enough for that (services/retention.py).
        404 `task-not-found` for a `before` not of this workspace.
        """
        ordered = tx.tasks.find(workspace_id=workspace_id, order_by="-updated_at")
        start = 0
        if before is not None:
            start = next((i + 1 for i, task in enumerate(ordered) if task.task_id == before), None)
            if start is None:
                raise NotFound("task-not-found")
        page = ordered[start : start + limit]
        more = start + limit < len(ordered)
        return self.states(page), page[-1].task_id if page and more else None

    # --- the phone's side --------------------------------------------------------------------

    def create(
        self, workspace_id: str, request: TaskRequest, creator: Creator, *, idempotency_key: str | None = None
    ) -> TaskState:
        """A new task; with an idempotency key already used by this user for the same request, the
        task that request made (a retry never makes a second one)."""
        if idempotency_key is None:
            return self._create(workspace_id, request, creator)
        with self.idempotency.claim(creator.user_id, idempotency_key, fingerprint(workspace_id, request)) as claim:
            if claim.result_id is not None:
                with self.store.transaction(write=False) as tx:
                    earlier = tx.tasks.get(claim.result_id)
                if earlier is not None:
                    return self.state(earlier)
            state = self._create(workspace_id, request, creator)
            claim.record(state.task.task_id)
            return state

    def _create(self, workspace_id: str, request: TaskRequest, creator: Creator) -> TaskState:
        kind = TASK_TYPES[request.type]
        if not all(self.config.features.enabled(name) for name in kind.flags):
            raise Forbidden("feature-disabled")
        now = iso(self.clock())
        task_id, admitted = new_id("task"), False
        text_titled = request.type in TEXT_TITLED
        try:
            with self.store.transaction() as tx:
                agent = tx.agents.get((workspace_id, request.agent_id))  # agent ids are per workspace
                if agent is None:
                    raise NotFound("agent-not-found")
                if agent.revoked_at is not None:
                    raise BadRequest("agent-not-available")
                mode = self._exec_mode(request, agent) if request.type == "codex_exec" else _Mode("", False, False)
                self._check_quotas(tx, workspace_id, creator)
                task = Task(
                    task_id=task_id, workspace_id=workspace_id, agent_id=agent.agent_id, type=request.type,
                    title=request.type if text_titled else request.title,
                    status=Status.AWAITING_APPROVAL if kind.needs_approval else Status.QUEUED,
                    created_at=now, updated_at=now, action_id=request.action_id, log_source_id=request.log_source_id,
                    resume_session_id=request.resume_session_id, session_id=request.session_id, cwd=request.cwd,
                    write_access=mode.writes, needs_approval=kind.needs_approval, exec_mode=mode.id,
                    thread_id=request.thread_id, created_by_user_id=creator.user_id,
                    created_by_display_name=creator.display_name,
                )  # fmt: skip
                text = {"prompt": request.prompt}
                if request.signed is not None:
                    text.update(request.signed)  # intent, intentAssertion: for the agent to verify
                if text_titled and request.title != request.type:
                    text["title"] = request.title  # shown while the relay runs, like the prompt
                reserve = None
                if mode.interactive:
                    text.update(turn_text(model=request.model, effort=request.effort))
                    reserve = INTERACTIVE_TEXT_RESERVE
                # Every unfinished task holds its text's room from the start, prompt or not.
                admitted = self.volatile.admit(task_id, workspace=workspace_id, reserve=reserve, **text)
                if not admitted:
                    raise TooManyRequests("too-many-tasks")
                tx.tasks.put(task)
                note(
                    tx, "task.created", at=now, workspace_id=workspace_id, record=("task", task_id),
                    actor=creator.user_id, type=task.type, agentId=task.agent_id, execMode=task.exec_mode or None,
                    writeAccess=task.write_access, signed=request.signed is not None,
                )  # fmt: skip
        except BaseException:
            if admitted:
                self.volatile.forget(task_id)  # the task was never stored
            raise
        if task.status == Status.QUEUED:
            self.signals.task_queued((task.workspace_id, task.agent_id))
        return self.state(task)

    def _check_quotas(self, tx: Transaction, workspace_id: str, creator: Creator) -> None:
        """429 `too-many-tasks` past the user's creates per minute or the workspace's unfinished tasks."""
        limits = self.config.limits
        if not self.quotas.allow(("tasks.create", creator.user_id), limits.max_task_creates_per_user_per_minute):
            raise TooManyRequests("too-many-tasks")
        unfinished = sum(tx.tasks.count(workspace_id=workspace_id, status=status) for status in UNFINISHED)
        if unfinished >= limits.max_unfinished_tasks_per_workspace:
            raise TooManyRequests("too-many-tasks")

    def _exec_mode(self, request: TaskRequest, agent: Agent) -> "_Mode":
        """API.md's execMode rules (Extensions and Interactive Codex): the mode, whether it writes,
        whether it is a conversation. Command-line built-ins are accepted unasked; every other mode
        (`chat` and `supervised` too) must be in the agent's advertised list."""
        mode_id = request.exec_mode or default_exec_mode(
            resume_session_id=request.resume_session_id, write_access=request.write_access
        )
        advertised = {m.get("id"): m for m in agent.exec_modes if isinstance(m, dict)}
        if mode_id in BUILT_IN_EXEC_MODES:
            mode = _Mode(mode_id, BUILT_IN_EXEC_MODES[mode_id], False)
        elif mode_id in BUILT_IN_TURN_MODES and mode_id in advertised:
            mode = _Mode(mode_id, BUILT_IN_TURN_MODES[mode_id].writes, True)
        elif mode_id in advertised:
            mode = _Mode(mode_id, advertised[mode_id].get("writes") is True, advertised[mode_id].get("interactive") is True)
        else:
            raise invalid_field("execMode")
        if request.resume_session_id and (mode.interactive or mode_id in BUILT_IN_EXEC_MODES and mode_id != RESUME_MODE):
            raise invalid_field("execMode")  # the agent would start a new session instead of resuming
        if request.thread_id and (request.resume_session_id or not mode.interactive):
            raise invalid_field("threadId")
        for name, value in (("model", request.model), ("effort", request.effort)):
            if value and not mode.interactive:
                raise invalid_field(name)
        if request.write_access and (request.resume_session_id or not mode.writes):
            raise invalid_field("writeAccess")
        if mode_id == RESUME_MODE and not request.resume_session_id:
            raise invalid_field("resumeSessionId")
        if mode.writes and not self.config.features.codex_exec_write:
            raise Forbidden("write-mode-disabled")
        return mode

    def _owned(self, tx: Transaction, workspace_id: str, task_id: str) -> Task:
        task = tx.tasks.get(task_id)
        if task is None or task.workspace_id != workspace_id:
            raise NotFound("task-not-found")
        return task

    def decide(
        self, workspace_id: str, task_id: str, *, approve: bool, user_id: str, signed: Mapping[str, Any] | None = None
    ) -> TaskState:  # fmt: skip
        """Approve or reject; `user_id` is who decides (the two-person rule, policy.py). A signed approval
        (core/intents.py) must name this task as the relay holds it; it is kept for the agent."""
        now = iso(self.clock())
        with self.store.transaction() as tx:
            task = self._owned(tx, workspace_id, task_id)
            if not may(Move.APPROVE if approve else Move.REJECT, task.status):
                raise Conflict("task-not-awaiting-approval")
            workspace = tx.workspaces.get(workspace_id)
            rule_on = workspace is not None and workspace.require_second_approver
            refused = approve and needs_second_approver(rule_on, task.type, task.created_by_user_id, user_id)
            if not refused:
                if approve and signed is not None:
                    check_task(signed, task_view_fields(self.state(task)))
                    self.volatile.set(task_id, approvalIntent=signed["intent"], approvalAssertion=signed["intentAssertion"])
                if approve:
                    task = attrs.evolve(task, status=Status.QUEUED, approved_at=now, updated_at=now)
                else:
                    task = attrs.evolve(task, status=Status.REJECTED, rejected_at=now, updated_at=now)
                tx.tasks.put(task)
                decided = {"signed": signed is not None} if approve else {}
                note(tx, "task.approved" if approve else "task.rejected", at=now, workspace_id=workspace_id,
                     record=("task", task_id), actor=user_id, type=task.type, **decided)
            else:  # the refusal is on the trail too; nothing else changes
                note(tx, "two-person.refused", at=now, workspace_id=workspace_id, record=("task", task_id), actor=user_id,
                     action="approve", type=task.type)
        if refused:
            raise Forbidden("second-approver-required")
        if approve:
            self.signals.task_queued((task.workspace_id, task.agent_id))
        else:
            self.volatile.mark_terminal(task.task_id)
        return self.state(task)

    def cancel(self, workspace_id: str, task_id: str) -> TaskState:
        now = iso(self.clock())
        with self.store.transaction() as tx:
            task = self._owned(tx, workspace_id, task_id)
            if task.status in TERMINAL:
                raise Conflict("task-already-finished")
            if may(Move.REQUEST_CANCEL, task.status):
                if task.cancel_requested_at is None:
                    task = attrs.evolve(task, cancel_requested_at=now, updated_at=now)
                    tx.tasks.put(task)
                    note(tx, "task.canceled", at=now, workspace_id=workspace_id, record=("task", task_id), status=task.status)
            else:
                note(tx, "task.canceled", at=now, workspace_id=workspace_id, record=("task", task_id), status=task.status)
                task = attrs.evolve(task, status=Status.CANCELED, cancel_requested_at=now, updated_at=now)
                tx.tasks.put(task)
        if task.status == Status.RUNNING:
            self.signals.cancel_requested((task.workspace_id, task.agent_id))
        else:
            self.volatile.mark_terminal(task.task_id)
            self.notify.task_finished(task)
        return self.state(task)

    # --- housekeeping ------------------------------------------------------------------------

    def finish_overdue_cancels(self, now: datetime) -> list[str]:
        """Cancel running tasks whose cancel was requested >= CANCEL_GRACE_SEC ago; their ids.

        Looks first (a read), writes only when something is due, and checks each task again in
        the write transaction: two relays sweeping one store at once cancel each task once.
        """
        deadline = iso(now - timedelta(seconds=CANCEL_GRACE_SEC))
        with self.store.transaction(write=False) as tx:
            due = [t.task_id for t in tx.tasks.find(status=Status.RUNNING) if _requested_before(t, deadline)]
        if not due:
            return []
        done = []
        with self.store.transaction() as tx:
            for task_id in due:
                task = tx.tasks.get(task_id)
                if task is not None and may(Move.CANCEL_OVERDUE, task.status) and _requested_before(task, deadline):
                    task = attrs.evolve(task, status=Status.CANCELED, updated_at=iso(now))
                    tx.tasks.put(task)
                    done.append(task)
        for task in done:
            self.volatile.mark_terminal(task.task_id)
            self.notify.task_finished(task)
        return [task.task_id for task in done]

    def interrupt_unfinished(self, epoch: str) -> int:
        """Every task not yet finished becomes `interrupted` (its text is gone) when the stored meta
        names another volatile store's `epoch` (services/volatile_epoch.py); `epoch` then becomes the
        stored one, in the same write transaction: of several relays noticing a new epoch at once,
        one interrupts and the others find it done. Text an agent reported since the store was
        emptied (a running relay on an emptied Redis) ends with its task."""
        now = iso(self.clock())
        interrupted = []
        with self.store.transaction() as tx:
            meta = tx.get_meta()
            if meta.volatile_epoch == epoch:
                return 0
            tx.set_meta(attrs.evolve(meta, volatile_epoch=epoch))
            for status in UNFINISHED:
                for task in tx.tasks.find(status=status):
                    interrupted.append(attrs.evolve(task, status=Status.INTERRUPTED, updated_at=now))
                    tx.tasks.put(interrupted[-1])
        for task in interrupted:
            self.volatile.mark_terminal(task.task_id)
            self.notify.task_finished(task)
        return len(interrupted)

    # --- the agent's side --------------------------------------------------------------------

    def queued_for(self, tx: Transaction, agent: Agent, limit: int) -> list[Task]:
        if limit <= 0:
            return []
        return tx.tasks.find(
            agent_id=agent.agent_id, workspace_id=agent.workspace_id, status=Status.QUEUED, order_by="created_at",
            limit=limit,
        )  # fmt: skip

    def running_for(self, tx: Transaction, agent: Agent) -> list[Task]:
        return tx.tasks.find(
            agent_id=agent.agent_id, workspace_id=agent.workspace_id, status=Status.RUNNING, order_by="created_at"
        )  # fmt: skip


    def claim(self, tx: Transaction, agent: Agent, limit: int) -> list[TaskState]:
        """Mark the agent's oldest queued tasks (at most `limit`) running.

        A queued task whose text is no longer held (a Redis restarted or emptied before the relay
        noticed, or text expired after waiting weeks) is never handed out with an empty prompt: it
        becomes `interrupted`, as its text's loss makes it at a relay start. The claimed tasks' text is
        read at once after the loop (nothing in it writes text)."""
        now = iso(self.clock())
        claimed = []
        for task in self.queued_for(tx, agent, limit):
            if not may(Move.CLAIM, task.status):
                continue
            if not self.volatile.inspect(task.task_id, _held):
                tx.tasks.put(attrs.evolve(task, status=Status.INTERRUPTED, updated_at=now))
                continue
            task = attrs.evolve(task, status=Status.RUNNING, updated_at=now)
            tx.tasks.put(task)
            claimed.append(task)
        return self.states(claimed)

    def update(self, agent: Agent, task_id: str, update: TaskUpdate) -> None:
        now = iso(self.clock())
        with self.store.transaction() as tx:
            task = tx.tasks.get(task_id)
            if task is None or task.workspace_id != agent.workspace_id:
                raise NotFound("task-not-found")
            if task.agent_id != agent.agent_id:
                raise Forbidden("agent-mismatch")
            if task.status in TERMINAL:
                raise Conflict("task-already-finished")
            if not may(Move.REPORT, task.status):
                raise Conflict("task-not-running")
            if update.status == Status.CANCELED and task.cancel_requested_at is None:
                raise invalid_field("status")
            result = sanitize_result(task.type, update.result) if update.result is not None else None
            thread_id = update.thread_id
            if thread_id is None and result and isinstance(result.get("threadId"), str):
                thread_id = result["threadId"]
            status = update.status or task.status
            finished = status in TERMINAL
            task = attrs.evolve(task, status=status, updated_at=now, thread_id=task.thread_id if thread_id is None else thread_id)
            if update.redactions is not None:  # ours: the highest count the agent said (an update may arrive late)
                task = attrs.evolve(task, redactions=max(task.redactions, update.redactions))
            news = RequestNews()
            # Text first, then the commit: the commit wakes waiting phones, which must see it.
            self.volatile.update(task_id, lambda entry: news.around(entry, lambda: _apply_text(entry, update, result, task_id, now)), terminal=finished)
            tx.tasks.put(task)
        self.feed.bump(task.workspace_id)
        if news.waiting:
            self.notify.requests_waiting(task, news.waiting)
        for request_id in news.expired:
            self.notify.request_expired(task, request_id)
        for request_id, request_status in news.settled:  # e.g. answered in Codex itself, or the turn ended
            self.notify.request_answered(task, request_id, status=request_status, actor="")
        if finished:
            self.notify.task_finished(task)


@attrs.define
class RequestNews:
    """What an agent's update did to a turn's requests that people should hear of."""

    waiting: list[dict] = attrs.Factory(list)  # new requests waiting for a person (copies)
    expired: list[str] = attrs.Factory(list)  # request ids that were waiting and expired
    settled: list[tuple[str, str]] = attrs.Factory(list)  # (request id, status): settled by the agent, unanswered here

    def around(self, entry: dict[str, Any], apply) -> None:
        """Run `apply()` on the entry and note the requests it added or expired. A rerun (TaskText.update
        retries on a fresh entry) notes them afresh."""
        self.waiting, self.expired, self.settled = [], [], []
        before = {request["requestId"]: request["status"] for request in entry.get("requests") or ()}
        apply()
        for request in entry.get("requests") or ():
            was = before.get(request["requestId"])
            if was is None and request["status"] == PENDING:
                self.waiting.append({key: request.get(key) for key in ("requestId", "kind", "command", "title", "reason")})
            elif was == PENDING and request["status"] == "expired":
                self.expired.append(request["requestId"])
            elif was == PENDING and request["status"] != PENDING:
                self.settled.append((request["requestId"], request["status"]))


def cancel_ids(running: list[Task]) -> list[str]:
    return [task.task_id for task in running if task.cancel_requested_at is not None]


@attrs.frozen
class _Mode:
    id: str
    writes: bool
    interactive: bool


def _held(entry: dict | None) -> bool:
    return entry is not None


def _requested_before(task: Task, deadline: str) -> bool:
    return task.cancel_requested_at is not None and task.cancel_requested_at <= deadline


def _apply_text(entry: dict[str, Any], update: TaskUpdate, result: dict | None, task_id: str, now: str) -> None:
    if update.turn is not None:
        apply_report(entry, task_id, update.turn, now)  # first: it may refuse, before anything changed
    if update.summary is not None:
        entry["summary"] = update.summary
    if update.output_append:
        entry["outputTail"] = clamp_tail(entry["outputTail"] + update.output_append, OUTPUT_TAIL_BYTES)
    if update.diff_text is not None:
        entry["diffText"] = update.diff_text
    if result is not None:
        entry["result"] = result
    if update.error is not None:
        entry["error"] = clamp_head(update.error, ERROR_BYTES)
