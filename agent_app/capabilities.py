"""What the agent tells the relay in every poll: who it is and what it can run (API.md poll body).

Interactive exec modes are listed only while the installed Codex speaks an app-server protocol we
support (looked at again when the binary changes); `codexSignedIn` is the last known answer of
`account/read`, refreshed in the background. With `codex.writeOnlySupervised` on, modes that write
without asking are not offered. `conversationModels` / `conversationEfforts` (our extension) are
what the phone may pick for a conversation.

The session catalog is read from Codex's files at poll time. Whatever goes wrong there must not end
the poll loop: the poll then carries the last catalog that could be read ([] before the first), and
the failure is logged once until the catalog can be read again. Its texts (titles, first messages,
previews) pass the agent's text filters (redaction.py) before they go.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from mobile_codex.core.config import AgentConfig
from mobile_codex.core.plugin_types import Contribution
from mobile_codex.core.task_catalog import agent_flags

from .codex.app_server.support import CodexSupport
from .codex.installation import Codex
from .redaction import Redactor
from .workspace import Workspace

log = logging.getLogger("mobile_codex.agent")


class Capabilities:
    def __init__(self, config: AgentConfig, workspace: Workspace, *, actions: dict[str, Contribution],
                 log_sources: dict[str, Contribution], exec_modes: dict[str, Contribution], codex: Codex,
                 support: CodexSupport, redactor: Redactor | None = None):  # fmt: skip
        self.config = config
        self.redactor = redactor or Redactor()
        self.codex = codex
        self.support = support
        self._modes = [c.item for c in exec_modes.values()
                       if not (config.codex.write_only_supervised and c.item.writes_unasked)]  # fmt: skip
        flags = agent_flags(config.features)  # relay-only flags are none of the relay's business here
        # Everything but the session catalog is fixed for the agent's lifetime.
        self._static = {
            "label": config.agent_label,
            "workspaceRootName": workspace.name,
            "features": flags,
            "actions": [{"id": c.item.id, "label": c.item.label} for c in actions.values()],
            "logSources": [{"id": c.item.id, "label": c.item.label} for c in log_sources.values()],
            "conversationModels": list(config.codex.conversation_models),
            "conversationEfforts": list(config.codex.conversation_efforts),
            "codexAvailable": codex.binary.available,
            "codexVersion": codex.binary.version,
            "requireSignedIntents": config.require_signed_intents,  # the phone signs what this covers
        }
        self._last_catalog: list[dict] = []
        self._filtered_catalog: tuple[str, list[dict]] = ("[]", [])  # the last catalog read, as JSON, and its filtered form
        self._catalog_failing = False

    def poll_body(self) -> dict[str, Any]:
        body = dict(self._static)
        interactive = self.support.interactive()  # re-checked when the binary changes
        body["execModes"] = [
            {"id": m.id, "label": m.label, "writes": m.writes, "interactive": m.interactive}
            for m in self._modes if interactive or not m.interactive
        ]  # fmt: skip
        body["codexSignedIn"] = self.support.signed_in() if interactive else False
        body["codexSessions"] = self._catalog() if self.config.features.codex_exec else []
        return body

    def _catalog(self) -> list[dict]:
        try:
            self._last_catalog = self._filtered(self.codex.sessions.catalog())
        except Exception:
            if not self._catalog_failing:
                log.exception("cannot read the Codex session catalog; polls carry the last one read until it can be read again")
            self._catalog_failing = True
            return self._last_catalog
        if self._catalog_failing:
            log.info("the Codex session catalog can be read again")
        self._catalog_failing = False
        return self._last_catalog

    def _filtered(self, catalog: list[dict]) -> list[dict]:
        """The catalog with its texts filtered; the same catalog as the last poll's is not filtered again."""
        raw = json.dumps(catalog, sort_keys=True)
        if raw != self._filtered_catalog[0]:
            self._filtered_catalog = (raw, self.redactor.for_task().value(catalog, "session"))
        return self._filtered_catalog[1]
