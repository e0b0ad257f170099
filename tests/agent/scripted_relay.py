"""A relay client that answers polls from a script, for driving the real Poller without a relay."""

from __future__ import annotations

import time


class ScriptedRelay:
    """poll() answers from a list (an exception is raised, a callable is called with the poll body and
    its return value answers); then stops the poller."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.bodies: list[dict] = []
        self.times: list[float] = []
        self.token = "old"
        self.poller = None

    def poll(self, body, interrupt=None):
        self.bodies.append(body)
        self.times.append(time.monotonic())
        if not self.replies:
            self.poller.stop_event.set()
            return {"ok": True, "tasks": [], "heldMs": 0}
        reply = self.replies.pop(0)
        if callable(reply):
            reply = reply(body)
        if isinstance(reply, Exception):
            raise reply
        return reply


class Caps:
    """The agent's capabilities, reduced to what a poll body needs."""

    def poll_body(self):
        return {"label": "box"}
