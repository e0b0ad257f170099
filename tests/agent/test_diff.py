"""Write-run snapshots and the one-write-run-per-workspace rule."""

from __future__ import annotations

import pytest

from mobile_codex.agent_app.diff import Snapshot, WriteLocks
from mobile_codex.agent_app.errors import TaskFailed

from .stack import git, git_workspace


def test_diff_is_relative_to_the_snapshot_and_includes_new_files(tmp_path):
    root = git_workspace(tmp_path / "ws")
    (root / "tracked.txt").write_text("line one\nuncommitted before\n")
    (root / ".gitignore").write_text("*.log\n")
    index = (root / ".git" / "index").read_bytes()
    snapshot = Snapshot.take(root)
    try:
        (root / "tracked.txt").write_text("line one\nuncommitted before\nby the run\n")
        (root / "fresh.txt").write_text("fresh\n")
        (root / "noise.log").write_text("ignored\n")
        diff = snapshot.diff()
    finally:
        snapshot.close()
    assert "+by the run" in diff and "+fresh" in diff and "new file mode" in diff
    assert "+uncommitted before" not in diff and "noise.log" not in diff
    assert (root / ".git" / "index").read_bytes() == index
    assert git(root, "log", "--oneline").count("\n") == 1  # no commit, no ref touched


def test_a_plain_directory_works_too(tmp_path):
    root = tmp_path / "plain"
    root.mkdir()
    (root / "a.txt").write_text("a\n")
    snapshot = Snapshot.take(root)
    (root / "a.txt").unlink()
    assert "-a" in snapshot.diff() and "deleted file mode" in snapshot.diff()
    snapshot.close()
    assert not (root / ".git").exists()


def test_one_write_run_per_workspace(tmp_path):
    locks = WriteLocks()
    with locks.hold(tmp_path):
        with pytest.raises(TaskFailed) as caught:
            with locks.hold(tmp_path / "." ):
                pass
        assert caught.value.code == "write-run-in-progress"
        with locks.hold(tmp_path / "other"):  # another workspace is free
            pass
    with locks.hold(tmp_path):  # released
        pass
