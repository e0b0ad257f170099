"""Which notifications each person wants: one `NotificationPreference` record per user.

A kind the record does not list is on, so a person who never opened the settings screen hears of
everything meant for them. Only `CHOOSABLE_KINDS` can be turned off: `request-answered` follows
`request-waiting` (it replaces that notification) and a test is always delivered to who asked.
"""

from __future__ import annotations

from mobile_codex.core.notifications import CHOOSABLE_KINDS, REQUEST_ANSWERED, REQUEST_WAITING
from mobile_codex.core.records import NotificationPreference
from mobile_codex.core.store import Store, Transaction
from mobile_codex.core.timeutil import Clock, iso

FOLLOWS = {REQUEST_ANSWERED: REQUEST_WAITING}


def kinds_of(tx: Transaction, user_id: str) -> dict[str, bool]:
    """Every choosable kind -> whether the user wants it."""
    record = tx.notification_preferences.get(user_id)
    chosen = record.kinds if record is not None else {}
    return {kind: bool(chosen.get(kind, True)) for kind in CHOOSABLE_KINDS}


def wanted(tx: Transaction, user_id: str, kind: str) -> bool:
    kind = FOLLOWS.get(kind, kind)
    if kind not in CHOOSABLE_KINDS:
        return True
    return kinds_of(tx, user_id)[kind]


class Preferences:
    """Reading and changing one's own preferences (the settings screen)."""

    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock

    def get(self, user_id: str) -> dict[str, bool]:
        with self.store.transaction(write=False) as tx:
            return kinds_of(tx, user_id)

    def set(self, user_id: str, kinds: dict[str, bool]) -> dict[str, bool]:
        """Change the kinds given (already checked to be choosable), keep the others."""
        with self.store.transaction() as tx:
            merged = {**kinds_of(tx, user_id), **kinds}
            tx.notification_preferences.put(NotificationPreference(user_id=user_id, kinds=merged, updated_at=iso(self.clock())))
        return merged
