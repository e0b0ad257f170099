"""What a phone already has of the state view's tasks, so a live update sends only what changed.

The state view's `tasks` (the newest 100 of a workspace, with their volatile text) used to go out
whole on every update: ~18 KB for 11 tasks, growing with history (issue 18). A phone that asks with
`tasksSince=<tasksCursor>` gets only the tasks whose view changed since the view that cursor named,
and the ids of those that left it. The relay remembers, per cursor, a short fingerprint of each task
view it sent (never the text itself), in the shared volatile store (core/volatile_store.py), so a
cursor one replica handed out is answered as a delta by another: a few KB per snapshot, the newest
`SNAPSHOTS_PER_SESSION` per session, each kept `SNAPSHOT_TTL_S`. A cursor the store no longer knows
(a wipe, another session's, another workspace's, evicted, expired) simply answers the whole list
again, so forgetting is always safe. The per-session index is read and rewritten without a lock:
two replicas answering one session at once may leave an extra snapshot until its TTL, no more.
"""

from __future__ import annotations

import json
import secrets

import attrs

from mobile_codex.core.volatile_store import VolatileStore

SNAPSHOTS_PER_SESSION = 3  # a lost answer's retry still finds the cursor it asked with
SNAPSHOT_TTL_S = 600  # a phone away longer gets the whole list once
MAX_CURSOR_CHARS = 64  # ours are 16; anything longer is no cursor of ours

Fingerprints = dict[str, bytes]  # task id -> digest of its view


@attrs.frozen
class TaskDelta:
    changed: frozenset[str]  # ids whose view to send (every id when `full`)
    removed: tuple[str, ...]  # ids the phone had that left the view
    cursor: str  # what the phone sends next as `tasksSince`
    full: bool  # the cursor was unknown: the whole list goes out


@attrs.frozen
class _Snapshot:
    session: str
    workspace_id: str
    fingerprints: Fingerprints

    def encode(self) -> bytes:
        prints = {task_id: digest.hex() for task_id, digest in self.fingerprints.items()}
        return json.dumps({"s": self.session, "w": self.workspace_id, "f": prints}, separators=(",", ":")).encode()

    @classmethod
    def decode(cls, raw: bytes) -> _Snapshot:
        data = json.loads(raw)
        return cls(data["s"], data["w"], {task_id: bytes.fromhex(digest) for task_id, digest in data["f"].items()})


class TaskDeltas:
    def __init__(
        self, shared: VolatileStore, *, per_session: int = SNAPSHOTS_PER_SESSION, ttl_s: float = SNAPSHOT_TTL_S
    ):  # fmt: skip
        self._shared = shared
        self._per_session = per_session
        self._ttl = ttl_s

    def delta(self, session: str, workspace_id: str, since: str | None, current: Fingerprints) -> TaskDelta:
        """What to send of `current` (the view now) to a phone that has the view `since` named;
        remembers `current` under a new cursor."""
        cursor = secrets.token_urlsafe(12)
        known = self._load(since) if since and len(since) <= MAX_CURSOR_CHARS else None
        if known is not None and (known.session, known.workspace_id) != (session, workspace_id):
            known = None  # another session's or workspace's cursor tells this one nothing
        self._remember(cursor, _Snapshot(session, workspace_id, dict(current)))
        if known is None:
            return TaskDelta(changed=frozenset(current), removed=(), cursor=cursor, full=True)
        before = known.fingerprints
        changed = frozenset(task_id for task_id, digest in current.items() if before.get(task_id) != digest)
        removed = tuple(task_id for task_id in before if task_id not in current)
        return TaskDelta(changed=changed, removed=removed, cursor=cursor, full=False)

    def _load(self, cursor: str) -> _Snapshot | None:
        raw = self._shared.get("delta:" + cursor)
        return None if raw is None else _Snapshot.decode(raw)

    def _remember(self, cursor: str, snapshot: _Snapshot) -> None:
        self._shared.set("delta:" + cursor, snapshot.encode(), self._ttl)
        index = "deltas:" + snapshot.session
        raw = self._shared.get(index)
        mine = [*(json.loads(raw) if raw else []), cursor]
        for old in mine[: max(0, len(mine) - self._per_session)]:
            self._shared.delete("delta:" + old)
        self._shared.set(index, json.dumps(mine[-self._per_session :]).encode(), self._ttl)
