"""One `codex app-server` process: its own process group, the agent's allowlisted environment.

The npm `codex` is a Node wrapper around a native binary, and approved commands run under
bubblewrap in sessions of their own: stopping the wrapper alone leaves the server (and a thread
"with an active writer") behind. So a server is stopped by closing its stdin, waiting a little,
then killing its group and every descendant (`child_process.kill_tree`).

Each running server has a pid file in `<stateDir>/app-servers/`, removed when it is stopped. An
agent killed with SIGKILL cannot stop its servers; the next agent start finds their files and
stops whatever still runs under those pids (the process start time is recorded, so a reused pid
is never killed); when the wrapper itself is gone, the members of its process group that are an
`app-server` (the native server) are stopped.
"""

from __future__ import annotations

import logging
import os
import subprocess
import time
from pathlib import Path
from typing import Sequence

from mobile_codex.core.child_process import kill_tree

from .rpc import RpcConnection

log = logging.getLogger("mobile_codex.agent")

STOP_GRACE_SEC = 2.0
PID_DIR = "app-servers"


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc/PID/stat field 22), None when gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return None


class AppServer:
    """A started server; `rpc` talks to it. `stop()` is safe to call more than once."""

    def __init__(self, argv: Sequence[str], *, cwd: Path, env: dict[str, str], state_dir: Path, record: list | None = None):
        self._proc = subprocess.Popen(
            list(argv), cwd=str(cwd), env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True,
        )  # fmt: skip
        self.pid = self._proc.pid
        self._pid_file = _write_pid_file(state_dir, self.pid)
        self.rpc = RpcConnection(self._proc.stdin, self._proc.stdout, self._proc.stderr, record=record)

    def exited(self) -> bool:
        return self._proc.returncode is not None or self._exited_unreaped()

    def _exited_unreaped(self) -> bool:
        """Exited, but left unreaped (WNOWAIT) so its group id cannot be reused before we kill the group."""
        try:
            return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is not None
        except ChildProcessError:
            return True

    def stop(self, *, grace: float = STOP_GRACE_SEC) -> None:
        """Close stdin, wait up to `grace` s for the server to leave, then kill its whole tree."""
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        deadline = time.monotonic() + grace
        while not self._exited_unreaped() and time.monotonic() < deadline:
            time.sleep(0.02)
        self.kill()

    def kill(self) -> None:
        """Kill the group and every descendant (commands under bwrap too), then reap the server."""
        if self._proc.returncode is None:
            kill_tree(self.pid)
            self._proc.wait()
        if self._pid_file is not None:
            self._pid_file.unlink(missing_ok=True)
            self._pid_file = None


def _write_pid_file(state_dir: Path, pid: int) -> Path | None:
    folder = Path(state_dir) / PID_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{pid}.pid"
        path.write_text(f"{pid} {_start_time(pid) or ''}\n", encoding="ascii")
        return path
    except OSError:
        log.warning("cannot write the app-server pid file in %s; a leftover server would not be found", folder)
        return None


def _group_members(pgid: int, marker: str) -> list[int]:
    """Live processes of group `pgid` whose command line has `marker` (a group id is not reused while it has members)."""
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and marker.encode() in command and fields[0] != b"Z":
            found.append(int(entry))
    return found


def stop_leftovers(state_dir: Path) -> list[int]:
    """Kill servers a previous agent left running (their pid files); returns the pids killed."""
    folder = Path(state_dir) / PID_DIR
    killed = []
    try:
        files = list(folder.glob("*.pid"))
    except OSError:
        return killed
    for path in files:
        try:
            pid_text, _, started = path.read_text(encoding="ascii").strip().partition(" ")
            pid = int(pid_text)
        except (OSError, ValueError):
            path.unlink(missing_ok=True)
            continue
        if pid > 1 and started and _start_time(pid) == started:
            kill_tree(pid)
            killed.append(pid)
        elif pid > 1:  # the wrapper is gone; the native server may still run in its group
            members = _group_members(pid, "app-server")
            for member in members:
                kill_tree(member)  # what it started in sessions of its own (commands under bwrap)
            if members:
                kill_tree(pid)  # the group itself: it has live members, so its id is still ours
                killed.extend(members)
        path.unlink(missing_ok=True)
    if killed:
        log.info("stopped %d codex app-server process(es) left by an earlier agent", len(killed))
    return killed
