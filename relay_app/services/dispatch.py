"""Waking an agent's held poll without touching the store.

Re-reading the store whenever the workspace changes would make one agent's wait cost grow with
everyone's traffic, so the events a poll cares about are counted here, per agent, in memory: "a
task was queued for you", "a cancel for one of your tasks (or your revocation) happened" and "a
person answered or steered one of your interactive turns" (input). The poll compares counters;
only when they moved does it read the store again. Services call `task_queued` /
`cancel_requested` after the commit (which moves the change feed for phones) and `input_arrived`
after the change of the task's text, so the woken poll reads what was written. Agents are named by (workspace, agent id), as ids are per
workspace: another workspace's `vm` never wakes this one's.

A held poll waits on its own agent's condition (`wait`), not on the change feed: waking every held
poll of a workspace on every write costs O(held polls) per write (measured in bench/: 50
long-polling agents cut seeding from ~375 to ~160 tasks/s). It still ends when the relay stops
(`ChangeFeed.release_all`), as at the end of its wait.
"""

from __future__ import annotations

import threading
import time

import attrs

from mobile_codex.core.records import AgentKey

from .events import ChangeFeed


@attrs.frozen
class Mark:
    queued: int
    canceled: int
    input: int = 0


class AgentSignals:
    def __init__(self, feed: ChangeFeed):
        self._lock = threading.Lock()
        self._queued: dict[AgentKey, int] = {}
        self._canceled: dict[AgentKey, int] = {}
        self._input: dict[AgentKey, int] = {}
        self._conditions: dict[AgentKey, threading.Condition] = {}  # agent -> its held polls' condition (on _lock)
        self._released = False  # the relay is stopping: no poll is held any more
        feed.also_release(self._release_all)

    def _release_all(self) -> None:
        with self._lock:
            self._released = True
            for condition in self._conditions.values():
                condition.notify_all()

    def mark(self, agent: AgentKey) -> Mark:
        with self._lock:
            return Mark(self._queued.get(agent, 0), self._canceled.get(agent, 0), self._input.get(agent, 0))

    def moved(self, agent: AgentKey, since: Mark, *, want_tasks: bool) -> bool:
        with self._lock:
            return self._moved(agent, since, want_tasks)

    def _moved(self, agent: AgentKey, since: Mark, want_tasks: bool) -> bool:
        return (
            self._canceled.get(agent, 0) != since.canceled or self._input.get(agent, 0) != since.input
        ) or (
            want_tasks and self._queued.get(agent, 0) != since.queued
        )

    def wait(self, agent: AgentKey, since: Mark, *, want_tasks: bool, timeout: float) -> bool:
        """Hold until `moved(...)` (True) or `timeout` seconds pass or the relay stops (False);
        wakes only for this agent."""
        deadline = time.monotonic() + timeout
        with self._lock:
            condition = self._conditions.get(agent)
            if condition is None:
                condition = self._conditions[agent] = threading.Condition(self._lock)
            while not self._moved(agent, since, want_tasks):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._released:
                    return False
                condition.wait(remaining)
            return True

    def _note(self, counters: dict[AgentKey, int], agent: AgentKey) -> None:
        with self._lock:
            counters[agent] = counters.get(agent, 0) + 1
            condition = self._conditions.get(agent)
            if condition is not None:
                condition.notify_all()

    def task_queued(self, agent: AgentKey) -> None:
        self._note(self._queued, agent)

    def cancel_requested(self, agent: AgentKey) -> None:
        """Also used on revocation: the agent's held poll should end now."""
        self._note(self._canceled, agent)

    def input_arrived(self, agent: AgentKey) -> None:
        """An answer or a steer for one of the agent's running turns: its held poll hands it over now."""
        self._note(self._input, agent)
