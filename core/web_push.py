"""What the relay and the Web Push notifier agree on: which endpoints may be sent to, and the VAPID key.

Both check an endpoint against `notifications.webPush.allowedHosts`: the relay when a device is
added (400 `invalid-field`), the notifier again before every send (the list may have shrunk since).
A user-supplied URL must never make the relay call an arbitrary address: https to a listed host
(`*.domain` matches its subdomains), or plain http only to a `http://host[:port]` listed as such.
"""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ENDPOINT_MAX = 2048  # bytes of an endpoint URL we accept


def b64url_decode(value: str) -> bytes:
    """base64url with or without padding; ValueError when it is not."""
    if not isinstance(value, str) or not value.isascii():
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def endpoint_host(endpoint: str, allowed_hosts: tuple[str, ...]) -> str | None:
    """The endpoint's host when the allowlist lets the relay POST to it, else None."""
    if not isinstance(endpoint, str) or len(endpoint.encode()) > ENDPOINT_MAX:
        return None
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not host or parts.username is not None or parts.password is not None or parts.fragment:
        return None
    for entry in allowed_hosts:
        entry = entry.lower()
        if entry.startswith("http://"):
            listed = urlsplit(entry)
            if parts.scheme == "http" and host == listed.hostname and (port or 80) == (listed.port or 80):
                return host
        elif parts.scheme == "https" and (host == entry or (entry.startswith("*.") and host.endswith(entry[1:]))):
            return host
    return None


def valid_device_keys(p256dh: str, auth: str) -> bool:
    """RFC 8291: `p256dh` an uncompressed P-256 point, `auth` a 16-byte secret (both base64url)."""
    try:
        point, secret = b64url_decode(p256dh), b64url_decode(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (ValueError, TypeError):
        return False
    return len(point) == 65 and len(secret) == 16


def vapid_private_key(raw: str) -> ec.EllipticCurvePrivateKey:
    """The relay's VAPID key from its config value (32 raw bytes, base64url)."""
    return ec.derive_private_key(int.from_bytes(b64url_decode(raw), "big"), ec.SECP256R1())


def vapid_public_key(raw: str) -> str:
    """The `applicationServerKey` a browser subscribes with: the uncompressed public point, base64url."""
    if not raw:
        return ""
    point = vapid_private_key(raw).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return b64url(point)


def new_vapid_private_key() -> str:
    """A fresh VAPID key for `init-relay`: rotating it invalidates every subscription."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))
