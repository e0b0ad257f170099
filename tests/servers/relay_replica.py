"""`mobile-codex relay --config F [--port P]` as a real process: a relay, or one replica of a relay
config (`--port`: several on one host), for crash, wake-up and proxy tests."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path


class RelayReplica:
    def __init__(self, config: Path, port: int | None = None, env: dict[str, str] | None = None):
        self.config = config
        self.env = env
        self.port = port
        self.upstream = f"127.0.0.1:{port}" if port else None
        listen = ["--port", str(port), "--host", "127.0.0.1"] if port else []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mobile_codex.cli.main", "relay", "--config", str(config), *listen],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})},
        )  # fmt: skip
        line = self.proc.stdout.readline()
        expected = f"relay listening on http://127.0.0.1:{port} " if port else "relay listening on "
        assert line.startswith(expected), line + self.proc.stderr.read()
        # Read what it says from now on (a relay logging through an outage would fill the pipe and stop).
        self.said: collections.deque[str] = collections.deque(maxlen=200)
        for stream in (self.proc.stdout, self.proc.stderr):
            threading.Thread(target=self.said.extend, args=(stream,), daemon=True).start()

    def again(self) -> RelayReplica:
        """A new process on the same config and port (a replica restarted)."""
        return RelayReplica(self.config, self.port, self.env)

    def kill(self) -> None:
        """SIGKILL: a replica that dies without a word."""
        self.stop(signal.SIGKILL)

    def stop(self, sig=signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(20)
