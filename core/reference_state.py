"""The reference's `state.json` (version 4): parse it into a `State`, write a `State` back.

In the core because two sides need it: the `json` storage backend (plugins/storage/json_state/)
keeps its store in this format, and the relay's `import-state` reads a reference file with it.

Layout, as the reference writes it:

    {"version": 4, "createdAt": ..., "users": {id: user}, "workspaces": {...}, "memberships",
     "invitations", "recoveryCodes", "pairings", "pairRequests", "agents", "tasks",
     "auth": {"bootstrapUserId", "adminUserIds", "passkeys": [...], "sessions": [...]}}

Our record kinds the reference lacks (`loginCodes`) are top-level objects in the same style, and
our extra fields sit beside the reference's in each record. Records pass through
`record_codec` on the way in, so unknown keys and volatile task text never come back out.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

import attrs

from mobile_codex.core.errors import StorageError
from mobile_codex.core.record_codec import dict_key, record_from_dict, record_to_dict, to_camel
from mobile_codex.core.records import TABLES, RelayMeta

VERSION = 4
AUTH_LISTS = ("passkeys", "sessions")  # tables the reference keeps as lists inside "auth"
TEMP_SUFFIX = ".tmp"  # a temp file beside `path` is `.<name>.<random>.tmp`


@attrs.frozen
class State:
    """Committed contents. Never mutated in place: a commit builds a new `State`, so a reader
    holding the old one keeps a consistent snapshot without any lock."""

    created_at: str
    tables: Mapping[str, Mapping[object, dict]]  # table -> key (as `key_of` gives it) -> camelCase record dict
    meta: Mapping[str, object]  # camelCase RelayMeta


def empty_state(created_at: str) -> State:
    return State(
        created_at=created_at,
        tables={name: {} for name in TABLES},
        meta=record_to_dict(RelayMeta()),
    )


def load_state(path: Path, *, created_at: str) -> State:
    """Parse `path`; a missing or blank file is an empty store created at `created_at`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return empty_state(created_at)
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc}") from exc
    if not raw.strip():
        return empty_state(created_at)
    try:
        document = json.loads(raw)
    except ValueError as exc:
        raise StorageError(f"{path} is not valid JSON ({exc}); it was left untouched") from exc
    if not isinstance(document, dict):
        raise StorageError(f"{path} does not hold a JSON object; it was left untouched")
    if document.get("version") != VERSION:
        raise StorageError(
            f"{path} has version {document.get('version')!r}, but only state.json version {VERSION} "
            "(Mobile-Codex 0.1) can be read; it was left untouched"
        )
    auth = _section(path, document, "auth", dict)
    tables = {}
    for name, cls in TABLES.items():
        if name in AUTH_LISTS:
            items: Iterable = enumerate(_section(path, auth, name, list))
            where = f"auth.{name}"
        else:
            where = to_camel(name)
            items = _section(path, document, where, dict).items()
        tables[name] = _read_records(path, where, cls, items)
    stamp = document.get("createdAt")
    return State(
        created_at=stamp if isinstance(stamp, str) else created_at,
        tables=tables,
        meta=_normalised(path, "auth", RelayMeta, auth),  # ignores auth's passkeys/sessions
    )


def _section(path: Path, parent: Mapping, key: str, kind: type) -> object:
    value = parent.get(key)
    if value is None:
        return kind()
    if not isinstance(value, kind):
        raise StorageError(f"{path}: {key} must be a JSON {'object' if kind is dict else 'array'}")
    return value


def _read_records(path: Path, where: str, cls: type, items: Iterable[tuple[object, object]]) -> dict[str, dict]:
    records = {}
    for index, item in items:
        if not isinstance(item, dict):
            raise StorageError(f"{path}: {where}[{index!r}] is not a JSON object")
        record = _normalised(path, f"{where}[{index!r}]", cls, item)
        records[dict_key(cls, record)] = record
    return records


def _normalised(path: Path, where: str, cls: type, item: Mapping) -> dict:
    """The item as the camelCase dict of a valid record: defaults filled, extras dropped."""
    try:
        return record_to_dict(record_from_dict(cls, item))
    except (TypeError, ValueError) as exc:
        raise StorageError(f"{path}: {where}: {exc}") from exc


def to_document(state: State) -> dict:
    """The state.json v4 document for `state`."""
    document: dict[str, object] = {"version": VERSION, "createdAt": state.created_at}
    for name, cls in TABLES.items():
        if name not in AUTH_LISTS:
            document[to_camel(name)] = _keyed_by_id(cls, state.tables[name])
    document["auth"] = {
        **state.meta,
        **{name: list(state.tables[name].values()) for name in AUTH_LISTS},
    }
    return document


def _keyed_by_id(cls: type, rows: Mapping) -> dict[str, dict]:
    """A table as the document holds it: keyed by the record's id, as the reference keys it.

    A compound key (an agent's workspace and id) is written as its last part, the id, so a file
    whose ids are all distinct keeps the reference's layout; an id several workspaces share (which
    the reference cannot have) is written as `workspace/id` for each of them. Readers take the
    key from the record, never from the document's key.
    """
    if isinstance(cls.KEY, str):
        return dict(rows)
    shared = Counter(key[-1] for key in rows)
    return {(key[-1] if shared[key[-1]] == 1 else "/".join(key)): row for key, row in rows.items()}


def write_state(path: Path, state: State) -> None:
    """Replace `path` atomically: a 0600 temp file in the same dir, fsync, rename, fsync the dir."""
    data = (json.dumps(to_document(state), indent=2, ensure_ascii=False) + "\n").encode()
    fd, temp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)  # makes the rename itself durable
    finally:
        os.close(dir_fd)


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def remove_stale_temp_files(path: Path) -> None:
    """Delete the temp files a killed writer of `path` left behind (call only while holding its lock)."""
    for stale in path.parent.glob(f"{glob.escape(_temp_prefix(path))}*{TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
