"""Cross-cutting request handling, in API.md's check order.

Routing has already happened when `process_resource` runs (404/405 come first). Then:
Origin -> rate limit -> body size -> JSON -> media type (browser POSTs with a body: 415) ->
session or agent token -> enrollment lock -> role, the last three as the route's rule in the
policy table says (`relay_app/policy.py`).
Fields, flags, lookups and conflicts follow in the resources and services.
A dead cookie on a "maybe-session" route is let through as no session, and cleared on the way out.

A resource states its needs as class attributes, each a value or a {METHOD: value} dict:
- `action`: its entry in the policy table (required: a route naming none answers 500);
- `body_cap`: bytes (default 4096); `rate_limit`: None, "login" or "pair";
- `agent_look(req)` (agent routes, optional): an AgentLook (services/agent_tokens.py), a read made
  with the token check's;
- `parsed_bodies` (optional): a ParsedBodies (parsed_bodies.py); a POST body it has seen skips the
  JSON step and arrives as `req.context.parsed`, else that is None and the route reads
  `req.context.body` (and `raw_body`) through it.
"""

from __future__ import annotations

from typing import Any

import falcon

from .. import policy
from ..services import audit_trail
from ..context import RelayContext
from ..errors import Forbidden, TooManyRequests, Unauthorized
from ..views.auth import auth_view
from .body import DEFAULT_BODY_CAP, check_json_type, json_object, read_body
from .client import client_address, rate_limit_client
from .cookies import clear_session_cookie, read_session_cookie, session_cookie_written

BROWSER_POST_PREFIXES = ("/api/auth/", "/api/admin/")


def route_setting(resource: Any, name: str, method: str, default: Any) -> Any:
    value = getattr(resource, name, default)
    return value.get(method, default) if isinstance(value, dict) else value


def security_headers(public_origin: str) -> dict[str, str]:
    csp = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"connect-src 'self' {public_origin}; manifest-src 'self'; worker-src 'self'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    )
    return {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        "Content-Security-Policy": csp,
    }


class SecurityHeaders:
    """Headers on every response — errors, 404s and static files included — and CORS preflight."""

    def __init__(self, public_origin: str):
        self.headers = security_headers(public_origin)
        self.public_origin = public_origin

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if req.method == "OPTIONS":
            resp.status = falcon.HTTP_204
            resp.set_header("Access-Control-Allow-Origin", self.public_origin or "*")
            resp.set_header("Access-Control-Allow-Methods", "GET,POST,OPTIONS")
            resp.set_header("Access-Control-Allow-Headers", "content-type,authorization")
            resp.complete = True

    def process_response(self, req, resp, resource, req_succeeded) -> None:
        resp.set_headers(self.headers)
        if resp.get_header("Cache-Control") is None:
            resp.set_header("Cache-Control", "no-store")


class RequestGate:
    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def client(self, req: falcon.Request) -> str:
        return client_address(req.remote_addr or "", req.get_header("X-Forwarded-For"), self.ctx.config.trusted_proxies)

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource, params) -> None:
        method = req.method
        if resource is None or not hasattr(resource, f"on_{method.lower()}"):
            return  # sinks and falcon's own 405 responder
        config = self.ctx.config
        req.context.caller = None
        req.context.body = {}
        def where() -> str:  # where audit entries this request makes come from, if it makes any
            return self.client(req)

        audit_trail.serving(where)
        action = route_setting(resource, "action", method, None)
        rule = policy.rule(action)

        browser_post = method == "POST" and req.path.startswith(BROWSER_POST_PREFIXES)
        if browser_post:
            origin = req.get_header("Origin")
            if origin is not None and origin != config.public_origin:
                raise Forbidden("origin-mismatch")

        bucket = route_setting(resource, "rate_limit", method, None)
        if bucket is not None:
            per_minute = config.max_pair_attempts_per_minute if bucket == "pair" else config.max_login_attempts_per_minute
            if not self.ctx.limiter.allow((req.uri_template, rate_limit_client(self.client(req))), per_minute):
                raise TooManyRequests("rate-limited")

        if method == "POST":
            cap = route_setting(resource, "body_cap", method, DEFAULT_BODY_CAP)
            raw = read_body(req, cap)
            memo = getattr(resource, "parsed_bodies", None)
            known = memo.known(raw) if memo is not None else None
            if known is None:
                req.context.body = json_object(req, raw, json_type_required=browser_post)
            else:  # parsed before, so valid JSON: only the label is left to check
                check_json_type(req, raw, json_type_required=browser_post)
                req.context.body = known.body
            req.context.raw_body, req.context.parsed = raw, known

        if rule.caller == policy.AGENT:
            look = getattr(resource, "agent_look", None)  # a read made with the token check's
            req.context.agent = self.ctx.services.agent_auth(
                req.get_header("Authorization"), look=None if look is None else look(req)
            )  # fmt: skip
            return
        caller = self.session_caller(req, rule)
        if caller is None:
            return
        if caller.locked and not rule.locked_ok:
            raise self.enrollment_required(caller)
        policy.enforce(caller, action)
        req.context.caller = caller
        audit_trail.serving(where, caller.user.user_id)

    def session_caller(self, req: falcon.Request, rule: policy.Rule):
        """The live session the rule asks for (401 without one on a SESSION route), or None."""
        if rule.caller == policy.ANYONE:
            return None
        token = read_session_cookie(req, self.ctx.config)
        if rule.caller == policy.SESSION:
            return self.ctx.services.sessions.authenticate(token)
        if not token:
            return None
        try:
            return self.ctx.services.sessions.authenticate(token)
        except Unauthorized:
            req.context.dead_cookie = True
            return None

    def process_response(self, req, resp, resource, req_succeeded) -> None:
        audit_trail.served()
        # API.md: invalid sessions answer with a clearing cookie, whatever the route answers —
        # unless the response sets the cookie itself (a redeem that opened a new session).
        if getattr(req.context, "dead_cookie", False) and not session_cookie_written(resp):
            clear_session_cookie(resp, self.ctx.config)

    def enrollment_required(self, caller) -> Forbidden:
        """SECURITY.md: a locked session may only read auth status, switch workspace and manage its passkeys."""
        state = self.ctx.services.sessions.auth_state(caller)
        return Forbidden("passkey-enrollment-required", auth=auth_view(self.ctx.config, state))
