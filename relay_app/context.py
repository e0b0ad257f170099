"""What every resource may use: the config, the store, the clock and the services.

Built once by `create_app`; resources receive it in their constructor.
"""

from __future__ import annotations

from typing import Any

import attrs

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.store import Store
from mobile_codex.core.timeutil import Clock

from .services.events import ChangeFeed, HoldLimit
from .services.rate_limit import RateLimiter
from .services.sessions import SessionService


@attrs.define(kw_only=True)
class RelayContext:
    config: RelayConfig
    store: Store
    clock: Clock
    sessions: SessionService
    limiter: RateLimiter
    feed: ChangeFeed  # moves on every committed write; wakes held state waits
    holds: HoldLimit  # the capacity rule for held requests (threads - 8)
    # Services added by later areas (agents, tasks, passkeys) hang here by name.
    services: dict[str, Any] = attrs.field(factory=dict)
