"""Turning what happens in the relay into notifications for the right people.

The task, turn, pairing and housekeeping code call one method here after their change is
committed (`task_finished`, `requests_waiting`, ...). Each builds one `NotificationEvent`
(core/notifications.py): who it is for (audience.py), a title and body made of metadata only —
kind, workspace, agent, status, who answered — and task text (the command a request asks to run)
only in `detail`, for channels whose operator turned `includeText` on. Recipients who turned the
kind off (preferences.py) are left out; an event for nobody is not raised. The event then goes to
every notifier through the delivery queue (delivery.py), so the request that raised it answers
without waiting for any channel. With the `notifications` feature flag off, or no notifier loaded,
nothing is built at all.
"""

from __future__ import annotations

import logging
from typing import Iterable

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.crypto import new_id
from mobile_codex.core.notifications import (
    AGENT_OFFLINE, APPROVAL_EXPIRED, PAIR_REQUEST, REQUEST_ANSWERED, REQUEST_WAITING, TASK_FINISHED, TEST,
    NotificationEvent,
)  # fmt: skip
from mobile_codex.core.plugin_types import NotifierSpec
from mobile_codex.core.records import PairRequest, Task
from mobile_codex.core.store import Store
from mobile_codex.core.task_text import TaskText
from mobile_codex.core.timeutil import Clock, iso

from . import audience
from .delivery import DeliveryQueue
from .preferences import wanted

log = logging.getLogger("mobile_codex.relay.notifications")

# The task statuses a creator hears about (PRODUCT: completed, failed, canceled, interrupted).
FINISHED_STATUSES = frozenset({"completed", "failed", "canceled", "interrupted"})
DETAIL_BYTES = 1000  # the most task text a notification carries, for includeText channels


class NotificationService:
    def __init__(
        self, store: Store, config: RelayConfig, clock: Clock, *, volatile: TaskText,
        notifiers: Iterable[NotifierSpec] = (),
    ):  # fmt: skip
        self.store = store
        self.config = config
        self.clock = clock
        self.volatile = volatile
        self.notifiers: tuple[NotifierSpec, ...] = tuple(notifiers) if config.features.notifications else ()
        self.queue = DeliveryQueue(config.notifications)
        if self.notifiers:
            self.queue.start()

    @property
    def active(self) -> bool:
        return bool(self.notifiers)

    def channels(self) -> list[dict]:
        return [{"id": notifier.id, "label": notifier.label} for notifier in self.notifiers]

    def stop(self) -> None:
        """When the relay stops: no more deliveries, then each notifier closes."""
        self.queue.stop()
        for notifier in self.notifiers:
            try:
                notifier.close()
            except Exception:  # one channel failing to close must not keep the others open
                log.exception("notifier %s failed to close", notifier.id)

    # --- what happened -------------------------------------------------------------------------

    def task_finished(self, task: Task) -> None:
        """A task ended: its creator hears of it."""
        if not self.active or task.status not in FINISHED_STATUSES or not task.created_by_user_id:
            return
        self._raise(
            TASK_FINISHED, lambda tx: [task.created_by_user_id], task=task, status=task.status,
            title=f"Task {task.status}", body=f"{_kind_of(task)} on {{agent}} in {{workspace}}",
        )  # fmt: skip

    def requests_waiting(self, task: Task, requests: list[dict]) -> None:
        """An interactive turn asks a person (operators and owners of its workspace)."""
        if not self.active:
            return
        for request in requests:
            self._raise(
                REQUEST_WAITING, lambda tx: audience.operators(tx, task.workspace_id), task=task,
                request_id=request["requestId"], title="Codex needs your answer",
                body=f"{_ask(request)} on {{agent}} in {{workspace}}", detail=_request_text(request),
            )  # fmt: skip

    def request_answered(self, task: Task, request_id: str, *, status: str, actor: str) -> None:
        """A request was answered (on some phone: `actor` names who) or settled by the agent (no
        actor): its waiting notification says so instead, visibly (browsers penalise silent pushes)."""
        if not self.active:
            return
        self._raise(
            REQUEST_ANSWERED, lambda tx: audience.operators(tx, task.workspace_id), task=task, request_id=request_id,
            status=status, actor=actor, title=f"Answered by {actor}" if actor else "No longer waiting",
            body=f"Request {status} on {{agent}} in {{workspace}}",
            preference=REQUEST_WAITING,
        )  # fmt: skip

    def request_expired(self, task: Task, request_id: str) -> None:
        """Nobody answered a request in time; the agent declined it."""
        if not self.active:
            return
        self._raise(
            APPROVAL_EXPIRED, lambda tx: audience.operators(tx, task.workspace_id), task=task, request_id=request_id,
            status="expired", title="An approval expired", body="Nobody answered in time on {agent} in {workspace}",
        )  # fmt: skip

    def pair_request(self, request: PairRequest) -> None:
        """An agent asks to pair with a workspace: its operators and owners may approve it."""
        if not self.active:
            return
        self._raise(
            PAIR_REQUEST, lambda tx: audience.operators(tx, request.workspace_id), workspace_id=request.workspace_id,
            agent_id=request.agent_id, agent_label=request.label, request_id=request.request_id,
            title="An agent asks to pair", body="{agent} wants to join {workspace}", link_path="#/agents",
            tag=f"{request.request_id}:{PAIR_REQUEST}",
        )  # fmt: skip

    def agents_offline(self, agents: Iterable[tuple[str, str]]) -> None:
        """Agents the app now shows offline ((workspace id, agent id)): the workspace's owners."""
        if not self.active:
            return
        for workspace_id, agent_id in agents:
            self._raise(
                AGENT_OFFLINE, lambda tx, w=workspace_id: audience.owners(tx, w), workspace_id=workspace_id,
                agent_id=agent_id, title="An agent went offline", body="{agent} in {workspace} stopped polling",
                link_path=f"#/agent/{agent_id}", tag=f"{workspace_id}:{agent_id}:{AGENT_OFFLINE}",
            )  # fmt: skip

    def test(self, user_id: str) -> int:
        """"Send a test notification": to its sender only; how many channels it was queued for."""
        if not self.active:
            return 0
        self._raise(
            TEST, lambda tx: [user_id], title="Test notification", body="Notifications reach this device.",
            link_path="#/more", tag=f"{user_id}:{TEST}",
        )  # fmt: skip
        return len(self.notifiers)

    # --- building and queueing -----------------------------------------------------------------

    def _raise(
        self, kind: str, recipients, *, title: str, body: str, task: Task | None = None, workspace_id: str = "",
        agent_id: str = "", agent_label: str = "", request_id: str = "", status: str = "", actor: str = "",
        detail: str = "", link_path: str = "", tag: str = "", preference: str | None = None,
    ) -> None:  # fmt: skip
        """Build the event (one store read) and queue it for every notifier. Never raises: a
        notification that cannot be built is logged, the change that raised it stands."""
        try:
            event = self._build(
                kind, recipients, title=title, body=body, task=task, workspace_id=workspace_id, agent_id=agent_id,
                agent_label=agent_label, request_id=request_id, status=status, actor=actor, detail=detail,
                link_path=link_path, tag=tag, preference=preference or kind,
            )  # fmt: skip
        except Exception:
            log.exception("could not build a %s notification", kind)
            return
        if event is None:
            return
        for notifier in self.notifiers:
            self.queue.put(notifier, event)

    def _build(self, kind, recipients, *, task, workspace_id, agent_id, agent_label, link_path, tag, preference, **fields):
        if task is not None:
            workspace_id, agent_id = task.workspace_id, task.agent_id
        with self.store.transaction(write=False) as tx:
            people = [user for user in dict.fromkeys(recipients(tx)) if audience.active(tx, user)]
            people = [user for user in people if wanted(tx, user, preference)]
            if not people:
                return None
            workspace = tx.workspaces.get(workspace_id) if workspace_id else None
            agent = tx.agents.get((workspace_id, agent_id)) if agent_id else None
            waiting = audience.waiting(tx, people, self.volatile)
        workspace_name = workspace.name if workspace else ""
        agent_label = agent_label or (agent.label if agent else agent_id)
        names = {"agent": agent_label or "an agent", "workspace": workspace_name or "a workspace"}
        task_id = task.task_id if task else ""
        return NotificationEvent(
            kind=kind, event_id=new_id("note"), recipients=people, workspace_id=workspace_id,
            workspace_name=workspace_name, agent_id=agent_id, agent_label=agent_label, task_id=task_id,
            request_id=fields["request_id"], status=fields["status"], actor=fields["actor"],
            title=fields["title"], body=fields["body"].format(**names),
            link=f"{self.config.public_origin}/{link_path or f'#/task/{task_id}'}",
            tag=tag or f"{task_id}:{REQUEST_WAITING if kind == REQUEST_ANSWERED else kind}",
            detail=fields["detail"][:DETAIL_BYTES], waiting=waiting, at=iso(self.clock()),
        )  # fmt: skip


def _kind_of(task: Task) -> str:
    """What the task was, in words made of metadata (its type, never its title or prompt)."""
    return {"codex_exec": "Codex", "run_action": "Action", "read_log": "Log", "read_session": "Session",
            "delete_session": "Session delete"}.get(task.type, task.type)  # fmt: skip


def _ask(request: dict) -> str:
    return {"command": "A command", "fileChange": "A file change"}.get(request.get("kind"), "A request")


def _request_text(request: dict) -> str:
    """The request's own words (task text): only ever in `detail`."""
    return str(request.get("command") or request.get("title") or request.get("reason") or "")
