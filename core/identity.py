"""Names that both apps and the CLI must spell the same way."""

from __future__ import annotations

import re

# The folder name under the platformdirs config, data and state dirs (`~/.config/mobile-codex/`).
APP_DIR_NAME = "mobile-codex"

# API.md: an agent id. Checked in the agent config and in the relay's pair requests.
AGENT_ID_PATTERN = r"[A-Za-z0-9._-]{1,64}"
AGENT_ID_EXPECTED = "1 to 64 characters from A-Z a-z 0-9 . _ -"
AGENT_ID = re.compile(AGENT_ID_PATTERN)

# The variable that may hand the agent its token; child processes never see it (core/child_env.py).
AGENT_TOKEN_ENV = "MOBILE_CODEX_AGENT_TOKEN"
