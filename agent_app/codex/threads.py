"""Codex's own record of its sessions: the newest `$CODEX_HOME/state_<N>.sqlite`, read-only.

Every query is parameterised and opened read-only (`mode=ro`) with a busy timeout, so a Codex
run writing at the same time only makes us wait a little, never corrupts or blocks it.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

import attrs

BUSY_TIMEOUT_MS = 3000
SESSION_ID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
_STATE_DB = re.compile(r"state_(\d+)\.sqlite")
COLUMNS = ("id", "rollout_path", "created_at", "updated_at", "source", "cwd", "title", "first_user_message")


@attrs.frozen(kw_only=True)
class Thread:
    id: str
    rollout_path: str
    created_at: int  # unix seconds
    updated_at: int
    source: str
    cwd: str
    title: str
    first_user_message: str


def valid_session_id(value: object) -> bool:
    return isinstance(value, str) and SESSION_ID.fullmatch(value) is not None


class CodexThreads:
    def __init__(self, home: Path):
        self.home = Path(home)

    def database(self) -> Path | None:
        """The newest state database (highest N), or None before Codex ever ran."""
        try:
            found = [(int(m.group(1)), p) for p in self.home.iterdir() if (m := _STATE_DB.fullmatch(p.name))]
        except OSError:
            return None
        return max(found)[1] if found else None

    def recent(self, *, under: Path, limit: int) -> list[Thread]:
        """Unarchived threads whose cwd starts with `under`, newest first (callers re-check the cwd)."""
        prefix = str(under).rstrip("/") + "/"
        like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return self._query(
            "WHERE archived = 0 AND (cwd = ? OR cwd LIKE ? ESCAPE '\\') ORDER BY updated_at DESC, id DESC LIMIT ?",
            (str(under), like, limit),
        )

    def get(self, session_id: str) -> Thread | None:
        rows = self._query("WHERE id = ?", (session_id.lower(),)) or self._query("WHERE id = ?", (session_id,))
        return rows[0] if rows else None

    def _query(self, where: str, params: tuple) -> list[Thread]:
        path = self.database()
        if path is None:
            return []
        uri = f"file:{quote(str(path))}?mode=ro" + ("&immutable=1" if _wal_without_writer(path) else "")
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error:
            return []
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            present = {row[1] for row in conn.execute("PRAGMA table_info(threads)")}
            if not {"id", "rollout_path", "cwd"} <= present:
                return []
            select = ", ".join(c if c in present else f"'' AS {c}" for c in COLUMNS)
            rows = conn.execute(f"SELECT {select} FROM threads {where}", params).fetchall()
        except sqlite3.Error:
            return []
        finally:
            conn.close()
        return [
            Thread(id=str(r[0]), rollout_path=str(r[1]), created_at=_int(r[2]), updated_at=_int(r[3]), source=str(r[4] or ""),
                   cwd=str(r[5] or ""), title=str(r[6] or ""), first_user_message=str(r[7] or ""))
            for r in rows
        ]  # fmt: skip


def _wal_without_writer(path: Path) -> bool:
    """A WAL-mode database (header bytes 18-19 = 2) with no -wal or -shm file: no Codex has it open.

    Even a `mode=ro` connection would create the -wal and -shm files next to it; `immutable=1` reads
    the file as it is, creating nothing. Codex opening it meanwhile writes to its WAL, not to this file.
    """
    try:
        with open(path, "rb") as stream:
            header = stream.read(20)
    except OSError:
        return False
    return header[18:20] == b"\x02\x02" and not (Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists())


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
