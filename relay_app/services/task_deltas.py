"""What a phone already has of the state view's tasks, so a live update sends only what changed.

The state view's `tasks` (the newest 100 of a workspace, with their volatile text) used to go out
whole on every update: ~18 KB for 11 tasks, growing with history (issue 18). A phone that asks with
`tasksSince=<tasksCursor>` gets only the tasks whose view changed since the view that cursor named,
and the ids of those that left it. The relay remembers, per cursor, a short fingerprint of each task
view it sent (never the text itself): memory only, a few KB per snapshot, the newest
`SNAPSHOTS_PER_SESSION` per session and `MAX_SNAPSHOTS` in all. A cursor it no longer knows (a
restart, another session's, another workspace's, evicted) simply answers the whole list again, so
forgetting is always safe.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict

import attrs

SNAPSHOTS_PER_SESSION = 3  # a lost answer's retry still finds the cursor it asked with
MAX_SNAPSHOTS = 512  # ~100 fingerprints each: a few MB at most relay-wide

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


class TaskDeltas:
    def __init__(self, *, max_snapshots: int = MAX_SNAPSHOTS, per_session: int = SNAPSHOTS_PER_SESSION):
        self._lock = threading.Lock()
        self._snapshots: OrderedDict[str, _Snapshot] = OrderedDict()  # cursor -> snapshot, oldest first
        self._max = max_snapshots
        self._per_session = per_session

    def delta(self, session: str, workspace_id: str, since: str | None, current: Fingerprints) -> TaskDelta:
        """What to send of `current` (the view now) to a phone that has the view `since` named;
        remembers `current` under a new cursor."""
        cursor = secrets.token_urlsafe(12)
        with self._lock:
            known = self._snapshots.get(since) if since else None
            if known is not None and (known.session, known.workspace_id) != (session, workspace_id):
                known = None  # another session's or workspace's cursor tells this one nothing
            self._remember(cursor, _Snapshot(session, workspace_id, dict(current)))
        if known is None:
            return TaskDelta(changed=frozenset(current), removed=(), cursor=cursor, full=True)
        before = known.fingerprints
        changed = frozenset(task_id for task_id, digest in current.items() if before.get(task_id) != digest)
        removed = tuple(task_id for task_id in before if task_id not in current)
        return TaskDelta(changed=changed, removed=removed, cursor=cursor, full=False)

    def _remember(self, cursor: str, snapshot: _Snapshot) -> None:
        self._snapshots[cursor] = snapshot
        mine = [c for c, s in self._snapshots.items() if s.session == snapshot.session]
        for old in mine[: max(0, len(mine) - self._per_session)]:
            del self._snapshots[old]
        while len(self._snapshots) > self._max:
            self._snapshots.popitem(last=False)
