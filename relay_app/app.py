"""The app factory: `create_app(config, store=..., clock=...) -> falcon.App`.

Resource modules each add their routes; middleware does the cross-cutting checks; domain
errors are turned into `{"error": code}` in exactly one place (`_api_error`).
"""

from __future__ import annotations

import importlib.resources
import logging
from pathlib import Path

import falcon

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.errors import StorageUnavailable, VolatileStoreUnavailable
from mobile_codex.core.plugin_types import NotifierSpec
from mobile_codex.core.plugins import Plugins, load_plugins
from mobile_codex.core.store import Store
from mobile_codex.core.task_text import TextBounds
from mobile_codex.core.timeutil import Clock, system_clock
from mobile_codex.core.volatile_store import VolatileStore

from .context import RelayContext, Services
from .errors import ApiError, ServiceUnavailable
from .http.cookies import clear_session_cookie
from .http.middleware import RequestGate, SecurityHeaders
from .resources import (
    agent_api, agent_passkeys, agents, health, invitations, memberships, notification_devices, notifications, openapi, pairing,
    passkeys, profile, redeem, session, state, static, tasks, turns, users, workspaces,
)  # fmt: skip
from .services.agent_tokens import AgentAuth
from .services.agents import AgentService
from .services.bootstrap import ensure_bootstrap
from .services.dispatch import AgentSignals
from .services.events import ChangeFeed, HoldLimit
from .services.housekeeping import Housekeeping
from .services.notifications import NotificationService, Preferences
from .services.notifying_store import NotifyingStore
from .services.pairing import PairingService
from .services.passkeys import PasskeyService
from .services.push_devices import PushDeviceService
from .services.people import PeopleService
from .services.rate_limit import RateLimiter
from .services.retention import Retention
from .services.sessions import SessionService
from .services.task_deltas import TaskDeltas
from .services.tasks import TASKS_IN_VIEW, TEXT_RESERVE, TaskService
from .services.turns import TurnService
from .services.volatile_epoch import VolatileEpoch
from .server import open_volatile

log = logging.getLogger("mobile_codex.relay")

HELD_RESERVE = 8  # server threads never taken by held requests (API.md capacity rule)

# Each module has `add_routes(app, ctx)`; the order does not matter.
RESOURCE_MODULES = (
    health, session, pairing, agent_api, agent_passkeys, tasks, turns, agents, passkeys,
    redeem, workspaces, invitations, users, memberships, state, openapi, notifications, notification_devices, profile,
)  # fmt: skip


def default_web_root() -> Path:
    return Path(str(importlib.resources.files("mobile_codex.web")))


class RelayApp(falcon.App):
    """A falcon.App that also carries its RelayContext (tests and the CLI reach services through it)."""

    relay: RelayContext


def build_services(
    config: RelayConfig, store: Store, clock: Clock, *, feed: ChangeFeed, holds: HoldLimit, shared: VolatileStore,
    notifiers: tuple[NotifierSpec, ...] = (),
) -> Services:  # fmt: skip
    """Every service of the relay, wired once: the only place that knows how they depend on each other."""
    signals = AgentSignals(feed, shared)
    quotas = RateLimiter(shared, now=lambda: clock().timestamp(), kind="quota")  # per-user budgets (`limits`)
    # Finished text beyond what the state view shows is read by nobody (core/task_text.py); it goes
    # at the latest with its task record (retentionDays).
    volatile = shared.task_text(TextBounds(
        live_reserve=TEXT_RESERVE, finished_per_workspace=TASKS_IN_VIEW, finished_ttl_s=config.retention_days * 86400,
    ))  # fmt: skip
    notify = NotificationService(store, config, clock, volatile=volatile, notifiers=notifiers)
    tasks = TaskService(
        store, config, clock, volatile=volatile, signals=signals, feed=feed, quotas=quotas, notify=notify, shared=shared
    )  # fmt: skip
    turns = TurnService(
        store, clock, volatile=volatile, signals=signals, feed=feed, idempotency=tasks.idempotency, notify=notify
    )  # fmt: skip
    sessions = SessionService(store, config, clock)
    pairing = PairingService(store, config, clock, notify=notify)
    agents = AgentService(store, config, clock, tasks=tasks, turns=turns, signals=signals, feed=feed, holds=holds)
    return Services(
        sessions=sessions,
        people=PeopleService(store, config, clock, sessions=sessions, quotas=quotas),
        passkeys=PasskeyService(store, config, clock, sessions=sessions, shared=shared),
        push_devices=PushDeviceService(store, config, clock),
        agent_auth=AgentAuth(store, config.token_secret, clock),
        pairing=pairing,
        tasks=tasks,
        task_deltas=TaskDeltas(shared),
        turns=turns,
        agents=agents,
        notifications=notify,
        preferences=Preferences(store, clock),
        housekeeping=Housekeeping(
            clock=clock, agents=agents, tasks=tasks, pairing=pairing, notify=notify,
            epoch=VolatileEpoch(shared, tasks, feed),
            retention=Retention(store, days=config.retention_days, forget_text=tasks.volatile.forget),
        ),
    )


def _notifiers(config: RelayConfig, store: Store, plugins: Plugins | None) -> tuple[NotifierSpec, ...]:
    """The channels of the loaded notifier plugins; none while the `notifications` flag is off."""
    if plugins is None or not config.features.notifications:
        return ()
    return tuple(contribution.item for contribution in plugins.notifiers(config, store).values())


def create_app(
    config: RelayConfig, *, store: Store, clock: Clock = system_clock, web_root: Path | None = None,
    limiter: RateLimiter | None = None, plugins: Plugins | None = None, shared: VolatileStore | None = None,
) -> RelayApp:  # fmt: skip
    """The relay's app; `plugins` (as the config loaded them) give its notifiers, none without.
    `shared` is the open volatile store (default: the configured one, opened here; the caller of a
    store it passes closes it). Its notification workers run until `app.relay.services.notifications.stop()`."""
    if shared is None:
        shared = open_volatile(config, plugins or load_plugins(entry_points=[]))
    feed = ChangeFeed(shared)
    store = NotifyingStore(store, feed)
    ensure_bootstrap(store, clock)
    holds = HoldLimit(config.server.threads - HELD_RESERVE, shared)
    ctx = RelayContext(
        config=config, store=store, clock=clock, limiter=RateLimiter(shared) if limiter is None else limiter, feed=feed,
        holds=holds, shared=shared,
        services=build_services(
            config, store, clock, feed=feed, holds=holds, shared=shared, notifiers=_notifiers(config, store, plugins)
        ),
    )  # fmt: skip
    ctx.services.housekeeping.epoch.reconcile()  # their text died with the last process or Redis
    app = RelayApp(middleware=[SecurityHeaders(config.public_origin), RequestGate(ctx)])
    app.req_options.strip_url_path_trailing_slash = True
    app.resp_options.secure_cookies_by_default = config.is_https
    for module in RESOURCE_MODULES:
        module.add_routes(app, ctx)
    # Falcon tries the most recently added sink first: the catch-all goes in before /api.
    app.add_sink(static.StaticFiles(web_root or default_web_root()), prefix="/")
    app.add_sink(static.api_not_found, prefix=r"^/api(/|$)")

    def _api_error(req, resp, err: ApiError, params) -> None:
        resp.status = falcon.code_to_http_status(err.status)
        resp.media = err.body()
        if err.clear_cookie:
            clear_session_cookie(resp, config)

    def _http_error(req, resp, err: falcon.HTTPError, params) -> None:
        codes = {404: "not-found", 405: "method-not-allowed", 413: "body-too-large"}
        resp.status = err.status
        resp.media = {"error": codes.get(err.status_code, "bad-request" if err.status_code < 500 else "internal-error")}
        if err.headers:
            resp.set_headers(err.headers)

    def _unexpected(req, resp, err: Exception, params) -> None:
        log.exception("unexpected error on %s %s", req.method, req.path)
        resp.status = falcon.HTTP_500
        resp.media = {"error": "internal-error"}

    def _volatile_unavailable(req, resp, err: VolatileStoreUnavailable, params) -> None:
        # Redis is down: transient, so 503 and no traceback.
        log.warning("volatile store unavailable on %s %s: %s", req.method, req.path, err)
        _api_error(req, resp, ServiceUnavailable("volatile-store-unavailable"), params)

    def _storage_unavailable(req, resp, err: StorageUnavailable, params) -> None:
        # The database is down or out of connections: transient, so 503 and no traceback.
        log.warning("storage unavailable on %s %s: %s", req.method, req.path, err)
        _api_error(req, resp, ServiceUnavailable("storage-unavailable"), params)

    # Falcon picks the most specific handler for an exception's class.
    app.add_error_handler(Exception, _unexpected)
    app.add_error_handler(VolatileStoreUnavailable, _volatile_unavailable)
    app.add_error_handler(falcon.HTTPError, _http_error)
    app.add_error_handler(ApiError, _api_error)
    app.add_error_handler(StorageUnavailable, _storage_unavailable)
    app.relay = ctx
    return app
