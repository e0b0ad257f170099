"""`mobile-codex relay --config F --port P` as a real process: one replica of a relay config."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


class RelayReplica:
    def __init__(self, config: Path, port: int, env: dict[str, str] | None = None):
        self.port = port
        self.upstream = f"127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mobile_codex.cli.main", "relay", "--config", str(config), "--port", str(port), "--host", "127.0.0.1"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})},
        )  # fmt: skip
        line = self.proc.stdout.readline()
        assert line.startswith(f"relay listening on http://127.0.0.1:{port} "), line + self.proc.stderr.read()

    def kill(self) -> None:
        """SIGKILL: a replica that dies without a word."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(20)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(20)
