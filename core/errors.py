"""Exceptions that cross module boundaries.

Each carries enough to print one clear line; none of them is ever shown as a traceback.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class ConfigIssue:
    """One invalid key in one config file."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}"


class ConfigError(Exception):
    """A config file failed validation; `issues` lists every invalid key found."""

    def __init__(self, issues: list[ConfigIssue]):
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


class PluginSectionsInvalid(ConfigError):
    """Only sections the plugins check are invalid. `config` is the file with the core's keys
    checked and those sections as written (`check` still warns about the core's keys)."""

    def __init__(self, issues: list[ConfigIssue], config: object):
        super().__init__(issues)
        self.config = config


class PluginError(Exception):
    """Plugin loading failed (duplicate ids, bad hook implementations, bad declarations)."""


class StorageError(Exception):
    """The storage backend cannot be opened or used (unknown backend, corrupt file, locked)."""


class StorageUnavailable(StorageError):
    """The storage cannot be reached right now (database down, no connection within the timeout).

    Transient, unlike its parent: the relay answers 503 `storage-unavailable` and recovers by itself
    once the database is back.
    """


class VolatileStoreUnavailable(Exception):
    """The shared volatile store cannot be reached now (Redis down); the relay answers 503
    `volatile-store-unavailable` and tries again on the next request."""


class VolatileStoreRefused(Exception):
    """The configured volatile store must not be used: it could write task text to disk, or it
    is not there at all when the relay starts."""
