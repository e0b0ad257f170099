"""The keys of `storage` beside `backend: "postgres"`, and the password they point at.

The password is never taken from the config file itself (a file that is backed up, diffed and
pasted into bug reports): a DSN holding one is refused, and `passwordEnv` or `passwordFile` name
where it is instead.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import psycopg.conninfo
from mobile_codex.core.config.schema import integer, path, setting, string
from mobile_codex.core.config.secrets import read_secret
from mobile_codex.core.errors import StorageError


@attrs.frozen(kw_only=True)
class PostgresSettings:
    dsn: str = setting(parse=string(non_empty=True))  # libpq URI or key=value string, without a password
    password_env: str = setting("", string())  # name of an environment variable holding the password
    password_file: Path | None = setting(None, path())  # a file whose first line is the password
    pool_size: int = setting(10, integer(1, 1000))  # connections this relay keeps at most
    connect_timeout_ms: int = setting(5000, integer(500, 600000))  # no connection by then: 503
    statement_timeout_ms: int = setting(30000, integer(100, 3600000))

    @staticmethod
    def finish(values, ctx, **_):
        issues = []
        try:
            parsed = psycopg.conninfo.conninfo_to_dict(values.get("dsn", ""))
        except psycopg.ProgrammingError:
            return [("dsn", "not a PostgreSQL connection string (a postgresql:// URI or key=value pairs)")]
        if parsed.get("password"):
            issues.append(("dsn", "holds a password: put it in passwordEnv or passwordFile instead"))
        if values.get("password_env") and values.get("password_file"):
            issues.append(("passwordFile", "set passwordEnv or passwordFile, not both"))
        return issues

    def password(self) -> str | None:
        """The password from the variable or file named; None when neither is set."""
        try:
            return read_secret("storage", self.password_env, self.password_file)
        except ValueError as err:
            raise StorageError(str(err)) from None
