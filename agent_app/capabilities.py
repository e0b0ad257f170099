"""What the agent tells the relay in every poll: who it is and what it can run (API.md poll body)."""

from __future__ import annotations

from typing import Any

from mobile_codex.core.config import AgentConfig
from mobile_codex.core.plugin_types import Contribution

from .codex.installation import Codex
from .workspace import Workspace


class Capabilities:
    def __init__(self, config: AgentConfig, workspace: Workspace, *, actions: dict[str, Contribution],
                 log_sources: dict[str, Contribution], exec_modes: dict[str, Contribution], codex: Codex):  # fmt: skip
        self.config = config
        self.codex = codex
        flags = config.features.to_dict()
        flags.pop("pairings", None)  # a relay-side flag
        # Everything but the session catalog is fixed for the agent's lifetime.
        self._static = {
            "label": config.agent_label,
            "workspaceRootName": workspace.name,
            "features": flags,
            "actions": [{"id": c.item.id, "label": c.item.label} for c in actions.values()],
            "logSources": [{"id": c.item.id, "label": c.item.label} for c in log_sources.values()],
            "execModes": [{"id": c.item.id, "label": c.item.label, "writes": c.item.writes} for c in exec_modes.values()],
            "codexAvailable": codex.binary.available,
            "codexVersion": codex.binary.version,
        }

    def poll_body(self) -> dict[str, Any]:
        body = dict(self._static)
        body["codexSessions"] = self.codex.sessions.catalog() if self.config.features.codex_exec else []
        return body
