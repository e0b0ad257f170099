"""What a running interactive turn shares with the agent around it: reports out, answers and steers in.

The runner makes one TurnChannel per codex_exec task and hands it to the handler in its TaskContext.
The handler never sees the relay: it `report`s items, requests and steer outcomes (the reporter batches
them with the output into update bodies), takes what a person sent with `next_input`, and says when it
is `waiting_for_person` so the runner stops counting the task against maxConcurrentTasks.

The relay repeats an answer or steer on every poll until the agent reports it resolved, so the channel
delivers each one once. An answer counts as "the same" only with the same request id, decision and
digest: an answer carrying a wrong digest (which the handler ignores) must not hide the right one that
follows. A handler therefore may get a second, different answer for a request it already resolved, and
ignores it like any answer for a request that is not pending.

When the handler returns, the runner `close`s the channel: steers it never took are reported rejected
(STEER_TURN_ENDED) before the final update, so a steer sent as the turn ended is never left pending.
"""

from __future__ import annotations

import collections
import logging
import re
import threading
import time
from typing import Any, Callable, Iterable, Mapping

import attrs

from mobile_codex.core.interactive import DECISIONS, REQUEST_ID, STEER_BYTES
from mobile_codex.core.text import utf8_size
from mobile_codex.core.timeutil import iso, system_clock

log = logging.getLogger("mobile_codex.agent")

STEER_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
DIGEST = re.compile(r"[0-9a-f]{64}")
CANCEL_CHECK_SEC = 0.1  # next_input notices a set cancel event within this long
STEER_TURN_ENDED = "turn-ended"  # steersRejected reason: the turn ended before the steer reached it
DISTINCT_INPUTS_MAX = 1000  # per turn; past it a misbehaving relay's inputs are ignored, not hoarded


@attrs.frozen
class Answer:
    request_id: str
    decision: str
    digest: str


@attrs.frozen
class Steer:
    steer_id: str
    text: str


def answer_from(entry: Any) -> Answer | None:
    """An API.md poll-reply `answers[]` entry as an Answer, or None when it is malformed."""
    if not isinstance(entry, Mapping):
        return None
    request_id, decision, digest = entry.get("requestId"), entry.get("decision"), entry.get("digest")
    if not isinstance(request_id, str) or not REQUEST_ID.fullmatch(request_id):
        return None
    if decision not in DECISIONS or not isinstance(digest, str) or not DIGEST.fullmatch(digest):
        return None
    return Answer(request_id=request_id, decision=decision, digest=digest)


def steer_from(entry: Any) -> Steer | None:
    """An API.md poll-reply `steers[]` entry as a Steer, or None when it is malformed."""
    if not isinstance(entry, Mapping):
        return None
    steer_id, text = entry.get("steerId"), entry.get("text")
    if not isinstance(steer_id, str) or not STEER_ID.fullmatch(steer_id):
        return None
    if not isinstance(text, str) or not text or utf8_size(text) > STEER_BYTES:
        return None
    return Steer(steer_id=steer_id, text=text)


class TurnChannel:
    """One per running interactive task (cheap: made for every codex_exec task, used only by turns).

    `queue_fields(**fields)` is the reporter's `queue_turn_fields`; `on_waiting(bool)` tells the runner
    whether the task holds a slot; `cancel` is the task's cancel event.
    """

    def __init__(self, *, queue_fields: Callable[..., None], on_waiting: Callable[[bool], None],
                 cancel: threading.Event, redact_text: Callable[[str, str], str] = lambda text, where: text):  # fmt: skip
        # The task's text filters (redaction.py): a request's texts pass them before its digest is computed.
        self.redact_text = redact_text
        self._queue_fields = queue_fields
        self._on_waiting = on_waiting
        self._cancel = cancel
        self._cond = threading.Condition()
        self._inbox: collections.deque[Answer | Steer] = collections.deque()
        self._seen: set[Answer | str] = set()  # answers as a whole, steers by id
        self._waiting = False
        self._closed = False

    # --- the handler's side ---------------------------------------------------------------

    def report(self, *, items: Iterable[dict] = (), requests_add: Iterable[dict] = (),
               requests_resolved: Iterable[dict] = (), steers_applied: Iterable[str] = (),
               steers_rejected: Iterable[dict] = (), token_usage: dict | None = None, turn_id: str | None = None,
               thread_id: str | None = None) -> None:  # fmt: skip
        """Queue API.md update fields; they go with the next output flush (requests and steers at once).

        requests_resolved: [{requestId, status}]; steers_applied: [steerId]; steers_rejected:
        [{steerId, reason}]. Items with the same itemId coalesce while queued (the latest wins). The
        values are copied as they are now (TypeError here if one is not JSON). The handler clamps them to
        core/interactive.py's budgets; a request or item bigger than maxTaskLogBytes is sent alone.
        """
        self._queue_fields(
            items=list(items), requests_add=list(requests_add), requests_resolved=list(requests_resolved),
            steers_applied=list(steers_applied), steers_rejected=list(steers_rejected), token_usage=token_usage,
            turn_id=turn_id, thread_id=thread_id,
        )  # fmt: skip

    def next_input(self, timeout: float) -> Answer | Steer | None:
        """The next answer or steer for this task, in the order they came; None at timeout or on cancel."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            while not self._inbox:
                left = deadline - time.monotonic()
                if left <= 0 or self._cancel.is_set():
                    return None
                self._cond.wait(min(left, CANCEL_CHECK_SEC))
            if self._cancel.is_set():
                return None
            return self._inbox.popleft()

    def waiting_for_person(self, waiting: bool) -> None:
        """True while a request waits for a person: the task then holds no maxConcurrentTasks slot."""
        with self._cond:
            changed, self._waiting = self._waiting != waiting, waiting
        if changed:
            self._on_waiting(waiting)

    # --- the runner's side ----------------------------------------------------------------

    def offer(self, item: Answer | Steer) -> bool:
        """Queue an input the poll delivered; False when it is a repeat (or past DISTINCT_INPUTS_MAX)."""
        key: Answer | str = item if isinstance(item, Answer) else item.steer_id
        with self._cond:
            if self._closed or key in self._seen:
                return False
            if len(self._seen) >= DISTINCT_INPUTS_MAX:
                log.warning("a turn got more than %d distinct answers and steers; ignoring more", DISTINCT_INPUTS_MAX)
                return False
            self._seen.add(key)
            self._inbox.append(item)
            self._cond.notify_all()
        return True

    def known(self, item: Answer | Steer) -> bool:
        """Whether this input was offered (or refused) before: the relay repeats inputs every poll."""
        with self._cond:
            return (item if isinstance(item, Answer) else item.steer_id) in self._seen

    def refuse(self, item: Answer | Steer, code: str, detail: str) -> bool:
        """An input the agent will not act on as sent (its signed intent was refused): a steer is reported
        rejected with `code`; an answer declines its request (nothing a refused answer asked for runs)
        and the conversation says why. False when it is a repeat."""
        key: Answer | str = item if isinstance(item, Answer) else item.steer_id
        with self._cond:
            if self._closed or key in self._seen:
                return False
            self._seen.add(key)
            if isinstance(item, Answer):
                decline = Answer(request_id=item.request_id, decision="decline", digest=item.digest)
                if decline not in self._seen:
                    self._seen.add(decline)
                    self._inbox.append(decline)
                    self._cond.notify_all()
        if isinstance(item, Steer):
            self.report(steers_rejected=[{"steerId": item.steer_id, "reason": code}])
        else:
            notice = {
                "itemId": f"refused-{item.request_id}"[:64], "type": "notice", "status": "completed",
                "text": f"{code}: the answer to {item.request_id} was refused ({detail}); the request is declined",
                "at": iso(system_clock()),
            }  # fmt: skip
            self.report(items=[notice])
        return True

    def close(self) -> list[Steer]:
        """The turn is over: later inputs are ignored; returns the steers the handler never took."""
        with self._cond:
            self._closed = True
            left = [item for item in self._inbox if isinstance(item, Steer)]
            self._inbox.clear()
            self._cond.notify_all()
        return left
