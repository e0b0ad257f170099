"""Reading a request body: size cap first (413), then a JSON object (400 `invalid-json`).

JSON may spell a lone UTF-16 surrogate as an escape (`"\\ud800"`); Python parses it into a str
that cannot be encoded as UTF-8, so it would fail later, in storage or in the response, as a 500
with a traceback. Such a body is not valid Unicode text and is refused here, for every route.
"""

from __future__ import annotations

import json

import falcon

from ..errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

DEFAULT_BODY_CAP = 4096
# The largest `body_cap` of any route: agent task updates (resources/agent_api.py). The server's
# own body limit is set from it (server.py); tests check that no route allows more.
LARGEST_BODY_CAP = 1024 * 1024


def read_body(req: falcon.Request, cap: int) -> bytes:
    """The raw body, at most `cap` bytes (413 `body-too-large` beyond)."""
    length = req.content_length
    if length is not None and length > cap:
        raise PayloadTooLarge("body-too-large")
    raw = req.bounded_stream.read(cap + 1)
    if len(raw) > cap:  # chunked or lying Content-Length
        raise PayloadTooLarge("body-too-large")
    return raw


def json_object(req: falcon.Request, raw: bytes, *, json_type_required: bool = False) -> dict:
    """`raw` (read_body's) as a dict. With `json_type_required` (browser POSTs), a body that is not
    empty must also be labelled `application/json` (415 `unsupported-media-type`): a page on another
    site can send text/plain, form or multipart bodies without asking first, but not that. The label
    is checked after the JSON itself, so API.md's 413 and 400 `invalid-json` come first as before."""
    if not raw.strip():
        return {}  # an empty body counts as {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadRequest("invalid-json") from None
    if not isinstance(data, dict) or (_may_hold_surrogates(raw) and not _encodable(data)):
        raise BadRequest("invalid-json")
    check_json_type(req, raw, json_type_required=json_type_required)
    return data


def check_json_type(req: falcon.Request, raw: bytes, *, json_type_required: bool) -> None:
    """415 `unsupported-media-type` for a body that is not empty and not labelled JSON, when required."""
    if json_type_required and raw.strip() and not _is_json_type(req.content_type):
        raise UnsupportedMediaType("unsupported-media-type")


def _is_json_type(content_type: str | None) -> bool:
    """`application/json`, parameters such as `; charset=utf-8` allowed."""
    return (content_type or "").split(";", 1)[0].strip().lower() == "application/json"


def _may_hold_surrogates(raw: bytes) -> bool:
    """False when the parsed body cannot hold a lone surrogate, so `_encodable` (a second JSON
    encoding of the whole body, a visible share of an idle agent poll's CPU) can be skipped: the
    body is valid UTF-8 (which has no encoded surrogates), has no NUL byte (so `json.loads` reads it
    as UTF-8, not UTF-16/32) and no `\\u` escape (the only other way JSON spells one)."""
    if b"\\u" in raw or b"\x00" in raw:
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _encodable(data: dict) -> bool:
    """True when every string in the parsed body (keys included) is valid UTF-8 text."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
