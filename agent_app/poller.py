"""The poll loop: tell the relay what we can do, take tasks and cancels, keep the token fresh.

Long-poll (`waitMs` = longPollMs) with `maxTasks` = free slots. API.md's heldMs rule prevents a
hot loop: a reply without `heldMs` (the reference relay), or an empty one held less than half of
`waitMs`, means "wait pollIntervalMs first". A relay that is down means back off and retry; a
refused token (401) ends the loop with TokenRevoked; a refreshed token that cannot be saved ends it
with TokenNotSaved (the token in use stays the old one, which the relay still accepts).

Each reply's `answers[]` and `steers[]` go to the runner, which hands them to their tasks' turns.
The relay repeats them on every poll until the agent reports them resolved, so a reply counts as
"not empty" for the heldMs rule only when it brought an answer or steer not seen before: repeats
alone never make the agent poll again at once.

`stop()` and `slot_freed()` cut the poll in flight short through its PollInterrupt. Each poll's
interrupt is registered under `_lock` together with the stop check and the free-slot count it asks
with, so neither is lost whenever it lands: before that, the loop sees it; after, the poll is cut.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from .backoff import Backoff
from .capabilities import Capabilities
from .errors import TokenRevoked
from .relay_client import PollInterrupt, PollInterrupted, RelayClient, RelayRefused, RelayUnavailable
from .runner import TaskRunner
from .token_store import TokenStore

log = logging.getLogger("mobile_codex.agent")


class Poller:
    def __init__(self, client: RelayClient, runner: TaskRunner, capabilities: Capabilities, tokens: TokenStore, *,
                 long_poll_ms: int, poll_interval_ms: int, say: Callable[[str], None] = print):  # fmt: skip
        self.client = client
        self.runner = runner
        self.capabilities = capabilities
        self.tokens = tokens
        self.long_poll_ms = long_poll_ms
        self.interval = poll_interval_ms / 1000
        self.say = say
        self.stop_event = threading.Event()
        self.polls = 0  # answered polls, for tests and status
        self._backoff = Backoff(self.interval, self.stop_event.wait)
        self._lock = threading.Lock()
        self._poll: PollInterrupt | None = None  # the poll in flight
        self._claiming_none = False  # it asked for no task: safe to cut short for a freed slot

    def stop(self) -> None:
        """End run() soon. Call it from another thread, not from a signal handler on run()'s own."""
        self.stop_event.set()
        with self._lock:
            poll = self._poll
        if poll is not None:
            poll.interrupt()

    def say_goodbye(self) -> None:
        """After a clean stop: tell the relay, so phones show this agent offline now rather than
        after 90 s of silence. A relay that is away or refuses just learns it the slow way."""
        try:
            self.client.goodbye()
        except (RelayUnavailable, RelayRefused) as err:
            log.info("goodbye not delivered: %s", err)

    def slot_freed(self) -> None:
        """A task ended or started waiting for a person: a poll that asked for no task is cut short so the next one can take one."""
        with self._lock:
            poll = self._poll if self._claiming_none else None
        if poll is not None:
            poll.interrupt()

    def run(self) -> None:
        """Poll until stop(); raises TokenRevoked when the relay refuses our token, TokenNotSaved
        when a refreshed one cannot be saved."""
        reachable = None
        while True:
            with self._lock:
                if self.stop_event.is_set():
                    return
                max_tasks = self.runner.free_slots()
                poll = self._poll = PollInterrupt()
                self._claiming_none = max_tasks == 0
            # The first poll after (re)connecting is answered at once: the relay learns what we can
            # do, and we learn that it is there, without waiting out a hold.
            greeting = not reachable and self.long_poll_ms > 0
            wait_ms = 0 if greeting else self.long_poll_ms
            body = {**self.capabilities.poll_body(), "waitMs": wait_ms, "maxTasks": max_tasks}
            try:
                reply = self.client.poll(body, poll)
            except PollInterrupted:
                continue  # stopped (the loop ends) or a slot came free (ask again, now for a task)
            except RelayUnavailable as err:
                if self.stop_event.is_set():
                    return
                if reachable is not False:
                    self.say(f"relay not reachable ({err}); retrying with backoff")
                reachable = False
                self._backoff.wait()
                continue
            except RelayRefused as err:
                if err.status == 401:
                    raise TokenRevoked(f"the relay refused this agent's token ({err.code})") from None
                self.say(f"relay refused the poll ({err.code}); retrying")
                self._backoff.wait()
                continue
            finally:
                with self._lock:
                    self._poll, self._claiming_none = None, False
            if reachable is not True:
                self.say("connected to the relay; waiting for tasks")
            reachable = True
            self.polls += 1
            self._backoff.reset()
            fresh_inputs = self._take(reply)
            if not greeting and self._should_wait(reply, fresh_inputs):
                self.stop_event.wait(self.interval)

    def _take(self, reply: dict) -> int:
        """Act on a poll reply; returns how many answers and steers in it were new."""
        token = reply.get("agentToken")
        if isinstance(token, str) and token:
            self.tokens.save(token)  # saved before use: a crash now still leaves a working token
            self.client.token = token
        for task_id in reply.get("cancelTaskIds") or []:
            if isinstance(task_id, str):
                self.runner.cancel(task_id)
        for task in reply.get("tasks") or []:
            if isinstance(task, dict):
                self.runner.submit(task)
        return self.runner.deliver(reply.get("answers"), reply.get("steers"))

    def _should_wait(self, reply: dict, fresh_inputs: int) -> bool:
        if self.long_poll_ms == 0:
            return True
        held = reply.get("heldMs")
        if not isinstance(held, (int, float)) or isinstance(held, bool):
            return True  # a relay without long-poll
        empty = not reply.get("tasks") and not reply.get("cancelTaskIds") and not fresh_inputs
        return empty and held < self.long_poll_ms / 2
