"""Reading an agent's bodies: its poll (what it can do, its Codex sessions) and its pair request.

Wrong JSON types are 400 `invalid-field`; over-long strings and lists are clamped to API.md's
budgets. The results are the typed values of services/agent_reports.py and services/pairing.py.
"""

from __future__ import annotations

from typing import Any

from mobile_codex.core import intents
from mobile_codex.core.features import FLAG_KEYS
from mobile_codex.core.identity import AGENT_ID

from ..errors import BadRequest, invalid_field
from ..fields import array, choice, clamp_head, clamped_int, flag, obj, text
from ..services.agent_reports import AgentReport, PollRequest
from ..services.pairing import PairBody

MAX_LISTED = 100  # actions, log sources, exec modes per agent
MAX_SESSIONS = 20
MAX_CONVERSATION_OPTIONS = 50  # models, efforts


def _s(value: Any, budget: int) -> str:
    return clamp_head(value, budget) if isinstance(value, str) else ""


def _entries(body: dict, name: str, *, writes: bool = False) -> list | None:
    items = array(body, name)
    if items is None:
        return None
    entries = []
    for item in items[:MAX_LISTED]:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            raise invalid_field(name)
        entry = {"id": _s(item["id"], 80), "label": _s(item.get("label"), 120) or _s(item["id"], 120)}
        if writes:  # an exec mode: whether it writes, whether it is a conversation
            entry["writes"] = item.get("writes") is True
            entry["interactive"] = item.get("interactive") is True
        entries.append(entry)
    return entries


def _features(body: dict) -> dict | None:
    features = obj(body, "features")
    if features is None:
        return None
    return {key: value for key, value in features.items() if key in FLAG_KEYS and isinstance(value, bool)}


def _session(item: dict) -> dict:
    preview = []
    for line in item.get("preview") if isinstance(item.get("preview"), list) else []:
        if isinstance(line, dict) and line.get("role") in ("user", "assistant"):
            preview.append({"role": line["role"], "text": _s(line.get("text"), 320), "timestamp": _s(line.get("timestamp"), 40)})
        if len(preview) == 4:
            break
    return {
        "sessionId": _s(item.get("sessionId"), 120), "title": _s(item.get("title"), 180),
        "firstUserMessage": _s(item.get("firstUserMessage"), 240), "updatedAt": _s(item.get("updatedAt"), 40),
        "createdAt": _s(item.get("createdAt"), 40), "cwd": _s(item.get("cwd"), 180), "source": _s(item.get("source"), 24),
        "preview": preview,
    }  # fmt: skip


def _sessions(body: dict) -> list | None:
    items = array(body, "codexSessions")
    if items is None:
        return None
    return [_session(item) for item in items if isinstance(item, dict) and isinstance(item.get("sessionId"), str)][:MAX_SESSIONS]


def _options(body: dict, name: str, budget: int) -> list | None:
    """A list of short strings (the models or efforts a phone may pick), clamped; None when absent."""
    items = array(body, name)
    if items is None:
        return None
    if not all(isinstance(item, str) for item in items):
        raise invalid_field(name)
    return [clamp_head(item, budget) for item in items[:MAX_CONVERSATION_OPTIONS]]


def _wait_ms(body: dict[str, Any]) -> int:
    return clamped_int(body, "waitMs", default=0, lo=0, hi=25000)


def poll_may_wait(body: dict[str, Any]) -> bool:
    """Whether this poll body may be held (its `waitMs` as parse_poll reads it is over 0). A body
    parse_poll refuses counts as may-wait: the route answers 400 before any wait either way."""
    try:
        return _wait_ms(body) > 0
    except BadRequest:
        return True


def parse_poll(body: dict[str, Any]) -> PollRequest:
    report = AgentReport(
        label=None if body.get("label") is None else text(body, "label", 120),
        workspace_root_name=None if body.get("workspaceRootName") is None else text(body, "workspaceRootName", 120),
        features=_features(body),
        actions=_entries(body, "actions"),
        log_sources=_entries(body, "logSources"),
        codex_sessions=_sessions(body),
        codex_available=None if body.get("codexAvailable") is None else flag(body, "codexAvailable"),
        codex_version=None if body.get("codexVersion") is None else text(body, "codexVersion", 80),
        exec_modes=_entries(body, "execModes", writes=True),
        codex_signed_in=None if body.get("codexSignedIn") is None else flag(body, "codexSignedIn"),
        conversation_models=_options(body, "conversationModels", 80),
        conversation_efforts=_options(body, "conversationEfforts", 20),
        require_signed_intents=None if body.get("requireSignedIntents") is None else choice(
            body, "requireSignedIntents", intents.SETTINGS
        ),
    )
    return PollRequest(
        report=report,
        max_tasks=clamped_int(body, "maxTasks", default=1, lo=0, hi=8),
        wait_ms=_wait_ms(body),
    )


def parse_pair_body(body: dict[str, Any]) -> PairBody:
    agent_id = body.get("agentId")
    if agent_id is None or agent_id == "":
        raise BadRequest("missing-agent-id")
    if not isinstance(agent_id, str) or not AGENT_ID.fullmatch(agent_id):
        raise invalid_field("agentId")
    return PairBody(
        pairing_code=text(body, "pairingCode", 120), agent_id=agent_id,
        label=text(body, "label", 120).strip() or agent_id, hostname=text(body, "hostname", 120),
        workspace_root_name=text(body, "workspaceRootName", 120),
    )  # fmt: skip
