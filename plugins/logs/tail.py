"""Reading the end of a file without reading the file: cost is bounded whatever its size."""

from __future__ import annotations

import os
from typing import BinaryIO

from mobile_codex.core.plugin_types import LogTail

MAX_TAIL_BYTES = 256 * 1024


def tail_lines(stream: BinaryIO, max_lines: int, max_bytes: int = MAX_TAIL_BYTES) -> LogTail:
    """The last `max_lines` lines among the last `max_bytes` bytes of a seekable binary stream."""
    size = stream.seek(0, os.SEEK_END)
    start = max(0, size - max_bytes)
    stream.seek(start)
    data = stream.read(max_bytes)
    if start > 0:
        # We probably landed mid-line (or mid-character): drop up to the first newline.
        # A single line longer than the window keeps its end rather than vanishing.
        newline = data.find(b"\n")
        if 0 <= newline < len(data) - 1:
            data = data[newline + 1 :]
    lines = data.decode("utf-8", errors="replace").splitlines()[-max_lines:]
    return LogTail(text="\n".join(lines) + ("\n" if lines else ""), line_count=len(lines))
