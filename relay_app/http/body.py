"""Reading a request body: size cap first (413), then a JSON object (400 `invalid-json`)."""

from __future__ import annotations

import json

import falcon

from ..errors import BadRequest, PayloadTooLarge

DEFAULT_BODY_CAP = 4096


def read_json_object(req: falcon.Request, cap: int) -> dict:
    length = req.content_length
    if length is not None and length > cap:
        raise PayloadTooLarge("body-too-large")
    raw = req.bounded_stream.read(cap + 1)
    if len(raw) > cap:  # chunked or lying Content-Length
        raise PayloadTooLarge("body-too-large")
    if not raw.strip():
        return {}  # an empty body counts as {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadRequest("invalid-json") from None
    if not isinstance(data, dict):
        raise BadRequest("invalid-json")
    return data
