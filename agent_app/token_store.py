"""Where the agent keeps its token: a 0600 file in stateDir (a 0700 directory), never the config.

The file records which relay and agent id the token is for, so a config pointed elsewhere does
not send a token to the wrong relay. Saves are atomic (private_files.py), so a refreshed token
replaces the old one whole or not at all.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from mobile_codex.core.identity import AGENT_TOKEN_ENV

from .errors import TokenNotSaved
from .private_files import write_private_json

TOKEN_FILE = "agent-token.json"
ENV_TOKEN = AGENT_TOKEN_ENV


class TokenStore:
    def __init__(self, state_dir: Path, *, relay_base_url: str, agent_id: str):
        self.state_dir = Path(state_dir)
        self.path = self.state_dir / TOKEN_FILE
        self._owner = {"relayBaseUrl": relay_base_url.rstrip("/"), "agentId": agent_id}

    def load(self) -> str | None:
        """The saved token for this relay and agent id, or None."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or any(data.get(k) != v for k, v in self._owner.items()):
            return None
        token = data.get("token")
        return token if isinstance(token, str) and token else None

    def save(self, token: str) -> None:
        """Write the token; raise TokenNotSaved when the file cannot be written."""
        try:
            self._write(token)
        except OSError as err:
            raise TokenNotSaved(f"cannot save the agent token in {self.path}: {err.strerror or err}") from None

    def _write(self, token: str) -> None:
        write_private_json(self.state_dir, TOKEN_FILE, {**self._owner, "token": token})


def initial_token(store: TokenStore, environ: dict | None = None) -> str | None:
    """The saved token; MOBILE_CODEX_AGENT_TOKEN only when nothing is saved."""
    saved = store.load()
    if saved:
        return saved
    env_token = (os.environ if environ is None else environ).get(ENV_TOKEN, "").strip()
    return env_token or None
