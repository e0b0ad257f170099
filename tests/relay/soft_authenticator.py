"""A software WebAuthn authenticator for API tests (test data, built on `cryptography`).

It answers creation and request options the way a browser + platform authenticator would,
in the WebAuthn JSON form (base64url strings): attestation "none", user present and verified.
The real-browser proof is tests/browser (Chromium's virtual authenticator).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct

import attrs
import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

FLAG_UP, FLAG_UV, FLAG_AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@attrs.define
class SoftCredential:
    credential_id: bytes
    private_key: object  # ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0

    @property
    def id(self) -> str:
        return b64url(self.credential_id)

    def cose_public_key(self) -> bytes:
        public = self.private_key.public_key()
        if isinstance(public, ed25519.Ed25519PublicKey):
            return cbor2.dumps({1: 1, 3: -8, -1: 6, -2: public.public_bytes(Encoding.Raw, PublicFormat.Raw)})
        numbers = public.public_numbers()
        if isinstance(public, rsa.RSAPublicKey):  # RS256 (RFC 8230): n and e as unsigned big-endian bytes
            n, e = numbers.n, numbers.e
            return cbor2.dumps({1: 3, 3: -257, -1: n.to_bytes((n.bit_length() + 7) // 8, "big"),
                                -2: e.to_bytes((e.bit_length() + 7) // 8, "big")})
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def spki(self) -> str:
        der = self.private_key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        return b64url(der)

    def sign(self, data: bytes) -> bytes:
        if isinstance(self.private_key, ed25519.Ed25519PrivateKey):
            return self.private_key.sign(data)
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            return self.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.private_key.sign(data, ec.ECDSA(hashes.SHA256()))


def _new_key(alg: str):
    if alg == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    if alg == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


class SoftAuthenticator:
    def __init__(self, origin: str, *, alg: str = "ES256"):
        self.origin = origin
        self.alg = alg
        self.credentials: list[SoftCredential] = []

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        doc = {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        return json.dumps(doc, separators=(",", ":")).encode()

    def create(self, options: dict, *, origin: str | None = None, reuse: SoftCredential | None = None) -> dict:
        """`navigator.credentials.create({publicKey: options})`, as JSON; `reuse` re-registers a key."""
        rp_id = options["rp"]["id"]
        if reuse is None:
            key = _new_key(self.alg)
            reuse = SoftCredential(secrets.token_bytes(32), key, rp_id, unb64url(options["user"]["id"]))
            self.credentials.append(reuse)
        attested = bytes(16) + struct.pack(">H", len(reuse.credential_id)) + reuse.credential_id + reuse.cose_public_key()
        auth_data = hashlib.sha256(rp_id.encode()).digest() + bytes([FLAG_UP | FLAG_UV | FLAG_AT])
        auth_data += struct.pack(">I", reuse.sign_count) + attested
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": reuse.id, "rawId": reuse.id, "type": "public-key",
            "response": {
                "clientDataJSON": b64url(self._client_data("webauthn.create", options["challenge"], origin)),
                "attestationObject": b64url(attestation), "transports": ["internal"],
            },
            "clientExtensionResults": {}, "authenticatorAttachment": "platform",
        }  # fmt: skip

    def get(self, options: dict, *, origin: str | None = None, credential: SoftCredential | None = None) -> dict:
        """`navigator.credentials.get({publicKey: options})` with a discoverable credential."""
        cred = credential or self.credentials[-1]
        cred.sign_count += 1
        auth_data = hashlib.sha256(cred.rp_id.encode()).digest() + bytes([FLAG_UP | FLAG_UV])
        auth_data += struct.pack(">I", cred.sign_count)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = cred.sign(auth_data + hashlib.sha256(client_data).digest())
        return {
            "id": cred.id, "rawId": cred.id, "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
                "signature": b64url(signature), "userHandle": b64url(cred.user_handle),
            },
            "clientExtensionResults": {}, "authenticatorAttachment": "platform",
        }  # fmt: skip
