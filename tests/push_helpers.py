"""Web Push test helpers: device keys a test makes, and a push service on loopback that checks what it gets.

The push service is a real HTTP server (127.0.0.1, a port of its own). For each POST it verifies the
VAPID `Authorization: vapid t=<JWT>, k=<key>` header as a browser vendor's service would — the JWT's
`aud` is the endpoint's origin, `exp` is in the future, its ES256 signature verifies with `k`, and `k`
is the relay's public key — then decrypts the aes128gcm body with the device's private key and auth
secret (http_ece), and keeps the JSON payload. A test can make it answer a status (410, 429 ...) or
hold requests unanswered.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import attrs
import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@attrs.define
class DeviceKeys:
    """What a browser keeps for one subscription: its private key and auth secret."""

    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls) -> "DeviceKeys":
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))

    def subscription(self, endpoint: str, label: str = "Phone") -> dict:
        """The body of POST /api/admin/notifications/devices, as PushSubscription.toJSON() gives it."""
        return {"endpoint": endpoint, "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}, "label": label}


@attrs.define
class Received:
    path: str
    payload: dict
    headers: dict  # lowercased names
    at: float  # time.monotonic() when it arrived


class VapidProblem(Exception):
    pass


def check_vapid(header: str, origin: str, public_key: str) -> dict:
    """The JWT claims of a valid `vapid t=..., k=...` header for `origin`, signed by `public_key`."""
    if not header.startswith("vapid "):
        raise VapidProblem(f"not a vapid Authorization: {header!r}")
    parts = dict(part.strip().split("=", 1) for part in header[len("vapid "):].split(","))
    if parts.get("k") != public_key:
        raise VapidProblem("k is not the relay's public key")
    head, body, signature = parts["t"].split(".")
    if json.loads(unb64url(head)) != {"typ": "JWT", "alg": "ES256"}:
        raise VapidProblem(f"JWT header {unb64url(head)!r}")
    raw = unb64url(signature)
    if len(raw) != 64:
        raise VapidProblem("ES256 signatures are 64 bytes (r || s)")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(public_key))
    try:
        key.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise VapidProblem("bad signature") from exc
    claims = json.loads(unb64url(body))
    if claims.get("aud") != origin:
        raise VapidProblem(f"aud {claims.get('aud')!r} is not {origin!r}")
    if not claims.get("exp", 0) > time.time():
        raise VapidProblem("expired")
    return claims


class PushService:
    """The loopback push service. `devices[path] = DeviceKeys`; `answer` is the status it replies."""

    def __init__(self, relay_public_key: str):
        self.relay_public_key = relay_public_key
        self.devices: dict[str, DeviceKeys] = {}
        self.received: list[Received] = []
        self.problems: list[str] = []
        self.answers: list[int] = []  # statuses to answer next, in order; then 201
        self.hits: list[str] = []  # every path POSTed to, answered or not
        self.hold = threading.Event()  # set: requests are held unanswered until released
        self.released = threading.Event()
        self.lock = threading.Condition()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with service.lock:
                    service.hits.append(self.path)
                if service.hold.is_set():
                    service.released.wait(60)
                    return
                with service.lock:
                    status = service.answers.pop(0) if service.answers else 201
                if status == 201:
                    service.take(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def endpoint(self, name: str, keys: DeviceKeys) -> str:
        self.devices[f"/push/{name}"] = keys
        return f"{self.origin}/push/{name}"

    def take(self, path: str, headers: dict, body: bytes) -> None:
        try:
            check_vapid(headers.get("authorization", ""), self.origin, self.relay_public_key)
            if headers.get("content-encoding") != "aes128gcm":
                raise VapidProblem(f"Content-Encoding {headers.get('content-encoding')!r}")
            keys = self.devices[path]
            plain = http_ece.decrypt(body, private_key=keys.private_key, auth_secret=keys.auth, version="aes128gcm")
            received = Received(path, json.loads(plain), headers, time.monotonic())
        except Exception as exc:  # kept for the test to show
            with self.lock:
                self.problems.append(f"{path}: {type(exc).__name__}: {exc}")
            return
        with self.lock:
            self.received.append(received)
            self.lock.notify_all()

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
