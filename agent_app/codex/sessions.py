"""The Codex sessions the phone may see: those whose cwd lies under workspaceRoot.

The catalog (sent with every poll) is cached for `sessionCatalogTtlMs` and dropped after any run
or delete; `resolve` is the single gate for read, resume and delete.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from mobile_codex.core.config.agent import CodexConfig
from mobile_codex.core.timeutil import iso

from ..errors import TaskFailed
from ..workspace import Workspace
from .rollout import Message, is_injected_context, read_messages
from .threads import CodexThreads, Thread, valid_session_id

PREVIEW_MESSAGES = 4
PREVIEW_CACHE_SIZE = 200
SCAN_FACTOR = 5  # rows read per listed session, for the few whose cwd a symlink takes outside


def codex_home(config: CodexConfig, environ=None) -> Path:
    """codex.homeDir, else $CODEX_HOME, else ~/.codex."""
    environ = os.environ if environ is None else environ
    if config.home_dir is not None:
        return Path(config.home_dir)
    if environ.get("CODEX_HOME"):
        return Path(environ["CODEX_HOME"])
    return Path(environ.get("HOME") or Path.home()) / ".codex"


def _iso(seconds: int) -> str:
    return iso(datetime.fromtimestamp(seconds, timezone.utc)) if seconds else ""


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class CodexSessions:
    def __init__(self, home: Path, workspace: Workspace, config: CodexConfig, *, monotonic: Callable[[], float] = time.monotonic,
                 redact: Callable[[str], str] = lambda text: text):  # fmt: skip
        self.threads = CodexThreads(home)
        # The agent's text filters (redaction.py), run on a message *before* it is clipped: a secret cut
        # in half by a clip could no longer be recognised.
        self.redact = redact
        self.workspace = workspace
        self.config = config
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._cached: tuple[float, list[dict]] | None = None
        self._previews: dict[str, tuple[tuple, tuple[list[dict], str]]] = {}

    def catalog(self) -> list[dict]:
        """API.md "Codex session summaries", newest first, at most sessionListLimit; cached."""
        with self._lock:
            now = self._monotonic()
            if self._cached and now - self._cached[0] < self.config.session_catalog_ttl_ms / 1000:
                return self._cached[1]
        limit = self.config.session_list_limit
        rows = self.threads.recent(under=self.workspace.root, limit=limit * SCAN_FACTOR)
        summaries = [self._summary(t) for t in rows if self.workspace.contains(t.cwd)][:limit]
        with self._lock:
            self._cached = (self._monotonic(), summaries)
        return summaries

    def invalidate(self) -> None:
        with self._lock:
            self._cached = None

    def resolve(self, session_id: object) -> Thread:
        """The thread for a session id the phone sent, if the phone may use it."""
        if not valid_session_id(session_id):
            raise TaskFailed("invalid-session-id", "expected a Codex session id (a UUID)")
        thread = self.threads.get(session_id)
        if thread is None:
            raise TaskFailed("session-not-found", f"no Codex session {session_id}")
        if not thread.cwd or not self.workspace.contains(thread.cwd):
            raise TaskFailed("session-outside-workspace", f"session {session_id} did not run in this workspace")
        return thread

    def conversation(self, thread: Thread) -> list[Message]:
        return read_messages(thread.rollout_path)

    def _preview(self, thread: Thread) -> tuple[list[dict], str]:
        """The last few messages and the first thing the person typed; cached per rollout file until it changes."""
        try:
            stat = os.stat(thread.rollout_path)
            key = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            return [], ""
        with self._lock:
            hit = self._previews.get(thread.rollout_path)
        if hit and hit[0] == key:
            return hit[1]
        messages = self.conversation(thread)
        preview = [
            {"role": m.role, "text": _clip(self.redact(m.text), 320), "timestamp": m.timestamp}
            for m in messages[-PREVIEW_MESSAGES:]
        ]
        entry = (preview, self.redact(next((m.text for m in messages if m.role == "user"), "")))
        with self._lock:
            if len(self._previews) > PREVIEW_CACHE_SIZE:
                self._previews.clear()
            self._previews[thread.rollout_path] = (key, entry)
        return entry

    def _summary(self, thread: Thread) -> dict:
        preview, first_typed = self._preview(thread)
        first = thread.first_user_message
        if not first or is_injected_context(first):
            first = first_typed
        else:
            first = self.redact(first)
        title = self.redact(thread.title) if thread.title and not is_injected_context(thread.title) else first
        return {
            "sessionId": thread.id, "title": _clip(title, 180), "firstUserMessage": _clip(first, 240),
            "updatedAt": _iso(thread.updated_at), "createdAt": _iso(thread.created_at),
            "cwd": _clip(self.workspace.relative(thread.cwd), 180), "source": thread.source[:24], "preview": preview,
        }  # fmt: skip
