"""Saying hello to a fresh app-server: `initialize` (who we are), then the `initialized` notification."""

from __future__ import annotations

from importlib import metadata

from .rpc import RpcConnection


def _our_version() -> str:
    try:
        return metadata.version("mobile-codex")
    except metadata.PackageNotFoundError:
        return "0"


HANDSHAKE_TIMEOUT_SEC = 30.0
CLIENT_NAME = "mobile_codex"


def handshake(rpc: RpcConnection, *, timeout: float = HANDSHAKE_TIMEOUT_SEC) -> dict:
    """The server's `initialize` result, once it is ready for thread and turn requests."""
    result = rpc.request(
        "initialize",
        {"clientInfo": {"name": CLIENT_NAME, "title": "Mobile Codex", "version": _our_version()}, "capabilities": {}},
        timeout=timeout,
    )
    rpc.notify("initialized")
    return result if isinstance(result, dict) else {}
