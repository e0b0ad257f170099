"""Who is asking: the socket peer, or the right-most untrusted X-Forwarded-For entry when the
peer is a trusted proxy (the relay config's `trustedProxies`)."""

from __future__ import annotations

import ipaddress
from typing import Iterable


def _trusted(address: str, networks: Iterable) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, forwarded_for: str | None, trusted_proxies: tuple) -> str:
    if not trusted_proxies or not forwarded_for or not _trusted(peer, trusted_proxies):
        return peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        if not _trusted(hop, trusted_proxies):
            return hop
    return peer  # every hop is one of ours
