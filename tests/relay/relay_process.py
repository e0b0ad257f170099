"""A `mobile-codex relay` subprocess for tests that need real relay processes (replicas)."""

from __future__ import annotations

import signal
import subprocess
import sys


class RelayProcess:
    def __init__(self, config_path, env):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mobile_codex.cli.main", "relay", "--config", str(config_path)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        line = self.proc.stdout.readline()
        assert "relay listening" in line, line + self.proc.stderr.read()

    def stop(self, sig=signal.SIGTERM) -> None:
        self.proc.send_signal(sig)
        self.proc.wait(20)
