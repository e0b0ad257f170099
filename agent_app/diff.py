"""What a write run changed: a snapshot when it starts, a diff against it when it ends.

The snapshot is a git tree written into a *temporary* git directory with the run's directory
as its work tree, so the workspace's own repository — its index, its objects, its refs — is never
touched, earlier uncommitted changes are part of the snapshot (not of the run's diff), and new
untracked files show up as additions. `.gitignore` files in the work tree are honoured.
At most one write run per workspace at a time (`WriteLocks`).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from mobile_codex.core.text import utf8_size

from .errors import TaskFailed
from .redaction import clamp_head_words

GIT_TIMEOUT_SEC = 300
MAX_DIFF_BYTES = 20000  # API.md: diffText <= 20000 B


class SnapshotUnavailable(Exception):
    """git is missing or failed; the run goes on without a diff."""


class Snapshot:
    def __init__(self, work_tree: Path, git_dir: Path, tree: str):
        self.work_tree = work_tree
        self._git_dir = git_dir
        self.tree = tree

    @classmethod
    def take(cls, work_tree: Path) -> "Snapshot":
        git_dir = Path(tempfile.mkdtemp(prefix="mobile-codex-snapshot-"))
        try:
            _git(work_tree, git_dir, "init", "--quiet")
            return cls(work_tree, git_dir, _tree_of(work_tree, git_dir))
        except BaseException:
            shutil.rmtree(git_dir, ignore_errors=True)
            raise

    def diff(self) -> str:
        """The unified diff from the snapshot to the work tree as it is now (capped)."""
        now = _tree_of(self.work_tree, self._git_dir)
        text = _git(self.work_tree, self._git_dir, "diff", "--no-color", "--no-ext-diff", "--no-renames", self.tree, now)
        if utf8_size(text) > MAX_DIFF_BYTES:
            note = "\n[diff truncated]\n"
            text = clamp_head_words(text, MAX_DIFF_BYTES - len(note)) + note  # no cut token: it could slip the filter
        return text

    def close(self) -> None:
        shutil.rmtree(self._git_dir, ignore_errors=True)


def _tree_of(work_tree: Path, git_dir: Path) -> str:
    _git(work_tree, git_dir, "add", "--all", "--ignore-errors", "--", ".", check=False)
    return _git(work_tree, git_dir, "write-tree").strip()


def _git(work_tree: Path, git_dir: Path, *args: str, check: bool = True) -> str:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(git_dir),  # no user config, hooks or credential helpers
        "GIT_DIR": str(git_dir), "GIT_WORK_TREE": str(work_tree), "GIT_INDEX_FILE": str(git_dir / "snapshot-index"),
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_OPTIONAL_LOCKS": "0",
        "LC_ALL": "C",
    }  # fmt: skip
    if args[0] == "init":
        del env["GIT_WORK_TREE"]  # git refuses a work tree while it creates the directory
    options = ["-c", "core.autocrlf=false", "-c", "core.safecrlf=false", "-c", "core.quotepath=false"]
    exclude = work_tree / ".git" / "info" / "exclude"
    if exclude.is_file():
        options += ["-c", f"core.excludesFile={exclude}"]
    try:
        done = subprocess.run(
            ["git", *options, *args], cwd=str(work_tree), env=env, stdin=subprocess.DEVNULL, capture_output=True,
            timeout=GIT_TIMEOUT_SEC,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as err:
        raise SnapshotUnavailable(f"git: {err}") from None
    if check and done.returncode != 0:
        raise SnapshotUnavailable(f"git {args[0]}: {done.stderr.decode('utf-8', 'replace').strip()[:300]}")
    return done.stdout.decode("utf-8", "replace")


class WriteLocks:
    """One write run per workspace; a second one fails at once with `write-run-in-progress`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy: set[Path] = set()

    @contextmanager
    def hold(self, workspace_root: Path):
        key = Path(workspace_root).resolve()
        with self._lock:
            if key in self._busy:
                raise TaskFailed("write-run-in-progress", "another write run is going on in this workspace")
            self._busy.add(key)
        try:
            yield
        finally:
            with self._lock:
                self._busy.discard(key)


WRITE_LOCKS = WriteLocks()  # per process: every agent in it shares the workspaces it writes to
