"""One turn on a loaded thread: `turn/start`, then Codex's stream until `turn/completed`.

Everything the turn waits for arrives on one queue: Codex's notifications and server requests
(read by the connection) and the phone's answers and steers (pumped from the TurnChannel). The
loop also keeps three clocks: a pending request expires to a decline after `approval_timeout`; a
turn that shows no sign of life for `stall_timeout` while nobody is asked and no command runs fails
`codex-stalled`; a set cancel interrupts the turn (the caller then kills the server's group).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any, Callable

import attrs

from mobile_codex.core.interactive import DECISION_STATUS, REQUESTS_PER_TASK
from mobile_codex.core.text import clamp_tail
from mobile_codex.core.timeutil import Clock, iso

from ...errors import TaskCanceled, TaskFailed
from ...turn_channel import STEER_TURN_ENDED
from .items import changes_of, item_id, notice, phone_item, steer_item
from .requests import RENDERED, Pending, RequestIds, other_request, phone_request
from .rpc import CLOSED, Incoming, RpcConnection, RpcError

log = logging.getLogger("mobile_codex.agent")

INPUT = "$input"  # the queue entry for an answer or steer from the phone
TICK_SEC = 0.25
CALL_TIMEOUT_SEC = 30.0
STEER_TIMEOUT_SEC = 10.0
STDERR_LINES = 20


@attrs.frozen(kw_only=True)
class TurnSettings:
    approval_timeout: float
    stall_timeout: float
    sandbox_policy: dict
    approval_policy: str
    model: str = ""
    effort: str = ""


@attrs.frozen(kw_only=True)
class TurnOutcome:
    turn_id: str
    status: str  # completed | failed | interrupted
    error: str
    last_message: str
    diff: str
    tokens: dict


def _is_steer(value: object) -> bool:
    return hasattr(value, "steer_id")


class Turn:
    def __init__(self, rpc: RpcConnection, channel, *, task_id: str, thread_id: str, cwd: str, settings: TurnSettings,
                 output: Callable[[str], None], cancel: threading.Event, ids: RequestIds, clock: Clock,
                 monotonic: Callable[[], float] = time.monotonic):  # fmt: skip
        self.rpc, self.channel, self.task_id, self.thread_id, self.cwd = rpc, channel, task_id, thread_id, cwd
        self.settings, self.output, self.cancel, self.ids, self.clock = settings, output, cancel, ids, clock
        self.monotonic = monotonic
        self.turn_id = ""
        self.pending: dict[str, Pending] = {}
        self.requests_seen = 0
        self.file_changes: dict[Any, dict] = {}
        self.items: dict[str, dict] = {}  # phone items by id, for deltas
        self.running_commands: set[str] = set()
        self.last_message = ""
        self.diff = ""
        self.tokens = {"input": 0, "output": 0}
        self.notices = 0
        self.finished = threading.Event()
        self.last_life = monotonic()

    # --- driving ---------------------------------------------------------------------------------

    def run(self, prompt: str) -> TurnOutcome:
        params: dict[str, Any] = {
            "threadId": self.thread_id, "input": [{"type": "text", "text": prompt, "text_elements": []}],
            "approvalPolicy": self.settings.approval_policy, "sandboxPolicy": self.settings.sandbox_policy,
        }  # fmt: skip
        if self.settings.model:
            params["model"] = self.settings.model
        if self.settings.effort:
            params["effort"] = self.settings.effort
        started = self._call("turn/start", params)
        self.turn_id = str((started.get("turn") or {}).get("id") or "")
        self.channel.report(turn_id=self.turn_id, thread_id=self.thread_id)
        pump = threading.Thread(target=self._pump_inputs, name=f"turn-inputs-{self.task_id}", daemon=True)
        pump.start()
        try:
            return self._loop()
        finally:
            self.finished.set()
            pump.join(5)
            if self.pending:
                self.channel.waiting_for_person(False)
            self._reject_late_steers()

    def _call(self, method: str, params: dict, timeout: float = CALL_TIMEOUT_SEC) -> dict:
        try:
            result = self.rpc.request(method, params, timeout=timeout)
        except RpcError as err:
            raise self._crash_or(err, f"{method} failed: {err}") from None
        return result if isinstance(result, dict) else {}

    def _pump_inputs(self) -> None:
        while not self.finished.is_set() and not self.cancel.is_set():
            got = self.channel.next_input(TICK_SEC)
            if got is not None:
                self.rpc.incoming.put(Incoming(INPUT, got))

    def _loop(self) -> TurnOutcome:
        while True:
            if self.cancel.is_set():
                self._interrupt()
                raise TaskCanceled()
            try:
                message = self.rpc.incoming.get(timeout=TICK_SEC)
            except queue.Empty:
                message = None
            if message is CLOSED or (message is None and self.rpc.closed.is_set()):
                raise self._crash_or(None, "codex app-server exited during the turn")
            if message is not None:
                outcome = self._handle(message)
                if outcome is not None:
                    return outcome
            self._expire()
            self._check_stall()

    def _handle(self, message: Incoming) -> TurnOutcome | None:
        if message.method == INPUT:
            self._steer(message.params) if _is_steer(message.params) else self._answer(message.params)
            return None
        self.last_life = self.monotonic()
        params = message.params if isinstance(message.params, dict) else {}
        if message.is_request:
            self._server_request(message, params)
            return None
        if params.get("threadId") not in (None, self.thread_id):
            return None
        handler = getattr(self, "_on_" + message.method.replace("/", "_"), None)
        return handler(params) if handler else None

    # --- Codex's notifications -------------------------------------------------------------------

    def _on_item_started(self, params: dict) -> None:
        item = params.get("item") or {}
        if item.get("type") == "fileChange":
            self.file_changes[item.get("id")] = item
        if item.get("type") == "commandExecution":
            self.running_commands.add(str(item.get("id")))
        self._report_item(item)

    def _on_item_completed(self, params: dict) -> None:
        item = params.get("item") or {}
        self.running_commands.discard(str(item.get("id")))
        shown = self._report_item(item)
        if shown is None:
            return
        if shown["type"] == "agentMessage":
            self.last_message = shown["text"]
            self.output(shown["text"] + "\n")
        elif shown["type"] == "command":
            code = shown.get("exitCode")
            self.output(f"$ {shown['command']}\n{shown['output']}" + (f"[exit {code}]\n" if code is not None else f"[{shown['status']}]\n"))
        elif shown["type"] == "fileChange":
            names = ", ".join(c["path"] for c in shown["changes"])
            self.output(f"[file change {shown['status']}: {names}]\n")

    def _on_item_agentMessage_delta(self, params: dict) -> None:
        shown = self.items.get(item_id(params.get("itemId")))
        if shown is not None and isinstance(params.get("delta"), str):
            shown["text"] = shown.get("text", "") + params["delta"]
            self.channel.report(items=[dict(shown)])

    def _on_item_commandExecution_outputDelta(self, params: dict) -> None:
        shown = self.items.get(item_id(params.get("itemId")))
        if shown is not None and isinstance(params.get("delta"), str):
            shown["output"] = clamp_tail(shown.get("output", "") + params["delta"], 4000)
            self.channel.report(items=[dict(shown)])

    def _on_turn_diff_updated(self, params: dict) -> None:
        if isinstance(params.get("diff"), str):
            self.diff = params["diff"]

    def _on_thread_tokenUsage_updated(self, params: dict) -> None:
        last = (params.get("tokenUsage") or {}).get("last") or {}
        self.tokens = {
            "input": self.tokens["input"] + int(last.get("inputTokens") or 0),
            "output": self.tokens["output"] + int(last.get("outputTokens") or 0),
        }
        self.channel.report(token_usage=dict(self.tokens))

    def _on_warning(self, params: dict) -> None:
        self._notice(str(params.get("message") or "warning"))

    def _on_error(self, params: dict) -> None:
        error = params.get("error") or {}
        self._notice("Codex error: " + str(error.get("message") if isinstance(error, dict) else error))

    def _on_serverRequest_resolved(self, params: dict) -> None:
        for request_id, pending in list(self.pending.items()):
            if pending.server_id == params.get("requestId"):
                self._settle(request_id, "resolved")

    def _on_turn_completed(self, params: dict) -> TurnOutcome | None:
        turn = params.get("turn") or {}
        if turn.get("id") != self.turn_id:
            return None
        error = turn.get("error") or {}
        return TurnOutcome(
            turn_id=self.turn_id, status=str(turn.get("status") or "completed"),
            error=str(error.get("message") or "") if isinstance(error, dict) else str(error),
            last_message=self.last_message, diff=self.diff, tokens=dict(self.tokens),
        )  # fmt: skip

    def _report_item(self, item: dict) -> dict | None:
        key = item_id(item.get("id"))
        earlier = self.items.get(key) or {}
        shown = phone_item(item, at=earlier.get("at") or iso(self.clock()), cwd=self.cwd, output=earlier.get("output"))
        if shown is not None:
            self.items[key] = shown
            self.channel.report(items=[dict(shown)])
        return shown

    def _notice(self, text: str) -> None:
        self.notices += 1
        shown = notice(f"notice-{self.turn_id[-12:]}-{self.notices}", text, at=iso(self.clock()))
        self.channel.report(items=[shown])
        self.output(f"[{shown['text']}]\n")

    # --- requests and answers --------------------------------------------------------------------

    def _server_request(self, message: Incoming, params: dict) -> None:
        now = iso(self.clock())
        if message.method not in RENDERED:
            self.rpc.refuse(message.request_id, f"mobile_codex does not handle {message.method}")
            shown = other_request(message.method, request_id=self.ids.next(), task_id=self.task_id, requested_at=now)
            self.channel.report(requests_add=[shown])
            self.output(f"[refused a request this agent cannot show: {message.method}]\n")
            return
        self.requests_seen += 1
        if self.requests_seen > REQUESTS_PER_TASK:
            self.rpc.respond(message.request_id, {"decision": "decline"})
            self.output("[declined a request: this turn asked too many times]\n")
            return
        shown = phone_request(message.method, params, request_id=self.ids.next(), task_id=self.task_id, cwd=self.cwd,
                              file_changes=self.file_changes, requested_at=now)  # fmt: skip
        if not self.pending:
            self.channel.waiting_for_person(True)
        self.pending[shown["requestId"]] = Pending(shown, message.request_id, self.monotonic() + self.settings.approval_timeout)
        self.channel.report(requests_add=[shown])

    def _answer(self, answer) -> None:
        pending = self.pending.get(answer.request_id)
        if pending is None or answer.digest != pending.phone["digest"] or answer.decision not in pending.phone["decisions"]:
            log.info("task %s: ignored an answer for request %s (unknown, changed or not offered)", self.task_id, answer.request_id)
            return
        self._reply(pending, answer.decision)
        self._settle(answer.request_id, DECISION_STATUS[answer.decision])

    def _expire(self) -> None:
        now = self.monotonic()
        for request_id, pending in list(self.pending.items()):
            if now >= pending.deadline:
                self._reply(pending, "decline")
                self._settle(request_id, "expired")
                self.output(f"[request expired unanswered: {pending.phone['title']}; declined]\n")

    def _reply(self, pending: Pending, decision: str) -> None:
        try:
            self.rpc.respond(pending.server_id, {"decision": decision})
        except RpcError:
            pass  # the server is gone: the loop reports the crash
        self.last_life = self.monotonic()

    def _settle(self, request_id: str, status: str) -> None:
        self.pending.pop(request_id, None)
        self.channel.report(requests_resolved=[{"requestId": request_id, "status": status}])
        if not self.pending:
            self.channel.waiting_for_person(False)
            self.last_life = self.monotonic()

    # --- steers ----------------------------------------------------------------------------------

    def _steer(self, steer) -> None:
        try:
            self.rpc.request("turn/steer", {
                "threadId": self.thread_id, "expectedTurnId": self.turn_id,
                "input": [{"type": "text", "text": steer.text, "text_elements": []}],
            }, timeout=STEER_TIMEOUT_SEC)  # fmt: skip
        except RpcError as err:
            self.channel.report(steers_rejected=[{"steerId": steer.steer_id, "reason": str(err)[:200] or "refused"}])
            return
        self.channel.report(steers_applied=[steer.steer_id], items=[steer_item(steer.steer_id, steer.text, at=iso(self.clock()))])
        self.output(f"> {steer.text}\n")

    def _reject_late_steers(self) -> None:
        """Steers taken from the channel but not yet sent when the turn ended: reported rejected, so the
        phone can offer them as the next turn (the runner does the same for those still in the channel)."""
        while True:
            try:
                entry = self.rpc.incoming.get_nowait()
            except queue.Empty:
                return
            if entry.method == INPUT and _is_steer(entry.params):
                self.channel.report(steers_rejected=[{"steerId": entry.params.steer_id, "reason": STEER_TURN_ENDED}])

    # --- ending ----------------------------------------------------------------------------------

    def _interrupt(self) -> None:
        if self.turn_id and not self.rpc.closed.is_set():
            try:
                self.rpc.request("turn/interrupt", {"threadId": self.thread_id, "turnId": self.turn_id}, timeout=2.0)
            except RpcError:
                pass

    def _check_stall(self) -> None:
        if self.pending or self.running_commands:
            return
        if self.monotonic() - self.last_life > self.settings.stall_timeout:
            self._interrupt()
            raise TaskFailed("codex-stalled", f"Codex showed no sign of life for {self.settings.stall_timeout:g} s")

    def _crash_or(self, err: RpcError | None, what: str) -> Exception:
        if self.cancel.is_set():
            return TaskCanceled()
        if self.rpc.closed.is_set():
            time.sleep(0.2)  # the stderr reader may still be catching the last lines
            tail = "\n".join(self.rpc.stderr_tail().strip().splitlines()[-STDERR_LINES:])
            return TaskFailed("codex-crashed", f"{what}\n{tail}".strip())
        return TaskFailed("codex-crashed", what) if err is None else RpcFailure(what)


class RpcFailure(TaskFailed):
    """Codex refused a call of ours (e.g. turn/start): the turn did not run."""

    def __init__(self, detail: str):
        super().__init__("codex-refused", detail)
