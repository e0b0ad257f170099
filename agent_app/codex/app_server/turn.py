"""One turn on a loaded thread: `turn/start`, then Codex's stream until `turn/completed`.

Everything the turn waits for arrives on one queue: Codex's notifications and server requests (read
by the connection) and the phone's answers and steers (pumped from the TurnChannel); approvals are
approvals.py's. The loop also keeps three clocks: a pending request expires to a decline after `approval_timeout`; a
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

from mobile_codex.core.timeutil import Clock, iso

from ...errors import TaskCanceled, TaskFailed
from ...redaction import clamp_tail_words
from ...turn_channel import STEER_TURN_ENDED, Steer
from .approvals import Approvals
from .items import item_id, notice, phone_item, steer_item
from .requests import RequestIds
from .rpc import CLOSED, Incoming, RpcConnection, RpcError

log = logging.getLogger("mobile_codex.agent")

INPUT = "$input"  # the queue entry for an answer or steer from the phone
TICK_SEC = 0.25
CALL_TIMEOUT_SEC = 30.0
STEER_TIMEOUT_SEC = 10.0
INTERRUPT_TIMEOUT_SEC = 1.0  # the agent stops within 3 s even while a turn waits: the group is killed anyway
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
    canceled_by_person: bool  # a person answered a request `cancel`: the turn ended as they chose
    last_message: str
    diff: str
    tokens: dict


class Turn:
    def __init__(self, rpc: RpcConnection, channel, *, task_id: str, thread_id: str, cwd: str, settings: TurnSettings,
                 output: Callable[[str], None], cancel: threading.Event, ids: RequestIds, clock: Clock,
                 monotonic: Callable[[], float] = time.monotonic):  # fmt: skip
        self.rpc, self.channel, self.task_id, self.thread_id, self.cwd = rpc, channel, task_id, thread_id, cwd
        self.settings, self.output, self.cancel, self.ids, self.clock = settings, output, cancel, ids, clock
        self.monotonic = monotonic
        self.turn_id = ""
        self.approvals = Approvals(rpc, channel, task_id=task_id, cwd=cwd, timeout=settings.approval_timeout, ids=ids,
                                   output=output, monotonic=monotonic)  # fmt: skip
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
            self.approvals.close()
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
            self.approvals.expire()
            self._check_stall()

    def _handle(self, message: Incoming) -> TurnOutcome | None:
        if message.method == INPUT:
            if isinstance(message.params, Steer):
                self._steer(message.params)
            else:
                self.approvals.answer(message.params)
                self.last_life = self.monotonic()
            return None
        self.last_life = self.monotonic()
        params = message.params if isinstance(message.params, dict) else {}
        if message.is_request:
            self.approvals.server_request(message, params, now=iso(self.clock()))
            return None
        if params.get("threadId") not in (None, self.thread_id):
            return None
        handler = getattr(self, "_on_" + message.method.replace("/", "_"), None)
        return handler(params) if handler else None

    # --- Codex's notifications -------------------------------------------------------------------

    def _on_item_started(self, params: dict) -> None:
        item = params.get("item") or {}
        if item.get("type") == "fileChange":
            self.approvals.file_changes[item.get("id")] = item
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
            shown["output"] = clamp_tail_words(shown.get("output", "") + params["delta"], 4000)
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
        self.approvals.withdrawn(params.get("requestId"))

    def _on_turn_completed(self, params: dict) -> TurnOutcome | None:
        turn = params.get("turn") or {}
        if turn.get("id") != self.turn_id:
            return None
        error = turn.get("error") or {}
        return TurnOutcome(
            turn_id=self.turn_id, status=str(turn.get("status") or "completed"),
            error=str(error.get("message") or "") if isinstance(error, dict) else str(error),
            last_message=self.last_message, diff=self.diff, tokens=dict(self.tokens),
            canceled_by_person=self.approvals.canceled_by_person,
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
            if entry.method == INPUT and isinstance(entry.params, Steer):
                self.channel.report(steers_rejected=[{"steerId": entry.params.steer_id, "reason": STEER_TURN_ENDED}])

    # --- ending ----------------------------------------------------------------------------------

    def _interrupt(self) -> None:
        if self.turn_id and not self.rpc.closed.is_set():
            try:
                self.rpc.request("turn/interrupt", {"threadId": self.thread_id, "turnId": self.turn_id}, timeout=INTERRUPT_TIMEOUT_SEC)
            except RpcError:
                pass

    def _check_stall(self) -> None:
        if self.approvals.pending or self.running_commands:
            self.last_life = self.monotonic()  # the clock starts again when nobody is asked and nothing runs
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
