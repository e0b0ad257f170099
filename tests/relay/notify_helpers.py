"""A notifier plugin that records what it is handed, for the notification tests (issue 17).

It is a real plugin object registered through pluggy like any third-party one (its hook is
`register_notifiers`); the relay under test loads its channel from it. Tests make it slow,
failing or hanging to see what the relay's delivery queue does about it.
"""

from __future__ import annotations

import threading
import time

import pluggy

from mobile_codex.core.notifications import DeliveryFailed, NotificationEvent
from mobile_codex.core.plugin_types import NotifierSpec
from mobile_codex.core.plugins import Plugins, load_plugins

hookimpl = pluggy.HookimplMarker("mobile_codex")


class RecordingNotifier:
    """Records each delivered event. `fail_first` deliveries raise DeliveryFailed(retry_after);
    `hold` (an Event) makes deliver wait until it is set (a channel that does not answer)."""

    def __init__(self, *, channel_id: str = "recorder", timeout_sec: float = 10.0, fail_first: int = 0,
                 retry_after: float | None = 0.05, hold: threading.Event | None = None):  # fmt: skip
        self.channel_id = channel_id
        self.timeout_sec = timeout_sec
        self.fail_first = fail_first
        self.retry_after = retry_after
        self.hold = hold
        self.events: list[NotificationEvent] = []
        self.attempts: list[float] = []  # monotonic time of each deliver call
        self.closed = False
        self._lock = threading.Lock()

    @hookimpl
    def register_notifiers(self, config, store):
        return [NotifierSpec(id=self.channel_id, label="Recorder", deliver=self.deliver, timeout_sec=self.timeout_sec, close=self.close)]

    def deliver(self, event: NotificationEvent) -> None:
        with self._lock:
            self.attempts.append(time.monotonic())
            failing = len(self.attempts) <= self.fail_first
        if failing:
            raise DeliveryFailed("busy", retry_after=self.retry_after)
        if self.hold is not None:
            self.hold.wait(60)
        with self._lock:
            self.events.append(event)

    def close(self) -> None:
        self.closed = True

    def of_kind(self, kind: str) -> list[NotificationEvent]:
        with self._lock:
            return [event for event in self.events if event.kind == kind]


def plugins_with(*notifiers: RecordingNotifier) -> Plugins:
    """The built-in plugins plus these notifier plugins."""
    plugins = load_plugins(entry_points=[])
    for number, notifier in enumerate(notifiers):
        plugins.pm.register(notifier, name=f"test-notifier-{number}")
    return plugins
