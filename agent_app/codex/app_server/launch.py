"""Starting a ready app-server for one thread: spawn it, then the handshake; stopped again on failure."""

from __future__ import annotations

from pathlib import Path

from ...errors import TaskFailed
from ..installation import Codex
from .handshake import handshake
from .process import AppServer
from .rpc import RpcError


def open_app_server(codex: Codex, *, cwd: Path, state_dir: Path, record: list | None = None) -> AppServer:
    """A server that has answered `initialize`; TaskFailed(`codex-crashed`) when it would not start."""
    binary = codex.require_binary()
    try:
        server = AppServer([binary, "app-server"], cwd=cwd, env=codex.env(), state_dir=state_dir, record=record)
    except OSError as err:
        raise TaskFailed("codex-not-installed", f"{binary}: {err.strerror}") from None
    try:
        handshake(server.rpc)
    except RpcError as err:
        tail = server.rpc.stderr_tail().strip()
        server.stop(grace=0)
        raise TaskFailed("codex-crashed", f"codex app-server did not start: {err}\n{tail}".strip()) from None
    return server
