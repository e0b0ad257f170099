"""Domain errors: services raise them, one Falcon handler turns each into `{"error": code}`.

The class says what kind of failure it is (and so the HTTP status); the code is API.md's
stable kebab-case string. Services never see HTTP, only these.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    status = 400

    def __init__(self, code: str, detail: str | None = None, **extra: Any):
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.extra = extra  # further response fields, e.g. `auth` for passkey-enrollment-required
        self.clear_cookie = False

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code}
        if self.detail:
            body["detail"] = self.detail
        body.update(self.extra)
        return body


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class MethodNotAllowed(ApiError):
    status = 405


class Conflict(ApiError):
    status = 409


class PayloadTooLarge(ApiError):
    status = 413


class UnsupportedMediaType(ApiError):
    status = 415


class TooManyRequests(ApiError):
    status = 429


class ServiceUnavailable(ApiError):
    status = 503


def invalid_field(name: str) -> BadRequest:
    return BadRequest("invalid-field", detail=name)
