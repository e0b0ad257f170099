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
    codex_signed_in: bool | None = None  # kept in memory only (CodexLogins), never in the agent's record


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


class CodexLogins:
    """Whether Codex is signed in on each agent (API.md `codexSignedIn`), as it last said.

    Memory only: it changes without anything else of the agent changing, and a relay that just
    started learns it again at each agent's next poll."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._signed_in: dict[Hashable, bool] = {}

    def report(self, agent: Hashable, signed_in: bool) -> bool:
        """Keep what the agent said; True when it differs from what was held."""
        with self._lock:
            changed = self._signed_in.get(agent) != signed_in
            self._signed_in[agent] = signed_in
            return changed

    def signed_in(self, agent: Hashable) -> bool | None:
        with self._lock:
            return self._signed_in.get(agent)
