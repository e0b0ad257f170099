"""`mobile-codex agent` and `mobile-codex up` as real processes, their output read line by line."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AgentProcess:
    """`mobile-codex agent ...` with its stdout read line by line in a thread."""

    def __init__(self, user_dirs, *args, env=None, cwd=None):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mobile_codex.cli.main", "agent", *map(str, args)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, **user_dirs, **(env or {})}, cwd=cwd,
        )  # fmt: skip
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(l) for l in self.proc.stdout], daemon=True).start()

    def expect(self, pattern: str, timeout: float = 20) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r}; stderr: {self.stop_reading()}") from None
            found = re.search(pattern, line)
            if found:
                return found

    def stop_reading(self) -> str:
        if self.proc.poll() is None:
            self.proc.kill()
        return self.proc.stderr.read()

    def finish(self, timeout: float = 30) -> tuple[int, str]:
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            # what it was doing: the CLI writes every thread's stack to stderr on SIGUSR1 (cli/main.py)
            self.proc.send_signal(signal.SIGUSR1)
            time.sleep(2)
            raise AssertionError(f"still running {timeout} s after it was told to stop; stderr:\n{self.stop_reading()[-8000:]}") from None
        return code, self.proc.stderr.read()


def new_code(phone) -> str:
    """A fresh pairing code from the phone's session."""
    status, made = phone.post("/api/admin/pairings", {"note": "cli"})
    assert status == 201, made
    return made["pairingCode"]


def paired_and_polling(live, config_file, user_dirs) -> AgentProcess:
    """`mobile-codex agent --pair-code` with a code from the phone, approved; running and polling."""
    phone = live.phone()
    agent = AgentProcess(user_dirs, "--config", config_file, "--pair-code", new_code(phone))
    request_id = agent.expect(r"pair request (pairreq_[0-9a-f]+) sent")[1]
    status, body = phone.post(f"/api/admin/pair-requests/{request_id}/approve")
    assert status == 200, body
    agent.expect(r"paired as agent-1")
    agent.expect(r"connected to the relay")
    return agent


class UpProcess(AgentProcess):
    """`mobile-codex up ...`, read the same way (stderr merged into stdout on request)."""

    def __init__(self, user_dirs, *args, merge_stderr: bool = False):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mobile_codex.cli.main", "up", *map(str, args)], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE, text=True, env={**os.environ, **user_dirs},
        )  # fmt: skip
        self.lines = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(l) for l in self.proc.stdout], daemon=True).start()


def start_up(user_dirs, workspace, port) -> tuple[UpProcess, str]:
    """`up` running with its agent connected; returns it and the login code it printed."""
    up = UpProcess(user_dirs, "--workspace", workspace)
    code = up.expect(rf"http://localhost:{port}/#code=([A-Z2-9]{{4}}-[A-Z2-9]{{4}}-[A-Z2-9]{{4}})", timeout=30)[1]
    up.expect(r"agent: connected to the relay", timeout=30)
    return up, code


def stop(up: UpProcess) -> tuple[int, str]:
    """Ctrl-C, as a person stops `up`; its exit code and stderr."""
    up.proc.send_signal(signal.SIGINT)
    return up.finish(timeout=30)
