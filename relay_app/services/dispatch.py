"""Waking an agent's held poll without touching the store.

A held poll waits on the change feed, which moves on *every* write. Re-reading the store on each
move would make one agent's wait cost grow with everyone's traffic, so the events a poll cares
about are counted here, per agent, in memory: "a task was queued for you" and "a cancel for one
of your tasks (or your revocation) happened". The poll compares counters; only when they moved
does it read the store again. Always `note_*` first, then `feed.bump()` (the notifier does that).
"""

from __future__ import annotations

import threading

import attrs

from .events import ChangeFeed


@attrs.frozen
class Mark:
    queued: int
    canceled: int


class AgentSignals:
    def __init__(self, feed: ChangeFeed):
        self._feed = feed
        self._lock = threading.Lock()
        self._queued: dict[str, int] = {}
        self._canceled: dict[str, int] = {}

    def mark(self, agent_id: str) -> Mark:
        with self._lock:
            return Mark(self._queued.get(agent_id, 0), self._canceled.get(agent_id, 0))

    def moved(self, agent_id: str, since: Mark, *, want_tasks: bool) -> bool:
        now = self.mark(agent_id)
        return now.canceled != since.canceled or (want_tasks and now.queued != since.queued)

    def task_queued(self, agent_id: str) -> None:
        with self._lock:
            self._queued[agent_id] = self._queued.get(agent_id, 0) + 1
        self._feed.bump()

    def cancel_requested(self, agent_id: str) -> None:
        """Also used on revocation: the agent's held poll should end now."""
        with self._lock:
            self._canceled[agent_id] = self._canceled.get(agent_id, 0) + 1
        self._feed.bump()
