"""What the SQL storage backends (sqlite, postgres) share: statements, row codecs, transactions and
the schema's table declarations, written once and rendered per `Dialect`.

Backend-neutral on purpose: nothing here imports a database driver. A backend supplies its
`Dialect` (placeholders, upsert, types, ordering), a connection whose `execute(sql, params)`
returns a DB-API cursor, and its own transaction control and error mapping.
"""
