"""The built-in redactor: detect-secrets' detectors, line by line, over every text the agent sends.

detect-secrets (Yelp) keeps the detectors: private keys, AWS / Azure / GitHub / GitLab / Slack /
Stripe / OpenAI / npm / PyPI ... tokens, JWTs, basic-auth URLs, secrets assigned to keywords such as
`password` and high-entropy quoted strings. We only turn what it reports into spans:

- a detector reports the secret's value (sometimes only its prefix, `ghp` for a GitHub token): the
  span is every place the value occurs on that line, run on over the token's characters;
- a private key is reported by its `BEGIN ... PRIVATE KEY` line only: the span is the whole block,
  from `-----BEGIN` to its `-----END ...-----` line, or to the end of the text when the end is not
  in it (fail closed: the key body is never shown).

- a secret assigned without quotes (`aws_secret_access_key = wJalr...`, as in a credentials file)
  is found by its keyword detector read as a config file, and kept only when detect-secrets' own
  entropy test calls the value high-entropy (a config line's `timeout: 1` is no secret).

Public IP addresses (its `IPPublicDetector`) are not secrets, and log tails are full of them: not used.
"""

from __future__ import annotations

import re
import threading

from mobile_codex.core.hookspecs import hookimpl
from mobile_codex.core.plugin_types import Finding, TextFilterSpec

FILTER_ID = "secrets"
SKIPPED_DETECTORS = frozenset({"IPPublicDetector"})
PRIVATE_KEY = "Private Key"
TOKEN_CHARS = re.compile(r"[A-Za-z0-9_+/=-]*")  # what a reported value runs on over (never '.', quotes, spaces)
PEM_BEGIN = re.compile(r"-----BEGIN[^\n]*")
PEM_END = re.compile(r"-----END[^\n-]*-----")
ORPHAN_KEY_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY-----")
KEY_LINE = re.compile(r"[A-Za-z0-9+/=]+[ \t\r]*")  # a line (or the cut-off end of one) of a key's base64 body
LINE_LIMIT = 4000  # longer lines are scanned in pieces of this many characters (with an overlap)
PIECE_OVERLAP = 200

_lock = threading.Lock()
_detectors: list | None = None
_assignments: tuple | None = None  # (keyword detector, base64 entropy, hex entropy)
_keywords: re.Pattern | None = None  # the keyword detector's own words: a line without one cannot match it


def detectors() -> list:
    """detect-secrets' detector objects, made once (with its default settings)."""
    global _detectors, _assignments, _keywords
    with _lock:
        if _detectors is None:
            from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
            from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString, HexHighEntropyString
            from detect_secrets.plugins.keyword import DENYLIST, KeywordDetector

            classes = get_mapping_from_secret_type_to_class().values()
            _detectors = [cls() for cls in classes if cls.__name__ not in SKIPPED_DETECTORS]
            _assignments = (KeywordDetector(), Base64HighEntropyString(), HexHighEntropyString())
            _keywords = re.compile("|".join(DENYLIST), re.IGNORECASE)
        return _detectors


def _high_entropy(value: str) -> bool:
    _, base64, hexadecimal = _assignments
    if re.fullmatch(r"[0-9a-fA-F]+", value):
        return hexadecimal.calculate_shannon_entropy(value) > hexadecimal.entropy_limit
    return base64.calculate_shannon_entropy(value) > base64.entropy_limit


def _pieces(line: str):
    """(offset, piece) covering a line; a very long one in overlapping pieces (bounded detector time)."""
    if len(line) <= LINE_LIMIT:
        yield 0, line
        return
    start = 0
    while start < len(line):
        yield start, line[start : start + LINE_LIMIT]
        start += LINE_LIMIT - PIECE_OVERLAP


def _reported(line: str) -> list[tuple[str, str]]:
    """(kind, value) of each secret detect-secrets reports on one line."""
    found = []
    every = detectors()  # made on first use, with the keyword pattern
    has_keyword = _keywords.search(line) is not None  # the slowest detector runs only where it can match
    for detector in every:
        if not has_keyword and type(detector).__name__ == "KeywordDetector":
            continue
        for secret in detector.analyze_line(filename="output", line=line, line_number=1):
            if secret.secret_value:
                found.append((secret.type, secret.secret_value))
    if not has_keyword:
        return found
    keyword = _assignments[0]
    for secret in keyword.analyze_line(filename="output.ini", line=line, line_number=1):  # unquoted assignments
        if secret.secret_value and _high_entropy(secret.secret_value):
            found.append((secret.type, secret.secret_value))
    return found


def find_secrets(text: str, where: str = "output") -> list[Finding]:
    findings: list[Finding] = []
    position = 0
    skip_to = 0  # inside a private key block already redacted
    for line in text.splitlines(keepends=True):
        start, position = position, position + len(line)
        if start < skip_to or not line.strip():
            continue
        for offset, piece in _pieces(line.rstrip("\r\n")):
            base = start + offset
            for kind, value in _reported(piece):
                if kind == PRIVATE_KEY:
                    begin = PEM_BEGIN.search(piece)
                    if begin is None:  # e.g. a PuTTY key file line: the whole line
                        findings.append(Finding(base, base + len(piece), kind))
                        continue
                    block_start = base + begin.start()
                    end = PEM_END.search(text, block_start + 10)
                    block_end = end.end() if end else len(text)
                    findings.append(Finding(block_start, block_end, kind))
                    skip_to = max(skip_to, block_end)
                    continue
                findings += [Finding(base + at, base + stop, kind) for at, stop in _spans(piece, value)]
    return findings + _orphan_key_ends(text, findings)


def _spans(piece: str, value: str) -> list[tuple[int, int]]:
    """Where a reported value is on its line, run on over the token's characters: the places it
    starts a token (`"a"` in `password = "a"`, not the `a` of `password`), or every place if none does."""
    spans, at = [], piece.find(value)
    while at >= 0:
        stop = at + len(value)
        stop += TOKEN_CHARS.match(piece, stop).end() - stop
        spans.append((at, stop))
        at = piece.find(value, at + 1)
    starting = [(at, stop) for at, stop in spans if at == 0 or not (piece[at - 1].isalnum() or piece[at - 1] == "_")]
    return starting or spans


def _orphan_key_ends(text: str, findings: list[Finding]) -> list[Finding]:
    """Keys whose BEGIN line is not in the text: from the first body line before the END line to it."""
    found = []
    for end in ORPHAN_KEY_END.finditer(text):
        if any(f.start <= end.start() < f.end for f in findings if f.kind == PRIVATE_KEY):
            continue  # part of a block found from its BEGIN line
        start = text.rfind("\n", 0, end.start()) + 1
        while start > 0:
            previous = text.rfind("\n", 0, start - 1) + 1
            if not KEY_LINE.fullmatch(text, previous, start - 1):
                break
            start = previous
        found.append(Finding(start, end.end(), PRIVATE_KEY))
    return found


@hookimpl
def register_text_filters():
    return [TextFilterSpec(id=FILTER_ID, label="Secrets (detect-secrets)", find=find_secrets)]
