"""Running the tasks a poll hands over: at most maxConcurrentTasks at once, the rest queued here.

`maxTasks` in the poll asks for only as many as there are free slots, but the reference relay
ignores it; whatever arrives is accepted and waits in the local queue. A cancel removes a queued
task at once, or sets the running task's cancel event (its process group is killed).

`cancel` is called on the poll thread, and a report retries while the relay is unreachable, so
a queued task's `canceled` report is sent from a thread of its own: a poll never waits for a
report. When the agent stops, reports still retrying give up and stop_all waits briefly for the rest.

Every codex_exec task gets a TurnChannel. `deliver` hands it the answers and steers each poll
reply carries, once the agent's intent gate (intent_check.py) accepts them: a refused steer is
reported rejected with the refusal code, a refused answer declines its request. A task whose turn waits for a person (`waiting_for_person(True)`) holds no slot, so
turns waiting for approval never block other tasks; when it resumes it counts again, and the agent
may then run more than `slots` tasks for a while (nothing is stopped to make room: the waiting
turn already has its app-server, and the person is waiting for it).
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from typing import Any, Callable

from .dispatch import Dispatcher, TaskContext, TaskResult
from .errors import TaskCanceled, TaskFailed
from .redaction import Redactor, clamp_head_words
from .relay_client import RelayClient
from .reporter import TaskReporter
from .turn_channel import STEER_TURN_ENDED, TurnChannel, answer_from, steer_from

log = logging.getLogger("mobile_codex.agent")

ERROR_BYTES = 4000  # API.md: error <= 4000 B
SUMMARY_CHARS = 2000  # API.md: summary <= 2048 B (the relay clamps bytes)


class TaskRunner:
    def __init__(self, client: RelayClient, dispatcher: Dispatcher, *, slots: int, per_update_bytes: int,
                 on_slot_free: Callable[[], None] = lambda: None, redactor: Redactor | None = None):  # fmt: skip
        self.gate = dispatcher.gate  # answers and steers of a task it covers need their own signed intents
        self.client = client
        self.redactor = redactor or Redactor()  # what every task's texts pass before they are sent (none: no filters)
        self.dispatcher = dispatcher
        self.slots = slots
        self.per_update_bytes = per_update_bytes
        self.on_slot_free = on_slot_free
        self._lock = threading.Lock()
        self._queue: collections.deque[dict] = collections.deque()
        self._running: dict[str, threading.Event] = {}  # task id -> its cancel event
        self._channels: dict[str, TurnChannel] = {}  # task id -> its turn channel (codex_exec tasks)
        self._turn_tasks: dict[str, dict] = {}  # task id -> the task of that channel
        self._waiting: set[str] = set()  # running tasks waiting for a person: they hold no slot
        self._threads: set[threading.Thread] = set()
        self._stopping = False  # the agent is shutting down: runs end as `agent-stopped`, not canceled
        self._give_up = threading.Event()  # set with _stopping: reports retrying for an unreachable relay end

    def free_slots(self) -> int:
        with self._lock:
            return max(0, self.slots - self._active() - len(self._queue))

    def busy(self) -> bool:
        with self._lock:
            return bool(self._running or self._queue)

    def submit(self, task: dict[str, Any]) -> None:
        task_id = task.get("taskId")
        if not isinstance(task_id, str) or not task_id:
            return
        with self._lock:
            if task_id in self._running or any(t.get("taskId") == task_id for t in self._queue):
                return  # already ours
            self._queue.append(task)
        self._start_more()

    def cancel(self, task_id: str) -> None:
        with self._lock:
            queued = next((t for t in self._queue if t.get("taskId") == task_id), None)
            if queued is not None:
                self._queue.remove(queued)
            event = self._running.get(task_id)
        if event is not None:
            event.set()
        elif queued is not None:
            with self._lock:
                if self._stopping:
                    return
                thread = threading.Thread(target=self._report_canceled, args=(task_id,), name=f"cancel-{task_id}", daemon=True)
                self._threads.add(thread)
                thread.start()  # under the lock, as in _start_more: stop_all never joins an unstarted thread

    def deliver(self, answers: object, steers: object) -> int:
        """Hand a poll reply's `answers[]` and `steers[]` to their running tasks' channels.

        Entries for tasks not running here, and malformed ones, are ignored. Returns how many were
        new (not repeats), so the poller can tell a reply that brought something from one that did not.
        """
        new = 0
        for entries, parse in ((answers, answer_from), (steers, steer_from)):
            for entry in entries if isinstance(entries, list) else ():
                task_id = entry.get("taskId") if isinstance(entry, dict) else None
                with self._lock:
                    channel = self._channels.get(task_id) if isinstance(task_id, str) else None
                    task = self._turn_tasks.get(task_id) if isinstance(task_id, str) else None
                parsed = parse(entry) if channel is not None else None
                if parsed is None or channel.known(parsed):
                    continue
                refusal = self.gate.input_refusal(task, entry) if self.gate is not None else None
                if refusal is not None:
                    log.warning("task %s: refused an input: %s: %s", task_id, *refusal)
                    new += channel.refuse(parsed, *refusal)
                elif channel.offer(parsed):
                    new += 1
        return new

    def stop_all(self, timeout: float = 10.0) -> None:
        """Cancel everything (agent shutdown) and wait up to `timeout` for the runs and reports to end.

        Each run still reports how it ended; a report the relay cannot take now is not retried.
        """
        with self._lock:
            self._stopping = True
            self._give_up.set()
            self._queue.clear()
            events = list(self._running.values())
            threads = list(self._threads)
        for event in events:
            event.set()
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    # --- internals ----------------------------------------------------------------------------

    def _active(self) -> int:
        """Tasks holding a slot: running and not waiting for a person (call under _lock)."""
        return len(self._running) - len(self._waiting)

    def _set_waiting(self, task_id: str, waiting: bool) -> None:
        with self._lock:
            if task_id not in self._running:
                return
            if waiting:
                self._waiting.add(task_id)
            else:
                self._waiting.discard(task_id)
        if waiting:  # its slot is free now: start a queued task, or let the poller ask for one
            self._start_more()
            self.on_slot_free()

    def _start_more(self) -> None:
        with self._lock:
            while self._queue and self._active() < self.slots:
                task = self._queue.popleft()
                cancel = threading.Event()
                self._running[task["taskId"]] = cancel
                thread = threading.Thread(target=self._run, args=(task, cancel), name=f"task-{task['taskId']}", daemon=True)
                self._threads.add(thread)
                thread.start()

    def _report_canceled(self, task_id: str) -> None:
        try:
            self._reporter(task_id).finish({"status": "canceled", "error": "canceled", "summary": "Canceled before it started"})
        except Exception:
            log.exception("task %s: unexpected error reporting its cancel", task_id)
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())

    def _reporter(self, task_id: str, cancel: threading.Event | None = None) -> TaskReporter:
        return TaskReporter(self.client, task_id, per_update_bytes=self.per_update_bytes, cancel=cancel, give_up=self._give_up,
                            redactions=self.redactor.for_task())  # fmt: skip

    def _run(self, task: dict[str, Any], cancel: threading.Event) -> None:
        task_id = task["taskId"]
        reporter = self._reporter(task_id, cancel)
        try:
            turn = self._channel(task, reporter, cancel)
            final = self._final_update(task, reporter, cancel, turn)
            if turn is not None:  # steers the turn never took: rejected before the final update
                left = turn.close()
                reporter.queue_turn_fields(steers_rejected=[{"steerId": s.steer_id, "reason": STEER_TURN_ENDED} for s in left])
            if reporter.stopped.is_set():
                reporter.close()  # the relay finished the task itself (409): nothing more to say
            else:
                reporter.finish(final)
        except Exception:  # never let one task take the agent down
            log.exception("task %s: unexpected error", task_id)
        finally:
            with self._lock:
                self._running.pop(task_id, None)
                self._channels.pop(task_id, None)
                self._turn_tasks.pop(task_id, None)
                self._waiting.discard(task_id)
                self._threads.discard(threading.current_thread())
            self._start_more()
            self.on_slot_free()

    def _final_update(self, task: dict[str, Any], reporter: TaskReporter, cancel: threading.Event,
                      turn: TurnChannel | None) -> dict[str, Any]:  # fmt: skip
        ctx = TaskContext(task=task, output=reporter.append, cancel=cancel, turn=turn)
        try:
            outcome: TaskResult = self.dispatcher.run(ctx)
        except TaskCanceled:
            return self._canceled()
        except TaskFailed as err:
            if err.detail:
                reporter.append(f"{err.code}: {err.detail}\n")
            return {"status": "failed", "error": err.code, "summary": clamp_head_words(err.detail or err.code, SUMMARY_CHARS)}
        except Exception as err:
            log.exception("task %s failed unexpectedly", task.get("taskId"))
            return {"status": "failed", "error": f"agent-error: {type(err).__name__}"[:ERROR_BYTES]}
        if cancel.is_set():  # canceled just as it finished
            return self._canceled()
        update: dict[str, Any] = {
            "status": "failed" if outcome.error else "completed",
            "summary": clamp_head_words(outcome.summary, SUMMARY_CHARS),  # never a cut token: it could slip the filter
            "result": outcome.result,
        }
        if outcome.error:
            update["error"] = outcome.error
        if outcome.diff_text is not None:
            update["diffText"] = outcome.diff_text
        if outcome.thread_id:
            update["threadId"] = outcome.thread_id
        return update

    def _channel(self, task: dict[str, Any], reporter: TaskReporter, cancel: threading.Event) -> TurnChannel | None:
        """A codex_exec task's TurnChannel, registered so `deliver` finds it (other tasks get none)."""
        if task.get("type") != "codex_exec":
            return None
        task_id = task["taskId"]
        channel = TurnChannel(
            queue_fields=reporter.queue_turn_fields, on_waiting=lambda waiting: self._set_waiting(task_id, waiting),
            cancel=cancel, redact_text=reporter.redactions.text,
        )  # fmt: skip
        with self._lock:
            self._channels[task_id] = channel
            self._turn_tasks[task_id] = task
        return channel

    def _canceled(self) -> dict[str, Any]:
        if self._stopping:  # the relay did not ask: it may only be told `canceled` when it did
            return {"status": "failed", "error": "agent-stopped", "summary": "The agent stopped during the run"}
        return {"status": "canceled", "error": "canceled", "summary": "Canceled"}
