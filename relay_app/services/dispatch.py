"""Waking an agent's held poll without touching the store, on whichever replica it is held.

Re-reading the store whenever the workspace changes would make one agent's wait cost grow with
everyone's traffic, so the events a poll cares about are counted per agent on the wake-up bus of
the shared volatile store (core/volatile_store.py): "a task was queued for you", "a cancel for one
of your tasks (or your revocation) happened" and "a person answered or steered one of your
interactive turns" (input). The poll compares versions; only when they moved does it read the store
again. With several replicas on one Redis, a task created through replica B wakes the poll held on
replica A. Services call `task_queued` / `cancel_requested` after the commit (which moves the change
feed for phones) and `input_arrived` after the change of the task's text, so the woken poll reads
what was written. Agents are named by (workspace, agent id), as ids are per workspace: another
workspace's `vm` never wakes this one's.

A held poll waits on its own agent's topics, not on the change feed: waking every held poll of a
workspace on every write costs O(held polls) per write (measured in bench/: 50 long-polling agents
cut seeding from ~375 to ~160 tasks/s). It still ends when the relay stops
(`ChangeFeed.release_all` publishes this process's own stop topic, which every wait here watches).
"""

from __future__ import annotations

import functools
import json
import secrets
import time

import attrs

from mobile_codex.core.errors import VolatileStoreUnavailable
from mobile_codex.core.records import AgentKey
from mobile_codex.core.volatile_store import VolatileStore

from .events import ChangeFeed


@attrs.frozen
class Mark:
    queued: int
    canceled: int
    input: int = 0


@functools.lru_cache(maxsize=4096)  # every poll names its agent's topics: JSON-encoded once per agent
def _topics(agent: AgentKey) -> tuple[str, str, str]:
    name = "agent:" + json.dumps(list(agent), separators=(",", ":"))
    return name + ":queued", name + ":canceled", name + ":input"


class AgentSignals:
    def __init__(self, feed: ChangeFeed, shared: VolatileStore):
        self._shared = shared
        self._stop = f"stop:{secrets.token_hex(12)}"  # this process's own: published when it stops
        self._released = False  # the relay is stopping: no poll is held any more
        feed.also_release(self._release_all)

    def _release_all(self) -> None:
        self._released = True
        try:
            self._shared.publish(self._stop)
        except VolatileStoreUnavailable:
            pass  # Redis away: the held polls end at their own timeout (at most 25 s)

    def mark(self, agent: AgentKey) -> Mark:
        queued, canceled, input_ = _topics(agent)
        versions = self._shared.versions((queued, canceled, input_))
        return Mark(versions[queued], versions[canceled], versions[input_])

    @staticmethod
    def _moved(now: Mark, since: Mark, want_tasks: bool) -> bool:
        return now.canceled != since.canceled or now.input != since.input or (want_tasks and now.queued != since.queued)

    def wait(self, agent: AgentKey, since: Mark, *, want_tasks: bool, timeout: float) -> bool:
        """Hold until `moved(...)` (True) or `timeout` seconds pass or the relay stops (False);
        wakes only for this agent."""
        queued, canceled, input_ = _topics(agent)
        seen = {canceled: since.canceled, input_: since.input, self._stop: 0}
        if want_tasks:
            seen[queued] = since.queued
        deadline = time.monotonic() + timeout
        while True:
            if self._released:
                return False
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            versions = self._shared.wait(seen, remaining)
            now = Mark(versions.get(queued, since.queued), versions[canceled], versions[input_])
            if self._moved(now, since, want_tasks):
                return True

    def task_queued(self, agent: AgentKey) -> None:
        self._shared.publish(_topics(agent)[0])

    def cancel_requested(self, agent: AgentKey) -> None:
        """Also used on revocation: the agent's held poll should end now."""
        self._shared.publish(_topics(agent)[1])

    def input_arrived(self, agent: AgentKey) -> None:
        """An answer or a steer for one of the agent's running turns: its held poll hands it over now."""
        self._shared.publish(_topics(agent)[2])
