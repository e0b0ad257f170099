"""The one catalogue of tasks: their types, their statuses and who may move a task from one to another.

Relay, agent, CLI and — through the state view's `web.catalog` — the phone all read these rules here;
nobody keeps a copy. What each type needs (PRODUCT.md "Feature flags"), which statuses end a task,
which exec mode a codex_exec task gets when it names none (API.md "task create"), and which flags
exist only on the relay are facts of the product, not of one side.

    kind = TASK_TYPES["run_action"]      # flags ("runAction",), a person approves it first
    may(Move.APPROVE, task.status)       # is this transition open from that status?
"""

from __future__ import annotations

import enum
from typing import Any, Mapping

import attrs

from .features import FLAG_KEYS, FeatureFlags


class Status:
    """A task's `status` on the wire and in storage (plain strings: backends store them as text)."""

    AWAITING_APPROVAL = "awaiting_approval"
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    REJECTED = "rejected"
    INTERRUPTED = "interrupted"
    CANCELED = "canceled"


ALL_STATUSES: tuple[str, ...] = (
    Status.AWAITING_APPROVAL, Status.QUEUED, Status.RUNNING, Status.COMPLETED, Status.FAILED,
    Status.REJECTED, Status.INTERRUPTED, Status.CANCELED,
)  # fmt: skip
# A task in one of these can still change; its text lives only in the memory of the relay that made it.
UNFINISHED: tuple[str, ...] = (Status.AWAITING_APPROVAL, Status.QUEUED, Status.RUNNING)
TERMINAL: frozenset[str] = frozenset(ALL_STATUSES) - frozenset(UNFINISHED)


class Side(enum.Enum):
    PERSON = "person"  # a signed-in operator or owner, through the phone
    AGENT = "agent"  # the agent the task was made for, through its updates
    RELAY = "relay"  # the relay itself: claiming for a poll, housekeeping, start-up


class Move(enum.Enum):
    """Every way a task's status changes."""

    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"  # before it runs: canceled at once
    REQUEST_CANCEL = "request-cancel"  # while it runs: the agent is asked, the status stays running
    CLAIM = "claim"  # handed to the agent in a poll reply
    REPORT = "report"  # an agent update: progress or the final status
    CANCEL_OVERDUE = "cancel-overdue"  # the agent did not confirm a requested cancel in time
    INTERRUPT = "interrupt"  # its text is gone: a relay restart, or an import


@attrs.frozen
class Transition:
    side: Side
    sources: frozenset[str]
    targets: frozenset[str]


TRANSITIONS: Mapping[Move, Transition] = {
    Move.APPROVE: Transition(Side.PERSON, frozenset({Status.AWAITING_APPROVAL}), frozenset({Status.QUEUED})),
    Move.REJECT: Transition(Side.PERSON, frozenset({Status.AWAITING_APPROVAL}), frozenset({Status.REJECTED})),
    Move.CANCEL: Transition(Side.PERSON, frozenset({Status.AWAITING_APPROVAL, Status.QUEUED}), frozenset({Status.CANCELED})),
    Move.REQUEST_CANCEL: Transition(Side.PERSON, frozenset({Status.RUNNING}), frozenset({Status.RUNNING})),
    Move.CLAIM: Transition(Side.RELAY, frozenset({Status.QUEUED}), frozenset({Status.RUNNING})),
    # `canceled` only for a task whose cancel was requested: the relay checks that (API.md).
    Move.REPORT: Transition(
        Side.AGENT, frozenset({Status.RUNNING}),
        frozenset({Status.RUNNING, Status.COMPLETED, Status.FAILED, Status.CANCELED}),
    ),  # fmt: skip
    Move.CANCEL_OVERDUE: Transition(Side.RELAY, frozenset({Status.RUNNING}), frozenset({Status.CANCELED})),
    Move.INTERRUPT: Transition(Side.RELAY, frozenset(UNFINISHED), frozenset({Status.INTERRUPTED})),
}

# The statuses an agent may put in an update (API.md "Update rules").
AGENT_STATUSES: tuple[str, ...] = tuple(
    status for status in ALL_STATUSES if status in TRANSITIONS[Move.REPORT].targets
)


def may(move: Move, status: str, target: str | None = None) -> bool:
    """Whether `move` is open to a task in `status` (and may lead to `target`, when given)."""
    transition = TRANSITIONS[move]
    return status in transition.sources and (target is None or target in transition.targets)


# --- feature flags -------------------------------------------------------------------------------

# Flags that gate something only the relay does (creating pairing codes, sending notifications);
# an agent neither needs nor reports them.
RELAY_ONLY_FLAGS: tuple[str, ...] = ("pairings", "notifications")
AGENT_FLAG_KEYS: tuple[str, ...] = tuple(key for key in FLAG_KEYS if key not in RELAY_ONLY_FLAGS)
WRITE_FLAG = "codexExecWrite"  # also needed by a codex_exec task (or exec mode) that writes


def agent_flags(flags: FeatureFlags) -> dict[str, bool]:
    """The flags an agent has a say in, camelCase -> value (its poll body, its generated config)."""
    return {key: value for key, value in flags.to_dict().items() if key in AGENT_FLAG_KEYS}


# --- task types ----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class TaskType:
    name: str
    flags: tuple[str, ...]  # every flag it needs, at both ends
    needs_approval: bool  # a person approves it before the agent may take it
    needs_codex: bool  # runs the Codex CLI (or reads its sessions)
    # It can change the workspace or run a command (a Codex run only in a mode that writes): under the
    # agent's `requireSignedIntents: writes` it needs a person's signed intent (core/intents.py).
    acts: bool = False

    def changes_workspace(self, *, mode_writes: bool = False) -> bool:
        """Whether a task of this type (a codex_exec task: in a mode that writes or not) can change the
        workspace or run a command. Supervised turns write, so they count; read-only turns do not."""
        if self.name == "codex_exec":
            return mode_writes
        return self.acts

    def required_flags(self, *, write_access: bool = False) -> tuple[str, ...]:
        """Its flags, plus `codexExecWrite` for a codex_exec task that writes."""
        if write_access and self.name == "codex_exec":
            return (*self.flags, WRITE_FLAG)
        return self.flags


TASK_TYPES: Mapping[str, TaskType] = {
    kind.name: kind
    for kind in (
        TaskType(name="codex_exec", flags=("codexExec",), needs_approval=False, needs_codex=True),
        TaskType(name="run_action", flags=("runAction",), needs_approval=True, needs_codex=False, acts=True),
        TaskType(name="read_log", flags=("readLog",), needs_approval=True, needs_codex=False),
        TaskType(name="read_session", flags=("codexExec", "readSession"), needs_approval=False, needs_codex=True),
        TaskType(
            name="delete_session", flags=("codexExec", "deleteSession"), needs_approval=False, needs_codex=True, acts=True
        ),
    )
}


# --- Codex exec modes ----------------------------------------------------------------------------

RESUME_MODE = "resume"
# The built-in command-line modes (plugins/exec_modes/codex_modes.py) and whether each writes. The
# relay accepts these without asking the agent; any other mode must be one the agent advertised (API.md).
BUILT_IN_EXEC_MODES: Mapping[str, bool] = {"read-only": False, "workspace-write": True, RESUME_MODE: False}

# Interactive modes: a turn of a conversation over `codex app-server` (API.md "Interactive Codex").
CHAT_MODE = "chat"
SUPERVISED_MODE = "supervised"
# The sandboxes and approval policies an interactive mode may use. Never `danger-full-access`, never
# `on-failure`: the first drops the sandbox, the second runs first and asks afterwards.
TURN_SANDBOXES: tuple[str, ...] = ("read-only", "workspace-write")
TURN_APPROVAL_POLICIES: tuple[str, ...] = ("untrusted", "on-request", "never")
WRITING_SANDBOX = "workspace-write"
NO_APPROVALS = "never"
SUPERVISED_POLICY = "untrusted"


@attrs.frozen(kw_only=True)
class TurnRules:
    """What an interactive mode fixes for each turn it runs."""

    sandbox: str
    approval_policy: str

    @property
    def writes(self) -> bool:
        return self.sandbox == WRITING_SANDBOX

    @property
    def supervised(self) -> bool:
        """Every command Codex does not know to be safe, and every file change, waits for a person."""
        return self.approval_policy == SUPERVISED_POLICY


# The built-in interactive modes. The relay still checks them against the agent's advertised list:
# an agent whose Codex is too old for app-server does not offer them.
BUILT_IN_TURN_MODES: Mapping[str, TurnRules] = {
    CHAT_MODE: TurnRules(sandbox="read-only", approval_policy=NO_APPROVALS),
    SUPERVISED_MODE: TurnRules(sandbox=WRITING_SANDBOX, approval_policy=SUPERVISED_POLICY),
}


def turn_rules_problem(rules: TurnRules) -> str | None:
    """Why an interactive mode's rules are refused (None when they are fine).

    A mode that does not write must never ask: in Codex an approved command runs outside the
    sandbox, so approving would widen a read-only turn (SECURITY.md).
    """
    if rules.sandbox not in TURN_SANDBOXES:
        return f"sandbox must be one of {', '.join(TURN_SANDBOXES)}, got {rules.sandbox!r}"
    if rules.approval_policy not in TURN_APPROVAL_POLICIES:
        return f"approval policy must be one of {', '.join(TURN_APPROVAL_POLICIES)}, got {rules.approval_policy!r}"
    if not rules.writes and rules.approval_policy != NO_APPROVALS:
        return f"a mode that does not write must use approval policy {NO_APPROVALS!r} (an approved command leaves the sandbox)"
    return None


def default_exec_mode(*, resume_session_id: str = "", write_access: bool = False) -> str:
    """API.md: `resume` when resuming a session, else `workspace-write` when writing, else `read-only`."""
    if resume_session_id:
        return RESUME_MODE
    return "workspace-write" if write_access else "read-only"


# --- for the phone -------------------------------------------------------------------------------


def web_catalog() -> dict[str, Any]:
    """The catalogue as the web app receives it (state view, `web.catalog`)."""
    return {
        "taskTypes": {
            kind.name: {
                "flags": list(kind.flags), "needsApproval": kind.needs_approval, "needsCodex": kind.needs_codex,
                # codex_exec: by its mode's `writes` (the signed-intents rule, core/intents.py)
                "changesWorkspace": kind.changes_workspace(),
            }  # fmt: skip
            for kind in TASK_TYPES.values()
        },
        "writeFlag": WRITE_FLAG,
        "statuses": list(ALL_STATUSES),
        "terminalStatuses": [status for status in ALL_STATUSES if status in TERMINAL],
        "agentFlags": agent_flags(FeatureFlags()),  # each flag an agent has, with its default
        "builtInExecModes": [{"id": mode, "writes": writes} for mode, writes in BUILT_IN_EXEC_MODES.items()],
        "resumeMode": RESUME_MODE,
        "turnModes": [{"id": mode, "writes": rules.writes, "interactive": True} for mode, rules in BUILT_IN_TURN_MODES.items()],
    }
