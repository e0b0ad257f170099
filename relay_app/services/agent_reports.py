"""What an agent reports in its poll, as typed values, and what of it changes the agent's record.

Fields an agent leaves out are None, so an old agent that does not know our extensions changes
nothing. Reading the poll body into these values is resources/agent_bodies.py's job.
"""

from __future__ import annotations

import threading
from typing import Any, Hashable

import attrs


@attrs.frozen(kw_only=True)
class AgentReport:
    label: str | None = None
    workspace_root_name: str | None = None
    features: dict | None = None
    actions: list | None = None
    log_sources: list | None = None
    codex_sessions: list | None = None
    codex_available: bool | None = None
    codex_version: str | None = None
    exec_modes: list | None = None  # [{id, label, writes, interactive}]
    # Kept in memory only (CodexFacts), never in the agent's record:
    codex_signed_in: bool | None = None
    conversation_models: list | None = None  # what a phone may pick for an interactive turn
    conversation_efforts: list | None = None
    require_signed_intents: str | None = None  # what the agent says it requires signed (the phone signs those)

    def codex_facts(self) -> dict[str, Any]:
        """The memory-only facts this report carries, by their wire names (absent ones left out)."""
        facts = {
            "codexSignedIn": self.codex_signed_in, "conversationModels": self.conversation_models,
            "conversationEfforts": self.conversation_efforts, "requireSignedIntents": self.require_signed_intents,
        }  # fmt: skip
        return {name: value for name, value in facts.items() if value is not None}


@attrs.frozen(kw_only=True)
class PollRequest:
    report: AgentReport
    max_tasks: int
    wait_ms: int


def merged(agent, report: AgentReport) -> dict[str, Any]:
    """The record fields the report changes (empty when it changes nothing)."""
    changes = {
        "label": report.label if report.label else None,
        "workspace_root_name": report.workspace_root_name,
        "features": report.features,
        "actions": report.actions,
        "log_sources": report.log_sources,
        "codex_available": report.codex_available,
        "codex_version": report.codex_version,
        "exec_modes": report.exec_modes,
    }
    return {name: value for name, value in changes.items() if value is not None and getattr(agent, name) != value}


FACT_DEFAULTS: dict[str, Any] = {
    "codexSignedIn": None, "conversationModels": [], "conversationEfforts": [], "requireSignedIntents": None,
}  # fmt: skip


class CodexFacts:
    """What the agent last said about its Codex that the agent view shows (API.md `codexSignedIn`;
    ours: `conversationModels`, `conversationEfforts`, `requireSignedIntents`).

    Memory only: they change without anything else of the agent changing, and a relay that just
    started learns them again at each agent's next poll."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._facts: dict[Hashable, dict[str, Any]] = {}

    def report(self, agent: Hashable, facts: dict[str, Any]) -> bool:
        """Keep what the agent said; True when it differs from what was held."""
        if not facts:
            return False
        with self._lock:
            held = self._facts.setdefault(agent, dict(FACT_DEFAULTS))
            changed = any(held[name] != value for name, value in facts.items())
            held.update(facts)
            return changed

    def of(self, agent: Hashable) -> dict[str, Any]:
        with self._lock:
            return dict(self._facts.get(agent) or FACT_DEFAULTS)
