"""Agents: the poll exchange (long-poll included), presence, revocation.

An agent is named by its workspace and id together (ids are per workspace), in the store and in
every in-memory map here, so another workspace's agent of the same id shares nothing with it.

Cost of a poll does not grow with history: it reads the agent's row and that agent's queued and
running tasks through the (workspace_id, agent_id, status, created_at) index, and writes only when
it claims tasks, the agent's advertised capabilities changed, a token refresh is due, or
`lastSeenAt` is older than `LAST_SEEN_WRITE_SEC` (the exact time is kept in memory and shown in the
state view). Neither write moves the change feed (`change_scopes.UNSEEN_FIELDS`): the app shows an
agent as online while its last poll is under `ONLINE_SEC` old, so only going online (a poll after
silence) or offline (noticed by the housekeeping sweep, `note_offline`) moves its workspace's cursor.
Codex session summaries, whether Codex is signed in and the conversation options stay in memory
only; a report that changes them moves the change feed itself (an unchanged one does not, or every
idle agent would wake its workspace's waiting phones). Answers and steers for the agent's running
interactive turns ride on every reply until the agent reports them done (turns.py); only new ones
end a held poll at once.

An agent that stops cleanly says goodbye (`POST /api/agent/goodbye`): it shows offline at once
(`online` false, the cursor moves) until its next poll, instead of for the 90 s of silence. A poll
it left held ends then, claiming nothing: a departed agent takes no task.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import attrs

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.crypto import sha256_hex
from mobile_codex.core.records import Agent, AgentKey
from mobile_codex.core.store import AgentGlance, Store, Transaction
from mobile_codex.core.timeutil import Clock, iso

from ..errors import NotFound
from .agent_reports import AgentReport, CodexFacts, PollRequest, merged
from .agent_tokens import AgentCaller, issue_agent_token, refresh_due
from .audit_trail import note
from .dispatch import AgentSignals, Mark
from .events import HELD_PER_AGENT, ChangeFeed, HoldLimit
from .task_values import TaskState
from .tasks import TaskService, cancel_ids
from .turns import Owed, TurnService

LAST_SEEN_WRITE_SEC = 5.0
ONLINE_SEC = 90.0  # web/flags.js ONLINE_MS: shown online while the last poll is this recent
REFRESH_REISSUE_SEC = 600.0  # an agent that ignores `agentToken` (the reference's) is not re-sent one every poll


@attrs.frozen
class Seen:
    """What one poll means for presence."""

    write: bool  # `lastSeenAt` should be written to the store now
    came_online: bool  # the app showed the agent offline until this poll


class Presence:
    """In-memory per agent (workspace and id: ids are per workspace): when it was last seen, when
    that was last written, its Codex sessions, and which agents the app shows online."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[AgentKey, datetime] = {}
        self._online: set[AgentKey] = set()
        self._written: dict[AgentKey, datetime] = {}
        self._sessions: dict[AgentKey, list] = {}
        self._refreshed: dict[AgentKey, datetime] = {}
        self._departed: set[AgentKey] = set()  # said goodbye and has not polled since
        self._farewells: set[AgentKey] = set()  # departed, not yet reported by gone_offline
        self._goodbyes: dict[AgentKey, int] = {}  # goodbyes said so far, to tell a poll that began before one

    def seen(self, agent: AgentKey, now: datetime, *, goodbyes: int | None = None) -> Seen:
        """Record a poll. `goodbyes` (`goodbyes_of` when the poll began): a poll the agent sent just
        before stopping can reach this point after its goodbye, and must not show it online again."""
        with self._lock:
            if goodbyes is not None and self._goodbyes.get(agent, 0) != goodbyes:
                return Seen(False, False)
            before = self._seen.get(agent)
            came_online = agent not in self._online or (now - before).total_seconds() >= ONLINE_SEC
            self._seen[agent] = now
            self._departed.discard(agent)
            self._farewells.discard(agent)
            self._online.add(agent)
            last = self._written.get(agent)
            return Seen(last is None or (now - last).total_seconds() >= LAST_SEEN_WRITE_SEC, came_online)

    def gone_offline(self, now: datetime) -> set[AgentKey]:
        """The agents whose last poll became too old to show them online since the last call
        (each agent counted once until it polls again); one that said goodbye counts at the next call."""
        with self._lock:
            gone = {agent for agent in self._online if (now - self._seen[agent]).total_seconds() >= ONLINE_SEC}
            self._online -= gone
            gone |= self._farewells
            self._farewells = set()
            return gone

    def goodbye(self, agent: AgentKey) -> None:
        """The agent stopped cleanly: shown offline from now until it polls again."""
        with self._lock:
            self._goodbyes[agent] = self._goodbyes.get(agent, 0) + 1
            self._departed.add(agent)
            if agent in self._online:
                self._farewells.add(agent)  # its owners hear of it at the next sweep, not 90 s later
            self._online.discard(agent)

    def goodbyes_of(self, agent: AgentKey) -> int:
        with self._lock:
            return self._goodbyes.get(agent, 0)

    def departed(self, agent: AgentKey) -> bool:
        with self._lock:
            return agent in self._departed

    def online(self, agent: AgentKey, stored_last_seen: str | None, now: datetime) -> bool:
        """The relay's judgement: polled within ONLINE_SEC (the exact time in memory, else the
        stored one after a restart) and no goodbye since."""
        with self._lock:
            if agent in self._departed:
                return False
            seen = self._seen.get(agent)
        if seen is None:
            return bool(stored_last_seen) and stored_last_seen > iso(now - timedelta(seconds=ONLINE_SEC))
        return (now - seen).total_seconds() < ONLINE_SEC

    def report_sessions(self, agent: AgentKey, sessions: list) -> bool:
        """Keep the agent's Codex session summaries; True when they differ from those held."""
        with self._lock:
            changed = sessions != self._sessions.get(agent, [])
            self._sessions[agent] = sessions
            return changed

    def written(self, agent: AgentKey, now: datetime) -> None:
        with self._lock:
            self._written[agent] = now

    def may_refresh(self, agent: AgentKey, now: datetime) -> bool:
        """True (and remembered) unless a fresh token went to this agent in the last few minutes."""
        with self._lock:
            last = self._refreshed.get(agent)
            if last is not None and (now - last).total_seconds() < REFRESH_REISSUE_SEC:
                return False
            self._refreshed[agent] = now
            return True

    def last_seen(self, agent: AgentKey) -> str | None:
        with self._lock:
            seen = self._seen.get(agent)
        return iso(seen) if seen else None

    def sessions(self, agent: AgentKey) -> list:
        with self._lock:
            return list(self._sessions.get(agent, []))

    def forget(self, agent: AgentKey) -> None:
        with self._lock:
            self._sessions.pop(agent, None)
            self._online.discard(agent)  # revoked: its record's change moves the cursor
            self._departed.discard(agent)
            self._farewells.discard(agent)
            self._goodbyes.pop(agent, None)


NOTHING_OWED = Owed([], [], False)


@attrs.frozen
class Exchange:
    tasks: list[TaskState]
    cancel_ids: list[str]
    token: str | None = None
    owed: Owed = NOTHING_OWED

    def urgent(self) -> bool:
        """Something the agent must hear now: the poll is not held."""
        return bool(self.tasks or self.cancel_ids or self.owed.fresh)


@attrs.frozen
class Look:
    """What an idle poll must read besides the agent: has it a queued task, which are running."""

    agent: Agent
    queued: bool
    running: list
    mark: Mark | None  # the agent's wake-up mark, taken before the reads (AgentService.poll); None: no wait asked
    goodbyes: int = 0  # Presence.goodbyes_of when the look began


@attrs.frozen
class PollReply:
    """What one poll hands the agent (API.md poll reply)."""

    tasks: list[TaskState]
    cancel_ids: list[str]
    held_ms: int
    token: str | None = None  # a fresh agent token when the one in use runs out soon
    owed: Owed = NOTHING_OWED  # answers and steers for its interactive turns

    def idle(self) -> bool:
        """Nothing at all for the agent, and not held: the same reply for every idle poll."""
        return not (self.tasks or self.cancel_ids or self.held_ms or self.token or self.owed.answers or self.owed.steers)


@attrs.frozen
class AgentState:
    """An agent with what the relay holds of it in memory only."""

    agent: Agent
    last_seen_at: str | None  # the exact time of its last poll (the stored one is written at most every few seconds)
    codex_sessions: list
    codex_facts: dict = attrs.field(factory=dict)  # codexSignedIn and the conversation options, as last said
    online: bool = False  # Presence.online: the app shows this rather than guess from lastSeenAt


class PollLook:
    """A poll's first look at the store, made with its token check (AgentAuth `look`), so an idle
    poll, the relay's most frequent request, costs one read of the store and reads the agent row
    once: on a store with `agent_glance` one statement, unless the agent has running tasks (their
    cancels, answers and steers need the records), then one read transaction. A poll that will
    not wait (`waitMs` 0) needs no wake-up mark, which on Redis is a round trip per poll."""

    def __init__(self, service: AgentService, may_wait: bool):
        self.service = service
        self.may_wait = may_wait

    def start(self, key: AgentKey) -> tuple[int, Mark | None]:
        """Before the reads, as in `poll`: nothing queued after them is missed, and a goodbye said
        meanwhile is seen (Presence.seen)."""
        return self.service.presence.goodbyes_of(key), self.service.signals.mark(key) if self.may_wait else None

    def glanced(self, started: tuple[int, Mark | None], glance: AgentGlance) -> Look | None:
        if glance.running:
            return None
        goodbyes, mark = started
        return Look(glance.agent, glance.queued, [], mark, goodbyes)

    def read(self, started: tuple[int, Mark | None], tx: Transaction, agent: Agent) -> Look:
        goodbyes, mark = started
        tasks = self.service.tasks
        return Look(agent, bool(tasks.queued_for(tx, agent, 1)), tasks.running_for(tx, agent), mark, goodbyes)


class AgentService:
    def __init__(
        self, store: Store, config: RelayConfig, clock: Clock, *, tasks: TaskService, turns: TurnService,
        signals: AgentSignals, feed: ChangeFeed, holds: HoldLimit,
    ):  # fmt: skip
        self.store = store
        self.config = config
        self.clock = clock
        self.tasks = tasks
        self.turns = turns
        self.facts = CodexFacts()
        self.signals = signals
        self.feed = feed
        self.holds = holds
        self.presence = Presence()

    def in_workspace(self, tx: Transaction, workspace_id: str) -> list[AgentState]:
        return [self._state(agent) for agent in tx.agents.find(workspace_id=workspace_id, order_by="created_at")]

    def _state(self, agent: Agent) -> AgentState:
        key = (agent.workspace_id, agent.agent_id)
        online = agent.revoked_at is None and self.presence.online(key, agent.last_seen_at, self.clock())
        return AgentState(agent, self.presence.last_seen(key), self.presence.sessions(key), self.facts.of(key), online)

    def goodbye(self, caller: AgentCaller) -> None:
        """A clean stop: offline at once for the app (the cursor moves), and a poll it left held ends now."""
        self.presence.goodbye(caller.key)
        self.feed.bump(caller.workspace_id)
        self.signals.cancel_requested(caller.key)

    def note_offline(self, now: datetime) -> set[AgentKey]:
        """Move the cursor of each workspace whose agent the app now shows offline; those agents."""
        agents = self.presence.gone_offline(now)
        for workspace_id in {workspace_id for workspace_id, _ in agents}:
            self.feed.bump(workspace_id)
        return agents

    def revoke(self, workspace_id: str, agent_id: str) -> None:
        now = iso(self.clock())
        key = (workspace_id, agent_id)
        with self.store.transaction() as tx:
            agent = tx.agents.get(key)
            if agent is None:
                raise NotFound("agent-not-found")
            if agent.revoked_at is None:
                tx.agents.put(attrs.evolve(agent, revoked_at=now, next_token_hash=None))
                note(tx, "agent.revoked", at=now, workspace_id=workspace_id, record=("agent", agent_id))
        self.presence.forget(key)
        self.signals.cancel_requested(key)  # a held poll ends; the next request gets agent-revoked

    # --- the poll ----------------------------------------------------------------------------

    def poll(self, caller: AgentCaller, request: PollRequest) -> PollReply:
        key = caller.key
        looked = caller.looked if isinstance(caller.looked, Look) else None
        if looked is not None and looked.mark is None and request.wait_ms > 0:
            looked = None  # a look that took no mark cannot start a wait: read again after taking one
        # before the first look, so nothing queued in between is missed
        mark = looked.mark if looked is not None else self.signals.mark(key)
        exchange = self._exchange(caller, request.report, request.max_tasks, fresh=looked)
        held_ms = 0
        if request.wait_ms > 0 and not exchange.urgent():
            with self.holds.hold(("agent", key), HELD_PER_AGENT) as may_wait:
                if may_wait:
                    started = time.monotonic()
                    woke = self.signals.wait(
                        key, mark, want_tasks=request.max_tasks > 0, timeout=request.wait_ms / 1000
                    )  # fmt: skip
                    held_ms = int((time.monotonic() - started) * 1000)
                    if woke and not self.presence.departed(key):
                        later = self._exchange(caller, None, request.max_tasks)
                        exchange = attrs.evolve(later, token=exchange.token or later.token)
        return PollReply(exchange.tasks, exchange.cancel_ids, held_ms, exchange.token, exchange.owed)

    def look(self, tx: Transaction, agent: Agent, *, may_wait: bool = True) -> Look:
        """The read-only part of an exchange, in `tx` (a held poll's second look; the first is PollLook's)."""
        looker = PollLook(self, may_wait)
        return looker.read(looker.start((agent.workspace_id, agent.agent_id)), tx, agent)

    def _exchange(
        self, caller: AgentCaller, report: AgentReport | None, max_tasks: int, *, fresh: Look | None = None
    ) -> Exchange:  # fmt: skip
        """One look at the store: record the report, claim tasks, list cancels, refresh the token.

        `fresh` is the look this very request made with its token check; without it (a held poll's
        second look, whose caller may be seconds old) the look is read here. Claims and writes
        re-read the agent in their write transaction either way, so revocation holds as before."""
        now = self.clock()
        key = caller.key
        seen = self.presence.seen(key, now, goodbyes=fresh.goodbyes if fresh is not None else None)
        write_seen = seen.write
        sessions_changed = bool(
            report and report.codex_sessions is not None and self.presence.report_sessions(key, report.codex_sessions)
        )  # fmt: skip
        facts_changed = bool(report and self.facts.report(key, report.codex_facts()))
        if seen.came_online or sessions_changed or facts_changed:
            self.feed.bump(caller.workspace_id)  # shown in the state view but never stored, so no write moves the feed for it
        if fresh is None:
            with self.store.transaction(write=False) as tx:
                agent = tx.agents.get(key)
                if agent is None or agent.revoked_at is not None:
                    return Exchange([], [])
                fresh = self.look(tx, agent, may_wait=False)  # `poll` took its mark already
        agent, running = fresh.agent, fresh.running
        has_queued = fresh.queued and max_tasks > 0
        canceling, owed = cancel_ids(running), self.turns.owed(running)
        changes = merged(agent, report) if report else {}
        token = None
        if report is not None and refresh_due(caller, now) and self.presence.may_refresh(key, now):
            token = issue_agent_token(self.config.token_secret, agent_id=agent.agent_id, workspace_id=agent.workspace_id, now=now)
            changes["next_token_hash"] = sha256_hex(token)
        if write_seen:
            changes["last_seen_at"] = iso(now)
        if not has_queued and not changes:
            return Exchange([], canceling, owed=owed)
        with self.store.transaction() as tx:
            agent = tx.agents.get(key)
            if agent is None or agent.revoked_at is not None:
                return Exchange([], [])
            if changes:
                tx.agents.put(attrs.evolve(agent, **changes))
            claimed = self.tasks.claim(tx, agent, max_tasks)
        if write_seen:
            self.presence.written(key, now)
        return Exchange(claimed, canceling, token, owed)
