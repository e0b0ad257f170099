"""Schema statements written once and spelled per dialect: tables, added columns, migrations.

A migration is a tuple of statements; a statement is either SQL that every engine takes as it
stands (indexes, renames) or a declaration here that `render` spells for one `Dialect` (column
types differ: a bool is INTEGER 0/1 in SQLite and BOOLEAN in PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from ..errors import StorageError
from .dialect import Dialect

TEXT, BOOL, INT = "text", "bool", "int"


@attrs.frozen
class Column:
    name: str
    kind: str = TEXT
    false_by_default: bool = False  # NOT NULL DEFAULT false: a setting added to existing rows
    zero_by_default: bool = False  # NOT NULL DEFAULT 0: a count added to existing rows

    def sql(self, dialect: Dialect, *, key: bool = False) -> str:
        kind = {TEXT: "TEXT", BOOL: dialect.boolean_type, INT: dialect.integer_type}[self.kind]
        if self.false_by_default:
            return f"{self.name} {kind} NOT NULL DEFAULT {dialect.false}"
        if self.zero_by_default:
            return f"{self.name} {kind} NOT NULL DEFAULT 0"
        return f"{self.name} {kind}{' NOT NULL' if key else ''}"


def columns(spec: str) -> tuple[Column, ...]:
    """Columns from "name name:bool name:int ...": TEXT unless a kind follows the colon."""
    return tuple(Column(*word.split(":")) for word in spec.split())


@attrs.frozen
class CreateTable:
    """A table whose key columns are NOT NULL and make its primary key."""

    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    def plus(self, *more: Column) -> CreateTable:
        """The table as later migrations left it, for a backend that creates it in its final shape."""
        return attrs.evolve(self, columns=(*self.columns, *more))

    def named(self, name: str) -> CreateTable:
        return attrs.evolve(self, name=name)

    def column_names(self) -> str:
        return ", ".join(column.name for column in self.columns)

    def sql(self, dialect: Dialect) -> str:
        lines = [column.sql(dialect, key=column.name in self.key) for column in self.columns]
        lines.append(f"PRIMARY KEY ({', '.join(self.key)})")
        return f"CREATE TABLE {self.name} (\n    " + ",\n    ".join(lines) + "\n)"


@attrs.frozen
class AddColumn:
    table: str
    column: Column

    def sql(self, dialect: Dialect) -> str:
        return f"ALTER TABLE {self.table} ADD COLUMN {self.column.sql(dialect)}"


Statement = str | CreateTable | AddColumn
Migration = tuple[str, ...]  # statements, run in order inside the migration's transaction


def render(dialect: Dialect, migrations: Sequence[Sequence[Statement]]) -> tuple[Migration, ...]:
    """Each migration's statements as this dialect's SQL."""
    return tuple(
        tuple(statement if isinstance(statement, str) else statement.sql(dialect) for statement in migration)
        for migration in migrations
    )


def pending(version: int, migrations: Sequence[Migration]) -> list[tuple[int, Migration]]:
    """The migrations a database at `version` still needs, numbered; refuses a newer database."""
    if version > len(migrations):
        raise StorageError(
            f"the database has schema version {version}, newer than this mobile-codex "
            f"knows ({len(migrations)}): upgrade mobile-codex"
        )
    return list(enumerate(migrations[version:], start=version + 1))
