"""Public keys of passkeys imported from the reference: SubjectPublicKeyInfo -> COSE_Key.

The reference relay kept each passkey's key as SPKI (`publicKeySpki`, base64url DER); the
verifier (py_webauthn) takes the COSE key an authenticator sends at registration. The keys
Chromium and phones make are EC P-256 (ES256) or Ed25519 (EdDSA); Windows Hello makes RSA
(RS256, issue 18). Those three are what we convert.
"""

from __future__ import annotations

import cbor2
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_public_key
from webauthn.helpers import base64url_to_bytes

# RFC 9053 labels: kty(1), alg(3), crv(-1), x(-2), y(-3); RFC 8230 for RSA: n(-1), e(-2)
KTY_OKP, KTY_EC2, KTY_RSA = 1, 2, 3
ALG_ES256, ALG_EDDSA, ALG_RS256 = -7, -8, -257
CRV_P256, CRV_ED25519 = 1, 6


def spki_to_cose(spki_b64url: str) -> bytes:
    """The COSE_Key (CBOR bytes) of a base64url SPKI; ValueError for anything we cannot use."""
    try:
        key = load_der_public_key(base64url_to_bytes(spki_b64url))
    except UnsupportedAlgorithm as exc:
        raise ValueError(str(exc)) from None
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise ValueError(f"unsupported EC curve {key.curve.name}")
        numbers = key.public_numbers()
        return cbor2.dumps({
            1: KTY_EC2, 3: ALG_ES256, -1: CRV_P256,
            -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big"),
        })  # fmt: skip
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return cbor2.dumps({1: KTY_OKP, 3: ALG_EDDSA, -1: CRV_ED25519, -2: raw})
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        return cbor2.dumps({1: KTY_RSA, 3: ALG_RS256, -1: _unsigned(numbers.n), -2: _unsigned(numbers.e)})
    raise ValueError(f"unsupported public key type {type(key).__name__}")


def _unsigned(value: int) -> bytes:
    """A positive integer as big-endian bytes without leading zeros (RFC 8230)."""
    return value.to_bytes((value.bit_length() + 7) // 8, "big")
