"""What can end a task or the agent, each with one stable code (PRODUCT.md "Agent behaviour details")."""

from __future__ import annotations


class TaskFailed(Exception):
    """The task fails with `code` as its `error`; `detail` is shown in its output."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code if not detail else f"{code}: {detail}")
        self.code = code
        self.detail = detail


class TaskCanceled(Exception):
    """The relay asked for the task to be canceled (or stopped accepting its updates)."""


# --- the agent as a whole: the CLI turns these into exit codes --------------------------------


class AgentStop(Exception):
    """The agent cannot go on; `str(err)` is the message for the operator."""


class PairingRejected(AgentStop):
    """Someone rejected the pair request on the phone."""


class PairingExpired(AgentStop):
    """The pairing code was invalid or expired, or the pair request expired."""


class PairingRefused(AgentStop):
    """The relay refused to pair for another reason (pairings-disabled, agent-id-already-registered...)."""


class TokenRevoked(AgentStop):
    """The relay no longer accepts the agent's token (revoked, invalid, or for another workspace)."""


class TokenNotSaved(AgentStop):
    """The agent's token could not be written to stateDir (an I/O error)."""


class NotPaired(AgentStop):
    """No saved token, no MOBILE_CODEX_AGENT_TOKEN and no pairing code."""
