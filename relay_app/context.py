"""What every resource may use: the config, the store, the clock and the services.

Built once by `create_app`; resources receive it in their constructor and reach each service
by its typed field (`ctx.services.tasks`), never by a name looked up at run time.
"""

from __future__ import annotations

import attrs

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.store import Store
from mobile_codex.core.timeutil import Clock
from mobile_codex.core.volatile_store import VolatileStore

from .services.agent_tokens import AgentAuth
from .services.agents import AgentService
from .services.events import ChangeFeed, HoldLimit
from .services.housekeeping import Housekeeping
from .services.notifications import NotificationService, Preferences
from .services.pairing import PairingService
from .services.people import PeopleService
from .services.passkeys import PasskeyService
from .services.push_devices import PushDeviceService
from .services.rate_limit import RateLimiter
from .services.sessions import SessionService
from .services.task_deltas import TaskDeltas
from .services.tasks import TaskService
from .services.turns import TurnService


@attrs.frozen(kw_only=True)
class Services:
    """The relay's domain layer, one service per area; each owns its transactions."""

    sessions: SessionService  # cookies -> callers, signing in and out
    people: PeopleService  # workspaces, invitations, memberships, recovery codes, relay users
    passkeys: PasskeyService  # WebAuthn ceremonies and the caller's own passkeys
    push_devices: PushDeviceService  # the caller's own Web Push subscriptions
    agent_auth: AgentAuth  # an agent's bearer token -> AgentCaller
    pairing: PairingService  # codes, pair requests, approvals, agent tokens
    tasks: TaskService  # the phone's side of tasks and the agents' updates
    task_deltas: TaskDeltas  # what each phone has of the state view's tasks (live updates send changes only)
    turns: TurnService  # answers and steers for interactive turns
    agents: AgentService  # polls, presence, revocation
    notifications: NotificationService  # events for people, handed to notifier plugins off the request path
    preferences: Preferences  # which notifications each person wants
    housekeeping: Housekeeping  # deadlines nobody acts on, swept by one background thread


@attrs.define(kw_only=True)
class RelayContext:
    config: RelayConfig
    store: Store
    clock: Clock
    limiter: RateLimiter
    feed: ChangeFeed  # moves a workspace's or user's cursor on each change they show; wakes held state waits
    holds: HoldLimit  # the capacity rule for held requests (threads - 8)
    shared: VolatileStore  # what every replica must see alike (core/volatile_store.py)
    services: Services
