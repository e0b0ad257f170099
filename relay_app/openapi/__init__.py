"""The relay API as an OpenAPI 3.1 document: built here, served at `GET /api/openapi.json`, and
written to `docs/openapi.json` by `python -m mobile_codex.relay_app.openapi docs/openapi.json`.

`schemas.py` holds the reusable objects, `operations.py` one entry per route. The tests fail when a
route and the document disagree, when the document is not valid OpenAPI 3.1, or when the committed
`docs/openapi.json` is not what this module builds.
"""

from __future__ import annotations

import json
from typing import Any

from .operations import OPERATIONS
from .schemas import SCHEMAS

VERSION = "0.1.0"  # of the API (wire-compatible with Mobile-Codex 0.1), not of this package

TAGS = {
    "relay": "The relay itself.",
    "auth": "Signing in and out, switching workspace, redeeming codes.",
    "passkeys": "Registering, using and revoking passkeys.",
    "state": "The phone's view of everything.",
    "people": "Workspaces, invitations and memberships.",
    "users": "Relay user administration (relay owners).",
    "agents": "Pairing and revoking agents (from the phone).",
    "tasks": "Tasks from the phone.",
    "agent": "The agent's side: pairing, polling, task updates.",
    "notifications": "One's own notification preferences and devices (issue 17).",
    "audit": "The tamper-evident audit trail (issue 21).",
}

DESCRIPTION = """\
The Mobile Codex relay's HTTP API: API.md (wire-compatible with Mobile-Codex 0.1) plus the additions
listed in docs/api.md. Every answer is JSON with `cache-control: no-store` (this document excepted);
errors are `{"error": "<kebab-case-code>", "detail"?: "..."}`. Unknown `/api/` paths answer 404
`not-found`, a known path with another method 405 `method-not-allowed`, an unexpected failure 500
`internal-error`; any operation answers 503 `storage-unavailable` while the relay cannot reach its database
(postgres backend: down, or no connection within `storage.connectTimeoutMs`), and one that needs the shared
volatile store while it cannot be reached 503 `volatile-store-unavailable`. `OPTIONS *` answers the CORS preflight (204). Everything outside `/api/` is the
static web app. Over-long strings in request bodies are clamped to their byte budget, not refused.
"""


def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for (method, path), operation in OPERATIONS.items():
        paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Mobile Codex relay API", "version": VERSION, "description": DESCRIPTION},
        "tags": [{"name": name, "description": text} for name, text in TAGS.items()],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "session": {
                    "type": "apiKey", "in": "cookie", "name": "mobilecodex_session",
                    "description": "The browser session; named `__Host-mobilecodex_session` when publicOrigin is https.",
                },
                "agentToken": {
                    "type": "http", "scheme": "bearer", "bearerFormat": "CBT",
                    "description": "The agent's HMAC-signed token, from pairing (and renewed in poll replies).",
                },
            },
        },
    }


def render() -> str:
    """The document as docs/openapi.json holds it."""
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"
