"""The keys of `storage` beside `backend: "postgres"`, and the password they point at.

The password is never taken from the config file itself (a file that is backed up, diffed and
pasted into bug reports): a DSN holding one is refused, and `passwordEnv` or `passwordFile` name
where it is instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs
import psycopg.conninfo

from mobile_codex.core.config.schema import integer, path, setting, string
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
        if self.password_env:
            value = os.environ.get(self.password_env)
            if value is None:
                raise StorageError(f"storage.passwordEnv: the environment variable {self.password_env} is not set")
            return value
        if self.password_file is not None:
            try:
                return self.password_file.read_text(encoding="utf-8").splitlines()[0]
            except (OSError, IndexError) as exc:
                raise StorageError(f"storage.passwordFile: cannot read a password from {self.password_file}: {exc}") from None
        return None
