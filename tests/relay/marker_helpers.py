"""Searching data files for task text: markers (ASCII and not) put in prompts and output, and the
files under a directory (a relay's data dir, or a whole PostgreSQL cluster, WAL included) that hold one."""

from __future__ import annotations

from pathlib import Path

MARKERS = ("PROMPT-MARK", "OUTPUT-MARK", "Grüße-✓-提示", "出力-Ausgabe")


def data_files_hold_markers(data_dir: Path, markers=MARKERS, *, since: float | None = None) -> list[tuple[str, str]]:
    """(file, marker) for every marker in any file under `data_dir`, in UTF-8 or UTF-16-LE.
    `since` (a time.time()): only files written since then (a test's own writes, in a cluster
    that a whole run's other tests filled)."""
    found = []
    for path in sorted(data_dir.rglob("*")):
        try:
            if not path.is_file() or (since is not None and path.stat().st_mtime < since):
                continue
            data = path.read_bytes()
        except FileNotFoundError:
            continue  # a live cluster removed it since the listing
        found += [(path.name, m) for m in markers if m.encode() in data or m.encode("utf-16-le") in data]
    return found
