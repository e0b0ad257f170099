"""Sending one task's progress to the relay: output in batches, capped per update and in total.

Output is buffered and flushed by a small thread every FLUSH_INTERVAL_SEC (so the phone sees it
live) in updates of at most `maxTaskLogBytes`, each body counted as the JSON it is sent as
(body_size.py). A task sends at most TOTAL_OUTPUT_CAP bytes, note included: room for
TRUNCATED_NOTE is kept back, and output that would reach into it is dropped, the note taking its
place. A 409 from the relay (the task was canceled or finished there) means nobody wants this run
any more: `stopped` is set and the runner ends the run.

An interactive turn's structured fields (turn_fields.py) ride in the same updates: each body holds
first the queued fields, then as much output as the rest of `maxTaskLogBytes` allows. Requests and
steer outcomes wake the flusher at once, since a person is waiting for them; items (deltas) wait for
the next tick. The final update is sent only once the output and every queued field have gone, so
the relay never sees a field after the status.

Secrets never leave the server (redaction.py): output goes through the task's OutputStream (whole
lines, so a secret split across two appends is seen whole), items and the final update's texts
through its filters; requests were filtered before their digest was computed (requests.py). Each
update after a secret was hidden carries `redactions`, the task's count so far.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from mobile_codex.core.text import clamp_tail, split_head, utf8_size

from .body_size import member_overhead, split_encoded_head
from .redaction import Redactor, TaskRedactions
from .relay_client import RelayClient, RelayRefused, RelayUnavailable
from .turn_fields import URGENT_FIELDS, Taken, TurnFieldQueue

log = logging.getLogger("mobile_codex.agent")

FLUSH_INTERVAL_SEC = 0.3
TOTAL_OUTPUT_CAP = 1024 * 1024  # PRODUCT.md: at most 1 MiB of output per task
PENDING_CAP = 4 * 1024 * 1024  # kept while the relay is unreachable; the oldest is dropped past it
FINAL_RETRY_SEC = 120  # how long a final update is retried while the relay is unreachable
SENT, REFUSED, UNREACHABLE = "sent", "refused", "unreachable"  # what became of one update
TRUNCATED_NOTE = "\n[output truncated: the agent sends at most 1 MiB per task]\n"
REDACTIONS_ROOM = 24  # `, "redactions": 123456` kept free in every update body
FILTERED_FINAL_FIELDS = {"summary": "summary", "error": "error", "diffText": "diff", "result": "result"}


class TaskReporter:
    def __init__(self, client: RelayClient, task_id: str, *, per_update_bytes: int, total_cap: int = TOTAL_OUTPUT_CAP,
                 cancel: threading.Event | None = None, give_up: threading.Event | None = None,
                 redactions: TaskRedactions | None = None):  # fmt: skip
        self.client = client
        self.redactions = redactions or Redactor().for_task()  # none given: no filters
        self._stream = self.redactions.stream()
        self._stream_lock = threading.Lock()  # filtering runs outside _lock: the flusher never waits for it
        self._reported_redactions = 0
        self.task_id = task_id
        self.per_update = per_update_bytes
        self.budget = max(0, total_cap - utf8_size(TRUNCATED_NOTE))  # output bytes left; the note's room kept
        self.stopped = threading.Event()  # the relay refused an update: stop the run
        self._cancel = cancel  # set too when stopped, so the run's process is killed
        self._give_up = give_up or threading.Event()  # set when the agent stops: retries end
        self._pending = ""
        self._fields = TurnFieldQueue()
        self._truncated = False
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._closing = threading.Event()
        self._wake = threading.Event()  # flush now rather than at the next tick
        self._flusher = threading.Thread(target=self._flush_loop, name=f"report-{task_id}", daemon=True)
        self._flusher.start()

    def append(self, text: str) -> None:
        if not text:
            return
        with self._stream_lock:
            text = self._stream.push(text)
            if text:
                self._append_filtered(text)

    def _append_filtered(self, text: str) -> None:
        with self._lock:
            if self._truncated:
                return
            head, rest = split_head(text, self.budget)
            self.budget -= utf8_size(head)
            self._pending += head
            if rest:
                self._truncated = True
                self._pending += TRUNCATED_NOTE
            if len(self._pending) > PENDING_CAP:
                self._pending = clamp_tail(self._pending, PENDING_CAP)

    def queue_turn_fields(self, *, items=(), requests_add=(), requests_resolved=(), steers_applied=(),
                          steers_rejected=(), token_usage=None, turn_id=None, thread_id=None) -> None:  # fmt: skip
        """Queue an interactive turn's update fields (TurnChannel.report) for the next flush."""
        lists = {"itemsAppend": items, "requestsAdd": requests_add, "requestsResolved": requests_resolved,
                 "steersApplied": steers_applied, "steersRejected": steers_rejected}  # fmt: skip
        scalars = {"tokenUsage": token_usage, "turnId": turn_id, "threadId": thread_id}
        if self.stopped.is_set():
            return
        with self._lock:
            for name, values in lists.items():
                for value in values:
                    self._fields.add(name, value)
            for name, value in scalars.items():
                if value is not None:
                    self._fields.add(name, value)
        if any(lists[name] for name in URGENT_FIELDS):
            self._wake.set()

    def flush(self) -> None:
        """Send what is queued, in updates of at most `per_update` bytes (fields first, then output)."""
        with self._send_lock:
            while not self.stopped.is_set():
                with self._lock:
                    self._fields.refine(self._filtered_field)  # items: each filtered once, whatever its deltas
                    taken = self._fields.take(self.per_update)
                    room = self.per_update - taken.size - member_overhead("outputAppend") - REDACTIONS_ROOM
                    chunk, self._pending = split_encoded_head(self._pending, room)
                if not taken.entries and not taken.scalars and not chunk:
                    return
                if not self._send_batch(taken, chunk):
                    return

    def finish(self, fields: dict[str, Any]) -> None:
        """Flush the output, then send the final update (status, summary, result...).

        While the relay is unreachable both are retried for up to FINAL_RETRY_SEC, or until `give_up` is set.
        """
        with self._stream_lock:  # the run ended: what the stream held goes now
            held = self._stream.end()
            if held:
                self._append_filtered(held)
        fields = {name: self.redactions.value(value, FILTERED_FINAL_FIELDS[name]) if name in FILTERED_FINAL_FIELDS else value
                  for name, value in fields.items()}  # fmt: skip
        self.close()
        deadline = time.monotonic() + FINAL_RETRY_SEC
        delay = 0.5
        while True:
            self.flush()
            if self.stopped.is_set():
                return
            with self._lock:
                flushed = not self._pending and self._fields.empty()
            if flushed:
                try:
                    count = self.redactions.count  # the final update always says it (an earlier one may be lost)
                    self._send({**fields, "redactions": count} if count else fields)
                    return
                except RelayUnavailable as err:
                    log.info("task %s: final update not sent yet: %s", self.task_id, err)
            if time.monotonic() >= deadline:
                log.warning("task %s: relay unreachable; giving up on its final update", self.task_id)
                return
            if self._give_up.wait(delay):
                log.warning("task %s: the agent is stopping and the relay is unreachable; its final update is not sent", self.task_id)
                return
            delay = min(5.0, delay * 2)

    def close(self) -> None:
        """Stop the flusher without a final update (the relay already finished the task)."""
        self._closing.set()
        self._wake.set()
        self._flusher.join()

    # --- internals ----------------------------------------------------------------------------

    def _flush_loop(self) -> None:
        while not self._closing.is_set():
            self._wake.wait(FLUSH_INTERVAL_SEC)
            self._wake.clear()
            if not self._closing.is_set():
                self.flush()

    def _send_batch(self, taken: Taken, chunk: str) -> bool:
        """Send queued fields and output as one update; False when the relay is unreachable (what was
        not sent is queued again, in front).

        When the relay refuses the update (400: e.g. a request it finds over budget), each field and
        the output are sent again on their own, so one bad value costs only itself.
        """
        outcome = self._send_first([(taken, chunk)])
        parts = [(part, "") for part in taken.split()] + ([(Taken(), chunk)] if chunk else [])
        if outcome == REFUSED and len(parts) > 1 and not self.stopped.is_set():
            log.info("task %s: sending the refused update's %d parts one by one", self.task_id, len(parts))
            while parts and outcome != UNREACHABLE and not self.stopped.is_set():
                outcome = self._send_first(parts)
                parts = parts[1:]
        return outcome != UNREACHABLE

    def _send_first(self, parts: list[tuple[Taken, str]]) -> str:
        """Send parts[0]; when the relay is unreachable, every part goes back to the front of the queue."""
        taken, chunk = parts[0]
        body = taken.body()
        if chunk:
            body["outputAppend"] = chunk
        try:
            return SENT if self._send(self._with_redactions(body)) else REFUSED
        except RelayUnavailable:
            with self._lock:  # try again at the next flush
                self._pending = "".join(c for _, c in parts) + self._pending
                self._fields.put_back(Taken.joined([t for t, _ in parts]))
            return UNREACHABLE

    def _filtered_field(self, field: str, value: Any) -> Any:
        """An item through the task's filters; requests were filtered before their digest (requests.py)."""
        return self.redactions.value(value, "item") if field == "itemsAppend" else value

    def _with_redactions(self, body: dict) -> dict:
        """`body` with `redactions` when the count grew since it was last sent (an update the relay
        took counts as sent; the relay keeps the highest count it was told)."""
        count = self.redactions.count
        if count > self._reported_redactions:
            body = {**body, "redactions": count}
            self._reported_redactions = count
        return body

    def _send(self, body: dict) -> bool:
        """True when the relay took the update; False when it refused it (404/409/403 stop the run)."""
        try:
            self.client.update(self.task_id, body)
            return True
        except RelayRefused as err:
            if err.status in (404, 409, 403):
                log.info("task %s: relay refused an update (%s); stopping it", self.task_id, err.code)
                self.stopped.set()
                if self._cancel is not None:
                    self._cancel.set()
                return False
            log.warning("task %s: relay refused an update: %s", self.task_id, err)
            return False
