"""The agent judges what a person asked for: signed intents checked before anything runs (issue 20).

The relay is not trusted with this. A task, its approval, an answer to a request or a steer the
agent's `requireSignedIntents` setting covers (core/intents.py `needs_signature`, from the task
catalogue, never the relay's `needsApproval`) runs only with an intent that

- has the shape of core/intents.py and names this agent (else `intent-signature-invalid`),
- says exactly what arrived: the task's type, mode, action or log id, session, thread, cwd and
  prompt hash; the answer's request, digest and decision; the steer's text hash (else
  `intent-signature-invalid`),
- has not expired and expires at most 15 min ahead (`intent-expired`),
- was never used before: its id is kept in `stateDir/seen-intents.json` until it expires
  (`intent-replayed`),
- is signed by a passkey the operator trusts on this server (trust_store.py) and not revoked
  upstream (`approver-not-trusted`),
- carries a WebAuthn assertion that py_webauthn verifies against the challenge recomputed here,
  the origin and RP id pinned in this agent's config, with user verification, and a sign counter
  that grew (unless the authenticator keeps none: both 0; `_check_counter` says how intents signed
  in one order and verified in another are told from a cloned passkey) (`intent-signature-invalid`).

    gate.check_task(task)                       # raises TaskFailed(code, detail)
    refusal = gate.input_refusal(task, entry)   # None, or (code, detail) for an answer or steer
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Callable, Mapping

import attrs
from webauthn import verify_authentication_response
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.exceptions import WebAuthnException

from mobile_codex.core import intents
from mobile_codex.core.plugin_types import Contribution
from mobile_codex.core.task_catalog import TASK_TYPES, default_exec_mode

from .errors import TaskFailed
from .private_files import read_json, write_private_json
from .trust_store import TrustStore

SEEN_FILE = "seen-intents.json"
SEEN_MAX = 100_000  # ids are kept 15 min at most; far more than any person signs in that time
BAD_ASSERTION = (WebAuthnException, ValueError, TypeError, KeyError)


class IntentRefused(Exception):
    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def _now_ms() -> int:
    return int(time.time() * 1000)


@attrs.frozen
class Used:
    """An accepted intent, kept until it expires: its expiry, and the passkey and counter that signed it."""

    expires_at: int
    credential_id: str
    counter: int


class SeenIntents:
    """Intent ids already used, each kept until its intent expires (persisted: a restart forgets none)."""

    def __init__(self, state_dir: Path, clock_ms: Callable[[], int] = _now_ms):
        self.state_dir = Path(state_dir)
        self.clock_ms = clock_ms
        data = read_json(self.state_dir / SEEN_FILE)
        self._seen: dict[str, Used] = {}
        for intent_id, held in (data if isinstance(data, dict) else {}).items():
            try:
                self._seen[intent_id] = Used(int(held[0]), str(held[1]), int(held[2]))
            except (TypeError, ValueError, IndexError, KeyError):
                continue  # not ours: the agent refuses more rather than less (the ids it can read stay)

    def __contains__(self, intent_id: str) -> bool:
        return intent_id in self._seen

    def counters(self, credential_id: str) -> set[int]:
        """The counters of this passkey's intents still kept."""
        return {used.counter for used in self._seen.values() if used.credential_id == credential_id}

    def remember(self, intent_id: str, used: Used) -> list[Used]:
        """Keep the id and drop the ones past their expiry (returned); OSError when the file cannot be written."""
        now = self.clock_ms()
        kept = {k: v for k, v in self._seen.items() if v.expires_at >= now}
        gone = [v for k, v in self._seen.items() if k not in kept]
        kept[intent_id] = used
        if len(kept) > SEEN_MAX:
            raise OSError(f"more than {SEEN_MAX} unexpired intent ids")
        write_private_json(self.state_dir, SEEN_FILE, {k: [v.expires_at, v.credential_id, v.counter] for k, v in kept.items()})
        self._seen = kept
        return gone


class IntentVerifier:
    def __init__(self, *, trust: TrustStore, seen: SeenIntents, agent_id: str, origin: str, rp_id: str,
                 clock_ms: Callable[[], int] = _now_ms):  # fmt: skip
        self.trust = trust
        self.seen = seen
        self.agent_id = agent_id
        self.origin = origin
        self.rp_id = rp_id
        self.clock_ms = clock_ms
        self._lock = threading.Lock()  # replay check, verification and the counter move together

    def verify(self, intent: Any, assertion: Any, *, kind: str, what: str, mismatch: Callable[[dict], str | None]) -> dict:
        """The trusted passkey entry that signed; raises IntentRefused."""
        if intent is None and assertion is None:
            raise IntentRefused(intents.SIGNATURE_REQUIRED, f"this agent runs {what} only with a passkey-signed intent")
        problem = intents.signed_pair_problem(intent, assertion, kind=kind)
        if problem:
            raise IntentRefused(intents.SIGNATURE_INVALID, problem)
        if intent["agentId"] != self.agent_id:
            raise IntentRefused(intents.SIGNATURE_INVALID, f"the intent was signed for agent {intent['agentId']!r}")
        field = mismatch(intent)
        if field:
            raise IntentRefused(intents.SIGNATURE_INVALID, f"the signed intent does not match the {what}'s {field}")
        now = self.clock_ms()
        if intent["expiresAt"] < now:
            raise IntentRefused(intents.EXPIRED, "the signed intent has expired")
        if intent["expiresAt"] > now + intents.MAX_AHEAD_MS:
            raise IntentRefused(intents.EXPIRED, "the signed intent expires more than 15 minutes ahead")
        credential_id = assertion["credentialId"]
        with self._lock:
            if intent["intentId"] in self.seen:
                raise IntentRefused(intents.REPLAYED, "this signed intent was used before")
            entry = self.trust.find(credential_id)
            if entry is None:
                raise IntentRefused(intents.NOT_TRUSTED, "the passkey that signed is not trusted on this agent "
                                                         "(mobile-codex agent trust)")  # fmt: skip
            if entry.get("revokedUpstream"):
                raise IntentRefused(intents.NOT_TRUSTED, "the passkey that signed was revoked on the relay")
            count = self._check_signature(intent, assertion, entry)
            self._check_counter(credential_id, entry, count)
            try:
                gone = self.seen.remember(intent["intentId"], Used(intent["expiresAt"], credential_id, count))
                for credential, counter in {(u.credential_id, u.counter) for u in gone if u.counter}:
                    self.trust.raise_sign_count(credential, counter)
            except OSError as err:  # never run what could not be recorded as used
                raise IntentRefused(intents.SIGNATURE_INVALID, f"could not record the intent as used: {err}") from None
        return entry

    def _check_counter(self, credential_id: str, entry: dict, count: int) -> None:
        """The signature counter grew: above every counter of this passkey's expired intents (kept in
        the trust file) and unlike any of its unexpired ones. Intents still inside their lifetime may
        arrive in another order than they were signed (a queued task verified after a later steer),
        so among those only a repeat is refused. A passkey that keeps no counter reports 0 each time."""
        floor, live = int(entry.get("signCount") or 0), self.seen.counters(credential_id)
        if count == 0 and (floor or any(live)):
            raise IntentRefused(intents.SIGNATURE_INVALID, "the passkey's signature counter went back to 0")
        if count and (count <= floor or count in live):
            raise IntentRefused(intents.SIGNATURE_INVALID, f"the passkey's signature counter {count} did not grow "
                                                           "(a cloned passkey, or a replayed signature)")  # fmt: skip

    def _check_signature(self, intent: dict, assertion: dict, entry: dict) -> int:
        credential = {
            "id": assertion["credentialId"], "rawId": assertion["credentialId"], "type": "public-key",
            "response": {key: assertion[key] for key in ("clientDataJSON", "authenticatorData", "signature", "userHandle")},
            "clientExtensionResults": {},
        }  # fmt: skip
        try:
            verified = verify_authentication_response(
                credential=credential, expected_challenge=intents.challenge(intent), expected_rp_id=self.rp_id,
                expected_origin=self.origin, credential_public_key=base64url_to_bytes(entry["publicKey"]),
                credential_current_sign_count=0, require_user_verification=True,  # counter: _check_counter
            )  # fmt: skip
        except BAD_ASSERTION as err:
            raise IntentRefused(intents.SIGNATURE_INVALID, f"the passkey signature does not verify: {err}") from None
        return verified.new_sign_count


class IntentGate:
    """What this agent's `requireSignedIntents` covers, checked with the verifier."""

    def __init__(self, setting: str, verifier: IntentVerifier | None, exec_modes: Mapping[str, Contribution]):
        self.setting = setting
        self.verifier = verifier
        self.exec_modes = exec_modes

    def _mode(self, task: Mapping[str, Any]) -> str:
        return task.get("execMode") or default_exec_mode(
            resume_session_id=task.get("resumeSessionId") or "", write_access=task.get("writeAccess") is True
        )  # as the codex_exec handler picks it

    def required(self, task: Mapping[str, Any]) -> bool:
        task_type = task.get("type")
        if self.setting == intents.OFF or task_type not in TASK_TYPES:
            return False  # an unknown type is refused by the dispatcher, unrun
        mode_writes = False
        if task_type == "codex_exec":
            found = self.exec_modes.get(self._mode(task))
            mode_writes = True if found is None else bool(found.item.writes)  # unknown: the strict reading
        return intents.needs_signature(self.setting, task_type=task_type, mode_writes=mode_writes)

    def check_task(self, task: Mapping[str, Any]) -> None:
        """Raise TaskFailed(code, detail) unless the task (and its approval, for a type a person
        approves) is signed as this agent requires."""
        if not self.required(task):
            return
        view = {**task, "execMode": self._mode(task)} if task.get("type") == "codex_exec" else dict(task)
        try:
            self.verifier.verify(
                task.get("intent"), task.get("intentAssertion"), kind="task", what="task",
                mismatch=lambda intent: intents.task_mismatch(intent, view),
            )  # fmt: skip
            if TASK_TYPES[task["type"]].needs_approval:
                self.verifier.verify(
                    task.get("approvalIntent"), task.get("approvalAssertion"), kind="approve", what="approval",
                    mismatch=lambda intent: intents.task_mismatch(intent, view),
                )  # fmt: skip
        except IntentRefused as err:
            raise TaskFailed(err.code, f"{err.detail}; nothing was run") from None

    def input_refusal(self, task: Mapping[str, Any], entry: Mapping[str, Any]) -> tuple[str, str] | None:
        """Why an answer (`requestId` in `entry`) or a steer (`steerId`) for this task is refused, or None."""
        if not self.required(task):
            return None
        steer = "steerId" in entry
        if steer:
            expected = {"taskId": task.get("taskId"), "textSha256": intents.sha256_or_none(entry.get("text"))}
        else:
            expected = {key: entry.get(key) for key in ("requestId", "decision", "digest")}
            expected["taskId"] = task.get("taskId")

        def mismatch(intent: dict) -> str | None:
            return next((key for key, value in expected.items() if intent[key] != value), None)

        try:
            self.verifier.verify(
                entry.get("intent"), entry.get("intentAssertion"), kind="steer" if steer else "answer",
                what="steer" if steer else "answer", mismatch=mismatch,
            )  # fmt: skip
        except IntentRefused as err:
            return err.code, err.detail
        return None
