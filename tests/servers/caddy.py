"""A real Caddy on loopback in front of several relay replicas, as `scaffold-production --replicas`
deploys them: round robin, a request that finds a replica dead tried on another, active health
checks on /api/ready. Plain http (no certificates in tests) and `admin off`, so several Caddy
instances in one run do not fight over the admin endpoint; bound to 127.0.0.1 only. Each answer
names the replica that gave it (`X-Upstream`), so a test can show its requests reached both."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.waiting import wait_until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def caddy_binary() -> str:
    found = shutil.which("caddy")
    if found is None:
        pytest.fail("`caddy` is missing: bash .ci/test installs it (Debian package caddy)")
    return found


def caddyfile(port: int, upstreams: list[str], *, health_interval: str = "1s") -> str:
    return f"""{{
\tadmin off
\tauto_https off
}}

http://localhost:{port} {{
\tbind 127.0.0.1
\treverse_proxy {" ".join(upstreams)} {{
\t\tlb_policy round_robin
\t\tlb_try_duration 10s
\t\thealth_uri /api/ready
\t\thealth_interval {health_interval}
\t\theader_down X-Upstream {{http.reverse_proxy.upstream.hostport}}
\t}}
}}
"""


class CaddyProxy:
    """`caddy run` with a generated Caddyfile; `origin` is what phones and agents use."""

    def __init__(self, directory: Path, upstreams: list[str], *, port: int | None = None):
        directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.origin = f"http://localhost:{self.port}"
        config = directory / "Caddyfile"
        config.write_text(caddyfile(self.port, upstreams))
        env = {**os.environ, "XDG_DATA_HOME": str(directory / "data"), "XDG_CONFIG_HOME": str(directory / "config"),
               "HOME": str(directory)}  # fmt: skip
        self.log = (directory / "caddy.log").open("w")
        self.proc = subprocess.Popen([caddy_binary(), "run", "--config", str(config), "--adapter", "caddyfile"],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)  # fmt: skip
        wait_until(self._listening, timeout=30, what=f"caddy listening on {self.port} (log: {directory / 'caddy.log'})")

    def _listening(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"caddy exited with {self.proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
            return False

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()
