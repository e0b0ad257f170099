"""The approval requests of one turn: shown to the phone, answered by digest, expired, withdrawn.

A command or file-change approval becomes a pending API.md request (requests.py); an answer
applies only to the pending request whose digest it carries, with a decision that was offered;
anything else is ignored (never applied to another request). Unanswered requests are declined
after `timeout` and reported `expired`; Codex withdrawing one (`serverRequest/resolved`) reports
it `resolved`. A server request the agent cannot show is refused at once, so the turn never hangs.
The channel hears `waiting_for_person(True)` when the first request is pending, False when none is.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from mobile_codex.core.interactive import DECISION_STATUS, REQUESTS_PER_TASK

from .requests import RENDERED, Pending, RequestIds, other_request, phone_request
from .rpc import Incoming, RpcConnection, RpcError

log = logging.getLogger("mobile_codex.agent")


class Approvals:
    def __init__(self, rpc: RpcConnection, channel, *, task_id: str, cwd: str, timeout: float, ids: RequestIds,
                 output: Callable[[str], None], monotonic: Callable[[], float]):  # fmt: skip
        self.rpc, self.channel, self.task_id, self.cwd, self.timeout = rpc, channel, task_id, cwd, timeout
        self.ids, self.output, self.monotonic = ids, output, monotonic
        self.pending: dict[str, Pending] = {}
        self.file_changes: dict[Any, dict] = {}  # Codex item id -> fileChange item (the request lacks the change)
        self._seen = 0
        self.canceled_by_person = False

    def server_request(self, message: Incoming, params: dict, *, now: str) -> None:
        if message.method not in RENDERED:
            self.rpc.refuse(message.request_id, f"mobile_codex does not handle {message.method}")
            shown = other_request(message.method, request_id=self.ids.next(), task_id=self.task_id, requested_at=now)
            self.channel.report(requests_add=[shown])
            self.output(f"[refused a request this agent cannot show: {message.method}]\n")
            return
        self._seen += 1
        if self._seen > REQUESTS_PER_TASK:
            self.rpc.respond(message.request_id, {"decision": "decline"})
            self.output("[declined a request: this turn asked too many times]\n")
            return
        shown = phone_request(message.method, params, request_id=self.ids.next(), task_id=self.task_id, cwd=self.cwd,
                              file_changes=self.file_changes, requested_at=now,
                              redact=getattr(self.channel, "redact_text", None))  # fmt: skip
        if not self.pending:
            self.channel.waiting_for_person(True)
        self.pending[shown["requestId"]] = Pending(shown, message.request_id, self.monotonic() + self.timeout)
        self.channel.report(requests_add=[shown])

    def answer(self, answer) -> None:
        pending = self.pending.get(answer.request_id)
        if pending is None or answer.digest != pending.phone["digest"] or answer.decision not in pending.phone["decisions"]:
            log.info("task %s: ignored an answer for request %s (unknown, changed or not offered)", self.task_id, answer.request_id)
            return
        self._reply(pending, answer.decision)
        self.canceled_by_person = self.canceled_by_person or answer.decision == "cancel"
        self._settle(answer.request_id, DECISION_STATUS[answer.decision])

    def withdrawn(self, server_id: Any) -> None:
        for request_id, pending in list(self.pending.items()):
            if pending.server_id == server_id:
                self._settle(request_id, "resolved")

    def expire(self) -> None:
        now = self.monotonic()
        for request_id, pending in list(self.pending.items()):
            if now >= pending.deadline:
                self._reply(pending, "decline")
                self._settle(request_id, "expired")
                self.output(f"[request expired unanswered: {pending.phone['title']}; declined]\n")

    def close(self) -> None:
        """The turn ended (canceled, crashed, stalled): requests still pending are moot, so `resolved`."""
        for request_id in list(self.pending):
            self._settle(request_id, "resolved")

    def _reply(self, pending: Pending, decision: str) -> None:
        try:
            self.rpc.respond(pending.server_id, {"decision": decision})
        except RpcError:
            pass  # the server is gone: the turn reports the crash

    def _settle(self, request_id: str, status: str) -> None:
        self.pending.pop(request_id, None)
        self.channel.report(requests_resolved=[{"requestId": request_id, "status": status}])
        if not self.pending:
            self.channel.waiting_for_person(False)
