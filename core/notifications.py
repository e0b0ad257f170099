"""What a notification is, for the relay that raises it and the notifier plugins that deliver it.

The relay turns what happens (a request waits for an answer, a task ends, a pair request waits, an
approval expired, an agent went offline) into one `NotificationEvent` per event, with the people it is
for. Each notifier (a plugin: Web Push, Apprise, a third party's) receives every event and delivers it
its own way: Web Push to each recipient's devices, Apprise to the URLs its operator listed.

What a notification may say: its `title` and `body` never hold task text (prompt, output, command,
diff: SECURITY.md — a lock screen is readable by anyone holding the phone). `detail` carries such
text for a channel whose operator turned `includeText` on, and only then may a notifier show it.
Nothing of an event is written to the relay's disk.
"""

from __future__ import annotations

import attrs

# Event kinds, as on the wire (push payloads, preferences) and in config (per-kind channel lists).
REQUEST_WAITING = "request-waiting"  # an interactive turn waits for a person's answer
REQUEST_ANSWERED = "request-answered"  # replaces a request-waiting notification: "answered by …"
TASK_FINISHED = "task-finished"  # completed, failed, canceled or interrupted: to its creator
PAIR_REQUEST = "pair-request"  # an agent asks to pair: operators and owners of the workspace
APPROVAL_EXPIRED = "approval-expired"  # a request nobody answered in time was declined
AGENT_OFFLINE = "agent-offline"  # owners of the workspace
TEST = "test"  # "Send a test notification" from the settings screen: its sender only

KINDS: tuple[str, ...] = (
    REQUEST_WAITING, REQUEST_ANSWERED, TASK_FINISHED, PAIR_REQUEST, APPROVAL_EXPIRED, AGENT_OFFLINE, TEST,
)  # fmt: skip
# The kinds a person can turn off for themselves (the others follow the one they replace, or were asked for).
CHOOSABLE_KINDS: tuple[str, ...] = (REQUEST_WAITING, TASK_FINISHED, PAIR_REQUEST, APPROVAL_EXPIRED, AGENT_OFFLINE)


@attrs.frozen(kw_only=True)
class NotificationEvent:
    """One thing a person should hear about, and who they are.

    `tag` is the same for every event about one task and kind (`task_1:request-waiting`): a channel
    that can replace a notification (Web Push's tag, ntfy's topic/ id) replaces the previous one.
    `link` is the app's own deep link (`<publicOrigin>/#/task/<id>`). `waiting[user_id]` is how many
    requests wait for that recipient (the app badge).
    """

    kind: str = attrs.field(validator=attrs.validators.in_(KINDS))
    event_id: str  # unique per event: a channel may use it to drop a duplicate delivery
    recipients: tuple[str, ...] = attrs.field(converter=tuple)  # user ids
    workspace_id: str = ""
    workspace_name: str = ""
    agent_id: str = ""
    agent_label: str = ""
    task_id: str = ""
    request_id: str = ""
    status: str = ""  # the task's final status, the request's decision ...
    actor: str = ""  # display name of who answered (request-answered)
    title: str
    body: str
    link: str
    tag: str
    detail: str = ""  # task text (a prompt, a command): only for channels with includeText on
    waiting: dict[str, int] = attrs.field(factory=dict, eq=False)
    at: str = ""  # ISO time the event happened

    def public_payload(self, *, include_text: bool = False, user_id: str | None = None) -> dict:
        """The event as a channel sends it: no task text unless `include_text`."""
        payload = {
            "kind": self.kind, "eventId": self.event_id, "workspaceId": self.workspace_id,
            "workspaceName": self.workspace_name, "agentId": self.agent_id, "agentLabel": self.agent_label,
            "taskId": self.task_id, "requestId": self.request_id, "status": self.status, "actor": self.actor,
            "title": self.title, "body": self.body, "url": self.link, "tag": self.tag, "at": self.at,
        }  # fmt: skip
        if user_id is not None:
            payload["waiting"] = self.waiting.get(user_id, 0)
        if include_text and self.detail:
            payload["detail"] = self.detail
        return payload


class DeliveryFailed(Exception):
    """Raised by a notifier's `deliver` when a delivery did not happen.

    `retry_after` (seconds) asks the relay to try again later (a 429 or 5xx from the channel); None
    means do not retry (the relay logs it and counts it). A notifier never blocks longer than its
    spec's `timeout_sec`: the relay's worker abandons a delivery past it.
    """

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after
