"""Confinement to workspaceRoot: every cwd the agent uses must resolve (symlinks resolved) inside it."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import TaskFailed


class Workspace:
    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    @property
    def name(self) -> str:
        return self.root.name or str(self.root)

    def contains(self, path: str | os.PathLike) -> bool:
        """True when `path`, with symlinks resolved, is the root or lies under it."""
        resolved = Path(path).resolve()
        return resolved == self.root or self.root in resolved.parents

    def resolve_dir(self, relative: str | None) -> Path:
        """A directory given relative to the root (or absolute), confined to the root.

        Raises TaskFailed("path-outside-workspace") for an escape by `..`, an absolute path or a
        symlink, and for a path that is not an existing directory.
        """
        candidate = (self.root / (relative or ".")).resolve()
        if not self.contains(candidate):
            raise TaskFailed("path-outside-workspace", f"{relative} is outside the workspace")
        if not candidate.is_dir():
            raise TaskFailed("path-outside-workspace", f"{relative} is not a directory in the workspace")
        return candidate

    def relative(self, path: str | os.PathLike) -> str:
        """`path` relative to the root ("." for the root itself); the path as given if outside."""
        try:
            rel = Path(path).resolve().relative_to(self.root)
        except ValueError:
            return str(path)
        return rel.as_posix() or "."
