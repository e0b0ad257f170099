"""Signed intents: what a person asked for, in the form their passkey signs and the agent checks (issue 20).

The relay is the one part on the public internet, so the agent, not the relay, judges what a person
asked for. The phone builds an *intent* from exactly the fields it sends (a task, an approval, an
answer to a request, a steer), asks the passkey to sign `challenge(intent)` = SHA-256 of its RFC 8785
(JCS) encoding, and sends the intent and the WebAuthn assertion beside the body. The relay checks
their shape and that the body says what the intent says (400 `intent-mismatch`: it never clamps or
normalises a signed field) and forwards both untouched; the agent recomputes the challenge, checks the
intent against the task it received (`task_mismatch`) and verifies the signature
(agent_app/intent_check.py).

    intent = task_intent(body, intent_id=new_intent_id(), expires_at=now_ms + 5 * 60_000)
    problem = intent_problem(intent)           # None, or why its shape is refused
    digest = challenge(intent)                 # the bytes the passkey signs

Every key is always present; an absent value is `null`; strings are exactly as the phone sends them.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any, Mapping

import rfc8785

from .interactive import DECISIONS, REQUEST_ID
from .task_catalog import TASK_TYPES, default_exec_mode

VERSION = 1
KINDS: tuple[str, ...] = ("task", "approve", "answer", "steer")
COMMON_KEYS: tuple[str, ...] = ("v", "intentId", "kind", "agentId", "expiresAt")
# The fields of a task create body an intent covers (API.md "Tasks" and its extensions); the prompt by its hash.
TASK_KEYS: tuple[str, ...] = (
    "type", "execMode", "actionId", "logSourceId", "sessionId", "threadId", "resumeSessionId", "cwd", "writeAccess",
    "promptSha256",
)  # fmt: skip
KEYS: Mapping[str, tuple[str, ...]] = {
    "task": COMMON_KEYS + TASK_KEYS,
    "approve": COMMON_KEYS + ("taskId",) + TASK_KEYS,
    "answer": COMMON_KEYS + ("taskId", "requestId", "digest", "decision"),
    "steer": COMMON_KEYS + ("taskId", "textSha256"),
}
# Which create fields each task type uses (API.md's table). The others are signed as sent (null when
# the body leaves them out, as the phone does) but neither the relay nor the agent reads them.
USED_BY_TYPE: Mapping[str, tuple[str, ...]] = {
    "codex_exec": ("execMode", "threadId", "resumeSessionId", "cwd", "writeAccess", "promptSha256"),
    "run_action": ("actionId",),
    "read_log": ("logSourceId",),
    "read_session": ("sessionId",),
    "delete_session": ("sessionId",),
}
# API.md's budgets, in UTF-8 bytes: a signed string over its budget is refused, never clamped.
STRING_BUDGETS: Mapping[str, int] = {
    "agentId": 64, "type": 40, "execMode": 80, "actionId": 80, "logSourceId": 80, "sessionId": 120,
    "threadId": 120, "resumeSessionId": 120, "cwd": 240, "taskId": 120,
}  # fmt: skip
INTENT_ID = re.compile(r"[A-Za-z0-9_-]{22}")  # base64url of 16 random bytes
AGENT_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
HEX_SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_INTENT_BYTES = 2048  # the JCS encoding of the largest intent is about 1.3 KiB
MAX_AHEAD_MS = 15 * 60 * 1000  # the agent refuses an expiry further ahead than this
PHONE_LIFETIME_MS = 5 * 60 * 1000  # what the phone gives an intent

# The assertion as `navigator.credentials.get` returns it, each part base64url (userHandle may be null).
ASSERTION_KEYS: tuple[str, ...] = ("credentialId", "clientDataJSON", "authenticatorData", "signature", "userHandle")
ASSERTION_PART_CHARS = 2048  # an RS256 signature is 342 characters, clientDataJSON a few hundred
MAX_ASSERTION_CHARS = 4096  # all parts together
# The most one signed intent and its assertion hold: what the relay reserves for one in a task's text.
SIGNED_BYTES = MAX_INTENT_BYTES + MAX_ASSERTION_CHARS + 256
BASE64URL = re.compile(r"[A-Za-z0-9_-]*")

# Refusal codes (the agent's; `intent-mismatch` is the relay's 400).
SIGNATURE_REQUIRED = "intent-signature-required"
SIGNATURE_INVALID = "intent-signature-invalid"
EXPIRED = "intent-expired"
REPLAYED = "intent-replayed"
NOT_TRUSTED = "approver-not-trusted"
MISMATCH = "intent-mismatch"
CODES: tuple[str, ...] = (SIGNATURE_REQUIRED, SIGNATURE_INVALID, EXPIRED, REPLAYED, NOT_TRUSTED)

# Agent config `requireSignedIntents`.
OFF, WRITES, ALL = "off", "writes", "all"
SETTINGS: tuple[str, ...] = (OFF, WRITES, ALL)


# --- building ------------------------------------------------------------------------------------


def new_intent_id() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode("ascii")


def sha256_or_none(text: Any) -> str | None:
    """Hex SHA-256 of a string's UTF-8 bytes; None for anything that is not a string (no prompt)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if isinstance(text, str) else None


def task_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    """The intent's task fields from a create body exactly as sent (absent -> None)."""
    fields = {key: body.get(key) for key in TASK_KEYS if key != "promptSha256"}
    fields["promptSha256"] = sha256_or_none(body.get("prompt"))
    return fields


def _common(kind: str, *, intent_id: str, agent_id: str, expires_at: int) -> dict[str, Any]:
    return {"v": VERSION, "intentId": intent_id, "kind": kind, "agentId": agent_id, "expiresAt": expires_at}


def task_intent(body: Mapping[str, Any], *, intent_id: str, expires_at: int) -> dict[str, Any]:
    """The intent of a task create body (what the phone signs before it sends the body)."""
    return {**_common("task", intent_id=intent_id, agent_id=body.get("agentId"), expires_at=expires_at), **task_fields(body)}


def approve_intent(task_id: str, body: Mapping[str, Any], *, intent_id: str, expires_at: int) -> dict[str, Any]:
    """The intent of approving task `task_id`, whose create fields (as shown) are `body`."""
    return {
        **_common("approve", intent_id=intent_id, agent_id=body.get("agentId"), expires_at=expires_at),
        "taskId": task_id, **task_fields(body),
    }  # fmt: skip


def answer_intent(
    task_id: str, agent_id: str, request_id: str, digest: str, decision: str, *, intent_id: str, expires_at: int
) -> dict[str, Any]:  # fmt: skip
    return {
        **_common("answer", intent_id=intent_id, agent_id=agent_id, expires_at=expires_at),
        "taskId": task_id, "requestId": request_id, "digest": digest, "decision": decision,
    }  # fmt: skip


def steer_intent(task_id: str, agent_id: str, text: str, *, intent_id: str, expires_at: int) -> dict[str, Any]:
    return {
        **_common("steer", intent_id=intent_id, agent_id=agent_id, expires_at=expires_at),
        "taskId": task_id, "textSha256": sha256_or_none(text),
    }  # fmt: skip


def challenge(intent: Mapping[str, Any]) -> bytes:
    """What the passkey signs: SHA-256 of the intent's RFC 8785 (JCS) encoding (32 bytes)."""
    return hashlib.sha256(rfc8785.dumps(dict(intent))).digest()


# --- shape ---------------------------------------------------------------------------------------


def _string_problem(intent: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = intent[key]
    if value is None:
        return f"{key} is required" if required else None
    if not isinstance(value, str):
        return f"{key} must be a string or null"
    budget = STRING_BUDGETS.get(key)
    if budget is not None and len(value.encode("utf-8")) > budget:
        return f"{key} is over {budget} bytes"
    if "\0" in value:
        return f"{key} holds a NUL byte"
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def intent_problem(intent: Any, *, kind: str | None = None) -> str | None:
    """Why an intent's shape is refused (None when it keeps the rules); with `kind`, it must be that kind."""
    if not isinstance(intent, dict):
        return "intent must be an object"
    if intent.get("kind") not in KINDS:
        return f"kind must be one of {', '.join(KINDS)}"
    if kind is not None and intent["kind"] != kind:
        return f"kind must be {kind!r}"
    if set(intent) != set(KEYS[intent["kind"]]):
        return f"a {intent['kind']} intent has exactly the keys {', '.join(KEYS[intent['kind']])}"
    if intent["v"] != VERSION or not _is_int(intent["v"]):
        return f"v must be {VERSION}"
    if not isinstance(intent["intentId"], str) or not INTENT_ID.fullmatch(intent["intentId"]):
        return "intentId must be 22 base64url characters (16 random bytes)"
    if not isinstance(intent["agentId"], str) or not AGENT_ID.fullmatch(intent["agentId"]):
        return "agentId must match [A-Za-z0-9._-]{1,64}"
    if not _is_int(intent["expiresAt"]) or not 0 < intent["expiresAt"] < 2**53:
        return "expiresAt must be a positive integer (Unix milliseconds)"
    if "taskId" in intent:
        problem = _string_problem(intent, "taskId", required=True)
        if problem:
            return problem
    if intent["kind"] in ("task", "approve"):
        return _task_problem(intent)
    if intent["kind"] == "answer":
        if not isinstance(intent["requestId"], str) or not REQUEST_ID.fullmatch(intent["requestId"]):
            return "requestId must match [A-Za-z0-9_-]{1,64}"
        if not isinstance(intent["digest"], str) or not HEX_SHA256.fullmatch(intent["digest"]):
            return "digest must be 64 lowercase hex digits"
        if intent["decision"] not in DECISIONS:
            return f"decision must be one of {', '.join(DECISIONS)}"
        return None
    if not isinstance(intent["textSha256"], str) or not HEX_SHA256.fullmatch(intent["textSha256"]):
        return "textSha256 must be 64 lowercase hex digits"
    return None


def _task_problem(intent: Mapping[str, Any]) -> str | None:
    task_type = intent["type"]
    if task_type not in TASK_TYPES:
        return f"type must be one of {', '.join(TASK_TYPES)}"
    for key in TASK_KEYS:
        if key == "type":
            continue
        if key == "writeAccess":
            if intent[key] is not None and not isinstance(intent[key], bool):
                return "writeAccess must be a boolean or null"
        elif key == "promptSha256":
            value = intent[key]
            if (task_type == "codex_exec" or value is not None) and (not isinstance(value, str) or not HEX_SHA256.fullmatch(value)):
                return "promptSha256 must be 64 lowercase hex digits"
        else:
            problem = _string_problem(intent, key)
            if problem:
                return problem
    return None


def assertion_problem(assertion: Any) -> str | None:
    """Why an assertion's shape is refused: base64url strings of a bounded size (userHandle may be null)."""
    if not isinstance(assertion, dict):
        return "intentAssertion must be an object"
    if set(assertion) != set(ASSERTION_KEYS):
        return f"intentAssertion has exactly the keys {', '.join(ASSERTION_KEYS)}"
    for key in ASSERTION_KEYS:
        value = assertion[key]
        if value is None and key == "userHandle":
            continue
        if not isinstance(value, str) or not value or len(value) > ASSERTION_PART_CHARS or not BASE64URL.fullmatch(value):
            return f"intentAssertion.{key} must be a base64url string of at most {ASSERTION_PART_CHARS} characters"
    if sum(len(value or "") for value in assertion.values()) > MAX_ASSERTION_CHARS:
        return f"intentAssertion is over {MAX_ASSERTION_CHARS} characters"
    return None


def signed_pair_problem(intent: Any, assertion: Any, *, kind: str) -> str | None:
    """Both or neither: an intent without its assertion (or the reverse) is as refused as a malformed one."""
    if intent is None and assertion is None:
        return None
    if intent is None or assertion is None:
        return "intent and intentAssertion come together"
    problem = intent_problem(intent, kind=kind) or assertion_problem(assertion)
    if problem is None and len(rfc8785.dumps(intent)) > MAX_INTENT_BYTES:
        problem = f"intent is over {MAX_INTENT_BYTES} bytes"
    return problem


# --- what an intent asks for -----------------------------------------------------------------------


def effective_task(intent: Mapping[str, Any]) -> dict[str, Any]:
    """The task fields an intent asks for once API.md's defaults are applied, by their task-view names.

    The relay stores a task with its exec mode chosen (`default_exec_mode`) and its cwd `.` when none
    was given; it refuses a signed body whose fields it would clamp or trim, so past that, these
    defaults are the only difference between what was signed and what the agent receives."""
    task_type = intent["type"]
    effective = {key: intent.get(key) or "" for key in ("actionId", "logSourceId", "sessionId", "threadId", "resumeSessionId")}
    effective["type"] = task_type
    effective["execMode"] = ""
    effective["cwd"] = "."
    if task_type == "codex_exec":
        effective["execMode"] = intent["execMode"] or default_exec_mode(
            resume_session_id=intent["resumeSessionId"] or "", write_access=intent["writeAccess"] is True
        )
        effective["cwd"] = intent["cwd"] or "."
    return effective


def task_mismatch(intent: Mapping[str, Any], task: Mapping[str, Any]) -> str | None:
    """The first signed field the task (a task view: as the relay holds it, as the agent receives it)
    does not match, or None. `task` needs `agentId`, the fields of `effective_task` and `prompt`;
    for an approve intent, `taskId` too. Fields a type does not use are not compared."""
    if task.get("agentId") != intent["agentId"]:
        return "agentId"
    if intent["kind"] == "approve" and task.get("taskId") != intent["taskId"]:
        return "taskId"
    effective = effective_task(intent)
    used = ("type",) + tuple(key for key in USED_BY_TYPE[intent["type"]] if key in effective)
    for key in used:
        held = task.get(key)
        if key == "cwd":
            held = held or "."
        elif key != "type":
            held = held or ""
        if held != effective[key]:
            return key
    if intent["type"] == "codex_exec" and sha256_or_none(task.get("prompt") or "") != intent["promptSha256"]:
        return "prompt"
    return None


def needs_signature(setting: str, *, task_type: str, mode_writes: bool) -> bool:
    """Whether the agent requires a signed intent for a task (and its approval, answers and steers).

    `writes`: whatever the catalogue says can change the workspace or run a command; `all`: everything."""
    if setting == ALL:
        return True
    if setting == WRITES:
        return TASK_TYPES[task_type].changes_workspace(mode_writes=mode_writes)
    return False
