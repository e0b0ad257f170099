"""The structured update fields of an interactive turn, queued until the reporter sends them.

API.md's agent update carries `itemsAppend`, `requestsAdd`, `requestsResolved`, `steersApplied`,
`steersRejected` (lists, sent in the order they were reported) and `tokenUsage`, `turnId`, `threadId`
(the latest value wins). `take(budget)` cuts the front of the queue into one body whose JSON stays
within `budget` bytes (body_size.py). One entry bigger than the budget goes alone: a request at all
of core/interactive.py's budgets is some 50 KB of text (at most ~300 KB if every byte is JSON-escaped),
more than maxTaskLogBytes' 1024..12000 but far below the relay's 1 MiB update cap. The requestsAdd
of a request and its requestsResolved never share a body, whatever order the relay applies them in.

Items are the conversation's live state: a queued item reported again (same itemId, e.g. an agent
message growing by deltas) is replaced in place, so a burst of deltas costs one item per flush. While
the relay is unreachable the queue keeps everything except the oldest items past ITEMS_MAX or
QUEUED_ITEM_BYTES — the relay keeps no more items than that per task anyway. Requests, resolutions
and steer outcomes are never dropped; core's per-task budgets bound them.

`refine(change)` runs a change (the reporter's secret filter) once on each entry queued or replaced
since the last call, just before a body is taken: a message growing by a hundred deltas between two
flushes is filtered once, not a hundred times.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from mobile_codex.core.interactive import ITEMS_MAX

from .body_size import encoded_size, member_overhead

QUEUED_ITEM_BYTES = 4 * 1024 * 1024
LIST_FIELDS: tuple[str, ...] = ("itemsAppend", "requestsAdd", "requestsResolved", "steersApplied", "steersRejected")
SCALAR_FIELDS: tuple[str, ...] = ("tokenUsage", "turnId", "threadId")
URGENT_FIELDS: tuple[str, ...] = ("requestsAdd", "requestsResolved", "steersApplied", "steersRejected")


@attrs.define
class Entry:
    field: str
    value: Any
    size: int  # encoded, with the ', ' that separates it from the next entry
    fresh: bool = True  # not yet through `refine`

    @property
    def item_id(self) -> str | None:
        return self.value.get("itemId") if self.field == "itemsAppend" and isinstance(self.value, dict) else None


@attrs.define
class Taken:
    """One body's worth of the queue, kept until it is sent (or put back when the relay is unreachable)."""

    entries: list[Entry] = attrs.field(factory=list)
    scalars: dict[str, Any] = attrs.field(factory=dict)
    size: int = 2  # "{}"

    def body(self) -> dict[str, Any]:
        fields: dict[str, Any] = dict(self.scalars)
        for entry in self.entries:
            fields.setdefault(entry.field, []).append(entry.value)
        return fields

    def split(self) -> list[Taken]:
        """One part per entry, and one for the scalars: to find the one the relay refuses."""
        parts = [Taken(scalars=self.scalars)] if self.scalars else []
        return parts + [Taken(entries=[entry]) for entry in self.entries]

    @staticmethod
    def joined(parts: list[Taken]) -> Taken:
        scalars = {name: value for part in parts for name, value in part.scalars.items()}
        return Taken(entries=[entry for part in parts for entry in part.entries], scalars=scalars)


class TurnFieldQueue:
    """Not thread-safe: the reporter holds its lock around every call."""

    def __init__(self) -> None:
        self._entries: list[Entry] = []
        self._scalars: dict[str, Any] = {}

    def empty(self) -> bool:
        return not self._entries and not self._scalars

    def add(self, field: str, value: Any) -> None:
        """Queue a copy of `value` (the caller may change its own afterwards); TypeError if it is not JSON."""
        encoded = json.dumps(value)
        if field in SCALAR_FIELDS:
            self._scalars[field] = json.loads(encoded)
            return
        if field not in LIST_FIELDS:
            raise ValueError(f"not an update field: {field}")
        entry = Entry(field, json.loads(encoded), len(encoded) + 2)
        queued = self._queued_item(entry.item_id)
        if queued is not None:
            queued.value, queued.size, queued.fresh = entry.value, entry.size, True
        else:
            self._entries.append(entry)
        self._bound_items()

    def refine(self, change) -> None:
        """Replace each fresh entry's value by `change(field, value)` (a JSON value), once."""
        for entry in self._entries:
            if entry.fresh:
                entry.value = change(entry.field, entry.value)
                entry.size = encoded_size(entry.value) + 2
                entry.fresh = False

    def take(self, budget: int) -> Taken:
        """The front of the queue as one body of at most `budget` bytes (one oversized entry goes alone)."""
        taken = Taken(scalars=self._scalars)
        self._scalars = {}
        taken.size += sum(member_overhead(name) + encoded_size(value) for name, value in taken.scalars.items())
        fields: set[str] = set()
        added: set[Any] = set()  # requests added in this body: their resolution waits for the next one
        count = 0
        for entry in self._entries:
            cost = entry.size + (0 if entry.field in fields else member_overhead(entry.field) + 2)
            if count and taken.size + cost > budget:
                break
            if entry.field == "requestsResolved" and isinstance(entry.value, dict) and entry.value.get("requestId") in added:
                break
            if entry.field == "requestsAdd" and isinstance(entry.value, dict):
                added.add(entry.value.get("requestId"))
            taken.entries.append(entry)
            taken.size += cost
            fields.add(entry.field)
            count += 1
        del self._entries[:count]
        return taken

    def put_back(self, taken: Taken) -> None:
        """Return an unsent body to the front; values reported since it was taken win."""
        self._scalars = {**taken.scalars, **self._scalars}
        newer = self._entries
        self._entries = []
        for entry in taken.entries + newer:
            queued = self._queued_item(entry.item_id)
            if queued is not None:  # the newer report keeps the older one's place
                queued.value, queued.size, queued.fresh = entry.value, entry.size, entry.fresh
            else:
                self._entries.append(entry)
        self._bound_items()

    # --- internals ----------------------------------------------------------------------------

    def _queued_item(self, item_id: str | None) -> Entry | None:
        if item_id is None:
            return None
        return next((e for e in self._entries if e.item_id == item_id), None)

    def _bound_items(self) -> None:
        items = [e for e in self._entries if e.field == "itemsAppend"]
        size = sum(e.size for e in items)
        drop: list[Entry] = []
        for entry in items:
            if len(items) - len(drop) <= ITEMS_MAX and size <= QUEUED_ITEM_BYTES:
                break
            drop.append(entry)
            size -= entry.size
        if drop:
            dropped = {id(e) for e in drop}
            self._entries = [e for e in self._entries if id(e) not in dropped]
