"""An ephemeral Redis for the tests: our own `redis-server`, never one found running.

Started without persistence (`--save '' --appendonly no`) on a free loopback port, its working
directory a temp dir, and stopped afterwards. A missing `redis-server` fails the test that needs
it (`.ci/test` installs it); nothing is skipped.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import redis

from tests.waiting import wait_until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """One redis-server process; `extra` adds arguments (a test that wants persistence on)."""

    def __init__(self, *extra: str):
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (bash .ci/test installs it)"
        self.dir = Path(tempfile.mkdtemp(prefix="mc-redis-"))
        self.port = free_port()
        self.args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                     "--dir", str(self.dir), "--protected-mode", "yes", *extra]  # fmt: skip
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        try:
            wait_until(lambda: self._pong(client), timeout=15, what="redis-server answering PING")
        finally:
            client.close()

    def _pong(self, client) -> bool:
        assert self.process.poll() is None, f"redis-server exited with {self.process.returncode}"
        try:
            return bool(client.ping())
        except (redis.AuthenticationError, redis.ResponseError):
            return True  # up, and asking for the password it was started with
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def flush(self) -> None:
        client = redis.Redis(port=self.port)
        try:
            client.flushall()
        finally:
            client.close()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
