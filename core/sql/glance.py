"""`Store.agent_glance` for the SQL backends: one statement (`Statements.agent_glance`), decoded."""

from __future__ import annotations

from ..record_codec import Key, check_key
from ..records import Agent
from ..store import AgentGlance
from .statements import Statements
from .transaction import Connection


def agent_glance(conn: Connection, statements: Statements, key: Key) -> AgentGlance | None:
    """Run on a connection outside any transaction (autocommit): the statement is its own snapshot."""
    row = conn.execute(statements.agent_glance, check_key(Agent, key)).fetchone()
    if row is None:
        return None
    *columns, queued, running = row
    return AgentGlance(statements.tables["agents"].rows.from_row(columns), bool(queued), bool(running))
