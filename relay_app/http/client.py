"""Who is asking: the socket peer, or the right-most untrusted X-Forwarded-For entry when the
peer is a trusted proxy (the relay config's `trustedProxies`); and whose budget that spends."""

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


# One IPv6 subscriber usually gets a whole /64 and may pick any address in it, so a budget per
# address would be one per guess. IPv6 clients share the budget of their /64, as IPv4 clients
# have one per address.
IPV6_BUDGET_PREFIX = 64


def rate_limit_client(address: str) -> str:
    """The client a rate-limit bucket counts: the address, or its /64 for IPv6."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # not an address (a test client, a unix socket): counted as given
    if ip.version == 4:
        return address
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)  # ::ffff:a.b.c.d is the IPv4 client a.b.c.d
    return str(ipaddress.IPv6Network((int(ip), IPV6_BUDGET_PREFIX), strict=False))  # any %zone dropped
