"""Fake secrets of the kinds the agent's redactor must hide, made fresh for each test run.

Made from pieces at run time, so this repository holds no string a secret scanner would flag, and a
leak found in a test's files cannot be an old run's. `NEEDLES` are the parts that must never reach the
relay: a private key's body lines, both halves of the AWS key pair, the GitHub token.
"""

from __future__ import annotations

import base64
import secrets
import string

_ALNUM = string.ascii_letters + string.digits


def _pick(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


PEM_BODY = [base64.b64encode(secrets.token_bytes(48)).decode() for _ in range(4)]
PEM_KIND = "RSA " + "PRIVATE KEY"
PRIVATE_KEY = "\n".join([f"-----BEGIN {PEM_KIND}-----", *PEM_BODY, f"-----END {PEM_KIND}-----"])
AWS_KEY_ID = "AK" + "IA" + _pick(string.ascii_uppercase + string.digits, 16)
AWS_SECRET = "".join(secrets.SystemRandom().sample(_ALNUM, 40))  # 40 distinct characters: always high-entropy
GITHUB_TOKEN = "gh" + "p_" + _pick(_ALNUM, 36)

# How they are printed: as a credentials file would hold them.
SECRET_TEXT = (
    f"{PRIVATE_KEY}\n"
    f"aws_access_key_id = {AWS_KEY_ID}\n"
    f"aws_secret_access_key = {AWS_SECRET}\n"
    f"github_token: {GITHUB_TOKEN}\n"
)
NEEDLES = [*PEM_BODY, AWS_KEY_ID, AWS_SECRET, GITHUB_TOKEN, GITHUB_TOKEN[4:20]]
MARKERS = ["[redacted: Private Key]", "[redacted: AWS Access Key]", "[redacted: Secret Keyword]", "[redacted: GitHub Token]"]

# A key the allowlist lets through (e.g. a documented example key).
ALLOWED_KEY_ID = "AK" + "IA" + "ALLOWED" + _pick(string.digits, 9)
