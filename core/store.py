"""The repository interface every storage backend implements.

One small surface for all relay records: a `Store` opens transactions; a transaction exposes
one `Table` per record kind (`tx.users`, `tx.tasks`, ... as named in `records.TABLES`) plus the
relay-wide `RelayMeta`. Services depend on this interface only, never on a backend.

    with store.transaction() as tx:          # commits on exit, rolls back on exception
        task = tx.tasks.get(task_id)
        tx.tasks.put(attrs.evolve(task, status="running"))
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import attrs

from .record_codec import Key
from .records import Agent, RelayMeta
from .task_catalog import Status

R = TypeVar("R")


class Table(Protocol, Generic[R]):
    """One record kind. Keys are the record's `KEY` field: a str, or for a compound `KEY` a tuple
    of its fields' values in order (`tx.agents.get((workspace_id, agent_id))`; a bare str there
    is a TypeError)."""

    def get(self, key: Key) -> R | None:
        """The record with that key, or None."""

    def put(self, record: R) -> None:
        """Insert or replace the record with the same key."""

    def delete(self, key: Key) -> bool:
        """Remove it; True when it existed."""

    def find(self, *, order_by: str | None = None, limit: int | None = None, **equals: object) -> list[R]:
        """Records whose fields equal every value in `equals` (None matches null).

        `order_by` names a field, with a leading `-` for descending; nulls sort first ascending
        and last descending; ties (and no `order_by`) go by key ascending (field by field). List
        and dict fields cannot be queried (ValueError); `limit` must be >= 0.
        """

    def count(self, **equals: object) -> int:
        """How many records match `equals`."""


class Transaction(Protocol):
    users: Table
    workspaces: Table
    memberships: Table
    invitations: Table
    recovery_codes: Table
    login_codes: Table
    pairings: Table
    pair_requests: Table
    agents: Table
    tasks: Table
    sessions: Table
    passkeys: Table
    push_subscriptions: Table
    audit_events: Table  # append, list and prune only through core/audit.py (one hash chain)

    def get_meta(self) -> RelayMeta: ...

    def set_meta(self, meta: RelayMeta) -> None: ...


@attrs.frozen
class AgentGlance:
    """An agent's record and whether it has a queued and a running task, all read at one moment:
    what an idle agent poll must know (relay_app/services/agents.py)."""

    agent: Agent
    queued: bool
    running: bool


class Store(Protocol):
    """Optionally also `agent_glance(key) -> AgentGlance | None` (None: no such agent): the same
    reads as a `write=False` transaction doing `agents.get` and two `tasks.find`s, in one statement
    on the SQL backends, no BEGIN/COMMIT (issue 19: an idle poll, the relay's most frequent request,
    did five round trips to PostgreSQL). The relay reads in a transaction where a store lacks it."""

    backend: str

    def transaction(self, *, write: bool = True) -> AbstractContextManager[Transaction]:
        """An atomic unit of work; `write=False` promises not to write (may run concurrently).

        StorageError: writing in a `write=False` transaction, a second write transaction in the
        same thread (it would deadlock), or using a transaction after its `with` block.
        """

    def data_files(self) -> list[Path]:
        """Every file the backend keeps on disk (for backups and the volatile-text audit)."""

    def integrity_check(self) -> list[str]:
        """Problems found in the stored data; empty when healthy."""

    def close(self) -> None: ...


def glance_in(tx: Transaction, key: Key) -> AgentGlance | None:
    """`Store.agent_glance` read in a transaction, for a backend without a single statement for it."""
    agent = tx.agents.get(key)
    if agent is None:
        return None
    workspace_id, agent_id = key
    return AgentGlance(
        agent,
        bool(tx.tasks.find(workspace_id=workspace_id, agent_id=agent_id, status=Status.QUEUED, limit=1)),
        bool(tx.tasks.find(workspace_id=workspace_id, agent_id=agent_id, status=Status.RUNNING, limit=1)),
    )
