"""Whether the installed Codex is one whose app-server protocol this agent speaks, and whether it is signed in.

The protocol changes between Codex releases, so interactive modes are offered only for versions
in SUPPORTED (checked against 0.169.0). The binary is looked at again when its file changes
(mtime or size: an upgrade in place), not only when the agent starts. Whether Codex has a usable
login comes from `account/read` on a short-lived app-server, cached for a while and refreshed in
the background: a poll never waits for it.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from pathlib import Path
from typing import Callable

from ..binary import CodexBinary, find_codex
from ..installation import Codex
from .launch import open_app_server

log = logging.getLogger("mobile_codex.agent")

SUPPORTED = ((0, 169), (0, 170))  # [lowest, highest) major.minor
SIGNED_IN_TTL_SEC = 300.0
FIRST_ANSWER_WAIT_SEC = 3.0  # the first poll waits this long at most, so it rarely says "not signed in" wrongly
ACCOUNT_TIMEOUT_SEC = 20.0


def supported_version(version: str) -> bool:
    match = re.match(r"(\d+)\.(\d+)\.", version or "")
    if not match:
        return False
    found = (int(match.group(1)), int(match.group(2)))
    return SUPPORTED[0] <= found < SUPPORTED[1]


def _stamp(path: str | None) -> tuple | None:
    try:
        stat = os.stat(path) if path else None
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size) if stat else None


class CodexSupport:
    """`interactive()` and `signed_in()` for the poll body: cheap, never blocking for long."""

    def __init__(self, codex: Codex, state_dir: Path, *, find: Callable[[str], CodexBinary] = find_codex,
                 monotonic: Callable[[], float] = time.monotonic):  # fmt: skip
        self.codex = codex
        self.state_dir = state_dir
        self._find = find
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._binary = codex.binary
        self._stamp = _stamp(codex.binary.path)
        self._signed_in: bool | None = None
        self._checked_at: float | None = None
        self._checking = False
        self._first_answer = threading.Event()

    def binary(self) -> CodexBinary:
        """The binary as last seen; asked for its version again when its file changed."""
        path = self._binary.path or self.codex.binary.path
        stamp = _stamp(path)
        with self._lock:
            if stamp == self._stamp:
                return self._binary
        found = self._find(self.codex.config.binary)
        with self._lock:
            self._binary, self._stamp = found, _stamp(found.path)
            self._checked_at = None  # a new binary: ask about the login again
        return found

    def interactive(self) -> bool:
        found = self.binary()
        return found.available and supported_version(found.version)

    def signed_in(self) -> bool:
        """The last known answer; starts a refresh when it is old. Only before the first answer does a
        call wait, and briefly, so the first poll rarely says "not signed in" wrongly."""
        with self._lock:
            stale = self._checked_at is None or self._monotonic() - self._checked_at > SIGNED_IN_TTL_SEC
            start = stale and not self._checking and self._binary.available
            if start:
                self._checking = True
            first = self._signed_in is None and self._checking
        if start:
            threading.Thread(target=self._refresh, name="codex-account", daemon=True).start()
        if first:
            self._first_answer.wait(FIRST_ANSWER_WAIT_SEC)
        with self._lock:
            return bool(self._signed_in)

    def learned(self, signed_in: bool) -> None:
        """What a turn just found out from `account/read`: the next poll says so."""
        with self._lock:
            self._signed_in, self._checked_at = signed_in, self._monotonic()

    def _refresh(self) -> None:
        answer = None
        try:
            answer = account_signed_in(self.codex, self.state_dir)
        except Exception as err:  # no app-server today: keep saying what we knew
            log.info("cannot ask Codex whether it is signed in: %s", err)
        with self._lock:
            if answer is not None:
                self._signed_in = answer
            self._checked_at = self._monotonic()
            self._checking = False
        self._first_answer.set()


def account_signed_in(codex: Codex, state_dir: Path) -> bool:
    server = open_app_server(codex, cwd=Path(codex.home) if Path(codex.home).is_dir() else Path("/"), state_dir=state_dir)
    try:
        return signed_in_from(server.rpc.request("account/read", {}, timeout=ACCOUNT_TIMEOUT_SEC))
    finally:
        server.stop(grace=0.5)


def signed_in_from(result: object) -> bool:
    """`account/read`'s answer: signed in with an account, or a provider that needs no OpenAI login."""
    if not isinstance(result, dict):
        return False
    return result.get("account") is not None or result.get("requiresOpenaiAuth") is False
