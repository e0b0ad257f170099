"""`mobile-codex relay --config F` as a real process on a free loopback port, for tests of what only a
serving relay does (its listening line, its threads)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def relay_process(config: Path, user_dirs: dict[str, str], port: int) -> Iterator[subprocess.Popen]:
    """The relay serving `config` on 127.0.0.1:`port`, stopped by SIGTERM after (exit 0 asserted).
    Read its first stdout line to know it listens."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mobile_codex.cli.main", "relay", "--config", str(config), "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **user_dirs},
    )  # fmt: skip
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
