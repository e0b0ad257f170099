"""The sandboxed child-process runner: own process group, bounded time, killable as a whole.

Every program the agent or a plugin starts (an action, `codex`, `journalctl`) runs through
`run`. The child starts a new session (so its group is its own), reads /dev/null, and gets only
the environment it is given (build it with `child_env.child_environment`). Output is read in
pieces of at most MAX_LINE_BYTES and stderr is kept as a tail of STDERR_TAIL_BYTES, so a chatty
child costs bounded memory. A watchdog kills the whole tree — the group, and any descendant that
left it — at the timeout or on cancel. When the child exits, whatever it left running in its
group is killed too: nothing of a task outlives the task.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable, Sequence

import attrs

MAX_LINE_BYTES = 64 * 1024  # one read of output; longer lines arrive in pieces
STDERR_TAIL_BYTES = 8192
WATCH_STEP_SEC = 0.05


@attrs.frozen(kw_only=True)
class Outcome:
    exit_code: int | None  # None when ended by a signal
    signal: str | None  # e.g. "SIGKILL"
    timed_out: bool = False
    canceled: bool = False
    stderr_tail: str = ""


def descendants(pid: int) -> list[int]:
    """Every live descendant of `pid`, read from /proc (empty where /proc is not there)."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(leader: int) -> None:
    """SIGKILL the process group led by `leader` and every descendant, wherever its group."""
    stragglers = descendants(leader)
    for action in (lambda: os.killpg(leader, signal.SIGKILL), *(lambda p=p: os.kill(p, signal.SIGKILL) for p in stragglers)):
        try:
            action()
        except (ProcessLookupError, PermissionError):
            pass


class Child:
    """One spawned process: stdout as lines; stderr merged or kept as a short tail."""

    def __init__(self, argv: Sequence[str], *, cwd: Path, env: dict[str, str], merge_stderr: bool = True):
        self._proc = subprocess.Popen(
            list(argv), cwd=str(cwd), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        self.pid = self._proc.pid
        self._stderr = bytearray()
        self._stderr_reader = None
        if not merge_stderr:
            self._stderr_reader = threading.Thread(target=self._drain_stderr, daemon=True)
            self._stderr_reader.start()

    def _drain_stderr(self) -> None:
        for chunk in iter(lambda: self._proc.stderr.read(4096), b""):
            self._stderr += chunk
            del self._stderr[:-STDERR_TAIL_BYTES]

    def lines(self):
        """Output as text lines (a line longer than MAX_LINE_BYTES comes in pieces)."""
        for raw in iter(lambda: self._proc.stdout.readline(MAX_LINE_BYTES), b""):
            yield raw.decode("utf-8", "replace")

    def wait_then_clean(self) -> int:
        """Wait for the child to exit, kill what it left in its group, then reap it.

        Waiting without reaping (WNOWAIT) keeps the group id from being reused while we kill it.
        """
        try:
            os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)
        except ChildProcessError:
            pass
        kill_tree(self.pid)
        code = self._proc.wait()
        self._proc.stdout.close()
        if self._stderr_reader:
            self._stderr_reader.join(timeout=5)
            self._proc.stderr.close()
        return code

    def stderr_tail(self) -> str:
        return bytes(self._stderr).decode("utf-8", "replace")

    def exited(self) -> bool:
        """True once the child has exited (it stays unreaped until wait_then_clean)."""
        try:
            info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT | os.WNOHANG)
        except ChildProcessError:
            return True
        return info is not None

    def kill(self) -> None:
        if self._proc.returncode is None:  # never signal a reaped (reusable) pid
            kill_tree(self.pid)


def run(
    argv: Sequence[str], *, cwd: Path, env: dict[str, str], on_line: Callable[[str], None],
    timeout_sec: float | None = None, cancel: threading.Event | None = None, merge_stderr: bool = True,
) -> Outcome:  # fmt: skip
    """Run `argv` to the end (or its timeout, or `cancel`), handing each output line to `on_line`.

    Raises FileNotFoundError / PermissionError when the program cannot be started. If `on_line`
    raises, the tree is killed and the exception propagates.
    """
    child = Child(argv, cwd=cwd, env=env, merge_stderr=merge_stderr)
    cancel = cancel or threading.Event()
    reading_done = threading.Event()
    why: dict[str, bool] = {}
    deadline = None if timeout_sec is None else time.monotonic() + timeout_sec

    def watchdog() -> None:
        # Kill the tree when canceled or out of time; once the child itself has exited, kill
        # what it left behind so a background grandchild holding the pipe cannot keep us waiting.
        while not reading_done.wait(WATCH_STEP_SEC):
            if cancel.is_set():
                why["canceled"] = True
            elif deadline is not None and time.monotonic() >= deadline:
                why["timed_out"] = True
            elif not child.exited():
                continue
            child.kill()
            return

    guard = threading.Thread(target=watchdog, daemon=True)
    guard.start()
    try:
        for line in child.lines():
            on_line(line)
    except BaseException:
        child.kill()
        raise
    finally:
        reading_done.set()
        guard.join()
        code = child.wait_then_clean()
    return Outcome(
        exit_code=code if code >= 0 else None,
        signal=signal.Signals(-code).name if code < 0 else None,
        timed_out=why.get("timed_out", False),
        canceled=why.get("canceled", False),
        stderr_tail=child.stderr_tail(),
    )
