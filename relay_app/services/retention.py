"""History does not grow without end: finished tasks and spent codes go after `retentionDays`.

Run by the housekeeping sweep. A task goes once it is terminal and has not changed for the
retention period; an invitation, recovery code or login code once it was used, revoked or expired
that long ago; audit entries once they are that old (core/audit.py keeps the newest, so the chain
goes on and an export states where what is left starts). Like every sweep step it reads first, writes only when something is due, and checks
each record again inside its write transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from mobile_codex.core import audit
from mobile_codex.core.record_codec import key_of
from mobile_codex.core.store import Store
from mobile_codex.core.task_catalog import TERMINAL
from mobile_codex.core.timeutil import iso

SPENT_CODE_TABLES = ("invitations", "recovery_codes", "login_codes")


def _task_due(task, cutoff: str) -> bool:
    return task.status in TERMINAL and task.updated_at <= cutoff


def _code_due(code, cutoff: str) -> bool:
    ended = min(filter(None, (getattr(code, "used_at", None), getattr(code, "revoked_at", None), code.expires_at)))
    return ended <= cutoff


class Retention:
    def __init__(self, store: Store, *, days: int, forget_text: Callable[[str], None]):
        self.store = store
        self.days = days
        self.forget_text = forget_text  # a deleted task's text goes from memory too

    def forget_old(self, now: datetime) -> int:
        """Delete what is past retention; how many records."""
        cutoff = iso(now - timedelta(days=self.days))
        with self.store.transaction(write=False) as tx:
            due = {"tasks": [t.task_id for t in tx.tasks.find() if _task_due(t, cutoff)]}
            for name in SPENT_CODE_TABLES:
                table = getattr(tx, name)
                due[name] = [key_of(c) for c in table.find() if _code_due(c, cutoff)]
            oldest = tx.audit_events.find(order_by="seq", limit=2)  # the newest entry is never pruned
            audit_due = len(oldest) == 2 and oldest[0].at < cutoff
        if not any(due.values()) and not audit_due:
            return 0
        deleted = 0
        with self.store.transaction() as tx:
            if audit_due:
                deleted += audit.prune_before(tx, cutoff)
            for name, keys in due.items():
                table = getattr(tx, name)
                check = _task_due if name == "tasks" else _code_due
                for key in keys:
                    record = table.get(key)
                    if record is not None and check(record, cutoff):
                        deleted += table.delete(key)
        for task_id in due["tasks"]:
            self.forget_text(task_id)
        return deleted
