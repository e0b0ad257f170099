"""Putting one agent together from its config and plugins, and running it.

`build_agent` wires the pieces (relay client, token store, handlers per task type, runner, poll
loop); `Agent.run` polls until stopped. Nothing here talks HTTP or spawns processes itself.
"""

from __future__ import annotations

import logging
import threading
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
from .redaction import Redactor
from .relay_client import RelayClient, RelayRefused, RelayUnavailable
from .runner import TaskRunner
from .token_store import TokenStore
from .trust_store import TrustStore
from .workspace import Workspace

log = logging.getLogger("mobile_codex.agent")


REVOCATION_CHECK_SEC = 300  # how often a running agent asks the relay which trusted passkeys were revoked


class Agent:
    def __init__(self, poller: Poller, runner: TaskRunner, codex: Codex, *, trust: TrustStore | None = None):
        self.poller = poller
        self.runner = runner
        self.codex = codex
        self.trust = trust  # signed intents on: revocations upstream are noted while it runs
        self.revocation_check_sec = REVOCATION_CHECK_SEC

    def _note_revocations(self) -> None:
        """Every REVOCATION_CHECK_SEC: a trusted passkey revoked on the relay is refused from then on
        (the relay can only take trust away, trust_store.py); a relay that is away is asked next time."""
        while not self.poller.stop_event.wait(self.revocation_check_sec):
            try:
                marked = self.trust.note_listing(self.poller.client.passkeys())
            except (RelayUnavailable, RelayRefused, OSError) as err:
                log.info("could not check passkey revocations: %s", err)
                continue
            for entry in marked:
                self.poller.say(f"passkey {entry.get('passkeyId')} was revoked on the relay: no longer trusted")

    def run(self) -> None:
        """Poll and run tasks until stop(); raises TokenRevoked. Running tasks end with the agent.
        A clean stop says goodbye to the relay first, so phones see it offline at once."""
        if self.trust is not None:
            threading.Thread(target=self._note_revocations, name="passkey-revocations", daemon=True).start()
        try:
            self.poller.run()
            self.poller.say_goodbye()
        finally:
            self.runner.stop_all()

    def stop(self) -> None:
        self.poller.stop()


def intent_gate(config: AgentConfig, exec_modes, trust: TrustStore) -> IntentGate:
    """What `requireSignedIntents` covers, verified against the passkeys trusted in stateDir."""
    verifier = None
    if config.require_signed_intents != OFF:
        verifier = IntentVerifier(
            trust=trust, seen=SeenIntents(config.state_dir), agent_id=config.agent_id,
            origin=config.webauthn_origin, rp_id=config.webauthn_rp_id,
        )  # fmt: skip
    return IntentGate(config.require_signed_intents, verifier, exec_modes)


def token_store_for(config: AgentConfig) -> TokenStore:
    return TokenStore(config.state_dir, relay_base_url=config.relay_base_url, agent_id=config.agent_id)


def redactor_for(config: AgentConfig, plugins: Plugins) -> Redactor:
    """The text filters every outbound text passes (config `redaction`; none while it is off)."""
    if not config.redaction.enabled:
        return Redactor(enabled=False)
    filters = [(spec.item.id, spec.item.find) for spec in plugins.text_filters(config).values()]
    return Redactor(filters, allowlist=config.redaction.allowlist)


def build_agent(
    config: AgentConfig, plugins: Plugins, *, token: str, say: Callable[[str], None] = print,
    codex_binary: CodexBinary | None = None,
) -> Agent:  # fmt: skip
    workspace = Workspace(Path(config.workspace_root))
    client = RelayClient(config.relay_base_url, token)
    actions, log_sources, exec_modes = plugins.actions(config), plugins.log_sources(config), plugins.exec_modes(config)
    home = codex_home(config.codex)
    redactor = redactor_for(config, plugins)
    codex = Codex(
        binary=codex_binary or find_codex(config.codex.binary), home=home, config=config.codex,
        sessions=CodexSessions(home, workspace, config.codex, redact=lambda text: redactor.redact(text, "session")[0]),
    )  # fmt: skip
    stop_leftovers(config.state_dir)  # app-servers a killed agent left (they would block their threads)
    support = CodexSupport(codex, config.state_dir)
    interactive = InteractiveTurns(
        codex, workspace, support, state_dir=config.state_dir,
        approval_timeout=config.approval_timeout_sec, stall_timeout=config.turn_stall_sec,
    )  # fmt: skip
    trust = TrustStore(config.state_dir)
    dispatcher = Dispatcher(
        config.features,
        {
            "codex_exec": CodexExecHandler(codex, exec_modes, workspace, config.features, interactive=interactive),
            "run_action": ActionHandler(actions, workspace),
            "read_log": LogHandler(log_sources),
            "read_session": ReadSessionHandler(codex),
            "delete_session": DeleteSessionHandler(codex),
        },
        gate=intent_gate(config, exec_modes, trust),
    )
    runner = TaskRunner(client, dispatcher, slots=config.max_concurrent_tasks, per_update_bytes=config.max_task_log_bytes,
                        redactor=redactor)  # fmt: skip
    capabilities = Capabilities(config, workspace, actions=actions, log_sources=log_sources, exec_modes=exec_modes, codex=codex,
                                support=support, redactor=redactor)
    poller = Poller(
        client, runner, capabilities, token_store_for(config), long_poll_ms=config.long_poll_ms,
        poll_interval_ms=config.poll_interval_ms, say=say,
    )  # fmt: skip
    runner.on_slot_free = poller.slot_freed
    return Agent(poller, runner, codex, trust=trust if config.require_signed_intents != OFF else None)
