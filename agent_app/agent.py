"""Putting one agent together from its config and plugins, and running it.

`build_agent` wires the pieces (relay client, token store, handlers per task type, runner, poll
loop); `Agent.run` polls until stopped. Nothing here talks HTTP or spawns processes itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from mobile_codex.core.config import AgentConfig
from mobile_codex.core.intents import OFF
from mobile_codex.core.plugins import Plugins

from .actions import ActionHandler
from .capabilities import Capabilities
from .codex.app_server.process import stop_leftovers
from .codex.app_server.support import CodexSupport
from .codex.binary import CodexBinary, find_codex
from .codex.exec_task import CodexExecHandler
from .codex.installation import Codex
from .codex.turn_task import InteractiveTurns
from .codex.session_tasks import DeleteSessionHandler, ReadSessionHandler
from .codex.sessions import CodexSessions, codex_home
from .dispatch import Dispatcher
from .intent_check import IntentGate, IntentVerifier, SeenIntents
from .logs import LogHandler
from .poller import Poller
from .relay_client import RelayClient
from .runner import TaskRunner
from .token_store import TokenStore
from .trust_store import TrustStore
from .workspace import Workspace



class Agent:
    def __init__(self, poller: Poller, runner: TaskRunner, codex: Codex):
        self.poller = poller
        self.runner = runner
        self.codex = codex

    def run(self) -> None:
        """Poll and run tasks until stop(); raises TokenRevoked. Running tasks end with the agent.
        A clean stop says goodbye to the relay first, so phones see it offline at once."""
        try:
            self.poller.run()
            self.poller.say_goodbye()
        finally:
            self.runner.stop_all()

    def stop(self) -> None:
        self.poller.stop()


def intent_gate(config: AgentConfig, exec_modes) -> IntentGate:
    """What `requireSignedIntents` covers, verified against the passkeys trusted in stateDir."""
    verifier = None
    if config.require_signed_intents != OFF:
        verifier = IntentVerifier(
            trust=TrustStore(config.state_dir), seen=SeenIntents(config.state_dir), agent_id=config.agent_id,
            origin=config.webauthn_origin, rp_id=config.webauthn_rp_id,
        )  # fmt: skip
    return IntentGate(config.require_signed_intents, verifier, exec_modes)


def token_store_for(config: AgentConfig) -> TokenStore:
    return TokenStore(config.state_dir, relay_base_url=config.relay_base_url, agent_id=config.agent_id)


def build_agent(
    config: AgentConfig, plugins: Plugins, *, token: str, say: Callable[[str], None] = print,
    codex_binary: CodexBinary | None = None,
) -> Agent:  # fmt: skip
    workspace = Workspace(Path(config.workspace_root))
    client = RelayClient(config.relay_base_url, token)
    actions, log_sources, exec_modes = plugins.actions(config), plugins.log_sources(config), plugins.exec_modes(config)
    home = codex_home(config.codex)
    codex = Codex(
        binary=codex_binary or find_codex(config.codex.binary), home=home, config=config.codex,
        sessions=CodexSessions(home, workspace, config.codex),
    )  # fmt: skip
    stop_leftovers(config.state_dir)  # app-servers a killed agent left (they would block their threads)
    support = CodexSupport(codex, config.state_dir)
    interactive = InteractiveTurns(
        codex, workspace, support, state_dir=config.state_dir,
        approval_timeout=config.approval_timeout_sec, stall_timeout=config.turn_stall_sec,
    )  # fmt: skip
    dispatcher = Dispatcher(
        config.features,
        {
            "codex_exec": CodexExecHandler(codex, exec_modes, workspace, config.features, interactive=interactive),
            "run_action": ActionHandler(actions, workspace),
            "read_log": LogHandler(log_sources),
            "read_session": ReadSessionHandler(codex),
            "delete_session": DeleteSessionHandler(codex),
        },
        gate=intent_gate(config, exec_modes),
    )
    runner = TaskRunner(client, dispatcher, slots=config.max_concurrent_tasks, per_update_bytes=config.max_task_log_bytes)
    capabilities = Capabilities(config, workspace, actions=actions, log_sources=log_sources, exec_modes=exec_modes, codex=codex,
                                support=support)
    poller = Poller(
        client, runner, capabilities, token_store_for(config), long_poll_ms=config.long_poll_ms,
        poll_interval_ms=config.poll_interval_ms, say=say,
    )  # fmt: skip
    runner.on_slot_free = poller.slot_freed
    return Agent(poller, runner, codex)
