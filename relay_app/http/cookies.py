"""The session cookie: HttpOnly, SameSite=Strict, Path=/, `__Host-` + Secure on https."""

from __future__ import annotations

import falcon

from mobile_codex.core.config import RelayConfig


def cookie_name(config: RelayConfig) -> str:
    return "__Host-mobilecodex_session" if config.is_https else "mobilecodex_session"


def _set(resp: falcon.Response, config: RelayConfig, value: str, max_age: int) -> None:
    resp.set_cookie(
        cookie_name(config), value, max_age=max_age, path="/",
        secure=config.is_https, http_only=True, same_site="Strict",
    )  # fmt: skip


def set_session_cookie(resp: falcon.Response, config: RelayConfig, token: str) -> None:
    _set(resp, config, token, config.session_ttl_sec)
    resp.context.session_cookie_written = True


def clear_session_cookie(resp: falcon.Response, config: RelayConfig) -> None:
    # Written by hand: falcon's set_cookie drops `Max-Age=0`, which API.md asks for.
    parts = [f"{cookie_name(config)}=", "Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=0"]
    if config.is_https:
        parts.append("Secure")
    resp.append_header("Set-Cookie", "; ".join(parts))
    resp.context.session_cookie_written = True


def session_cookie_written(resp: falcon.Response) -> bool:
    """Whether this response already sets or clears the session cookie."""
    return getattr(resp.context, "session_cookie_written", False)


def read_session_cookie(req: falcon.Request, config: RelayConfig) -> str | None:
    values = req.get_cookie_values(cookie_name(config))
    return values[0] if values else None
