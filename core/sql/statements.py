"""The fixed statements of a table, spelled for one dialect and built once (trusted names only)."""

from __future__ import annotations

import functools
import typing

import attrs

from ..record_codec import key_fields, layout
from ..records import TABLES, Agent, RelayMeta
from ..task_catalog import Status
from .dialect import Dialect, quoted
from .rows import RowCodec, row_codec


@functools.cache
def _text_fields(cls: type) -> frozenset[str]:
    """The fields stored as TEXT and ordered as such (str or str | None)."""
    hints = typing.get_type_hints(cls)
    return frozenset(
        name for name in layout(cls).fields if set(typing.get_args(hints[name]) or (hints[name],)) <= {str, type(None)}
    )


@attrs.frozen
class TableSql:
    """One record kind's table: its statements, its row codec and how to order by its fields."""

    table: str
    dialect: Dialect
    rows: RowCodec
    select: str
    get: str
    put: str
    delete: str
    key_order: str  # ORDER BY terms of the key, the tie-breaker of every `find`
    text_fields: frozenset[str]

    @classmethod
    def build(cls, table: str, record_cls: type, dialect: Dialect) -> TableSql:
        fields = layout(record_cls).fields
        keys = key_fields(record_cls)
        texts = _text_fields(record_cls)
        select = f'SELECT {quoted(fields)} FROM "{table}"'
        by_key = " AND ".join(f'"{name}" = {dialect.mark}' for name in keys)
        return cls(
            table=table,
            dialect=dialect,
            rows=row_codec(record_cls, dialect),
            select=select,
            get=f"{select} WHERE {by_key}",
            put=dialect.upsert(table, fields, keys, dialect.mark),
            delete=f'DELETE FROM "{table}" WHERE {by_key}',
            key_order=", ".join(_order_term(name, texts, dialect) for name in keys),
            text_fields=texts,
        )

    def order_by(self, field: str | None, descending: bool) -> str:
        """A `find`'s ORDER BY terms: the field asked for (NULLs as the contract says), then the key."""
        if field is None:
            return self.key_order
        dialect = self.dialect
        direction = f"DESC{dialect.nulls_last}" if descending else f"ASC{dialect.nulls_first}"
        return f"{_order_term(field, self.text_fields, dialect)} {direction}, {self.key_order}"


def _order_term(name: str, texts: frozenset[str], dialect: Dialect) -> str:
    return f'"{name}"{dialect.text_order}' if name in texts else f'"{name}"'


@attrs.frozen
class Statements:
    """Every table's statements and the meta row's, for one dialect (one per backend module)."""

    tables: dict[str, TableSql]
    meta: RowCodec
    get_meta: str
    set_meta: str  # parameters: 1 (the row's id), then the meta fields
    agent_glance: str  # parameters: workspace_id, agent_id (`Store.agent_glance`; glance_of reads a row)

    @classmethod
    def build(cls, dialect: Dialect) -> Statements:
        meta = row_codec(RelayMeta, dialect)
        return cls(
            tables={table: TableSql.build(table, record_cls, dialect) for table, record_cls in TABLES.items()},
            meta=meta,
            get_meta=f"SELECT {quoted(meta.fields)} FROM meta WHERE id = 1",
            set_meta=dialect.upsert("meta", ("id", *meta.fields), ("id",), dialect.mark),
            agent_glance=_agent_glance(dialect),
        )


def _agent_glance(dialect: Dialect) -> str:
    """The agent's row, then whether it has a queued and a running task: one statement, so one
    snapshot without a transaction around it. The tasks index (workspace_id, agent_id, status,
    created_at) answers both EXISTS."""
    columns = ", ".join(f'"agents"."{name}"' for name in layout(Agent).fields)

    def has(status: str) -> str:
        return (
            'EXISTS (SELECT 1 FROM "tasks" WHERE "tasks"."workspace_id" = "agents"."workspace_id" '
            f'AND "tasks"."agent_id" = "agents"."agent_id" AND "tasks"."status" = \'{status}\')'
        )

    return (
        f'SELECT {columns}, {has(Status.QUEUED)}, {has(Status.RUNNING)} FROM "agents" '
        f'WHERE "agents"."workspace_id" = {dialect.mark} AND "agents"."agent_id" = {dialect.mark}'
    )
