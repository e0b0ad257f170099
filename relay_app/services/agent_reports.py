"""What an agent reports in its poll, as typed values, and what of it changes the agent's record.

Fields an agent leaves out are None, so an old agent that does not know our extensions changes
nothing. Reading the poll body into these values is resources/agent_bodies.py's job.
"""

from __future__ import annotations

from typing import Any

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
    exec_modes: list | None = None


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
