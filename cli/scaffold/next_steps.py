"""NEXT_STEPS.md: the ordered steps from the generated files to a running, paired deployment."""

from __future__ import annotations

import shlex

from .caddy import trusts_only_local_proxy
from .deployment import AGENT_UNIT, AGENT_USER, RELAY_USER, AgentSide, Deployment, RelaySide

SYSTEMD_DIR = "/etc/systemd/system"


def _q(path) -> str:
    return shlex.quote(str(path))


def _sh(*lines: str) -> str:
    return "```sh\n" + "\n".join(lines) + "\n```\n"


class _Steps:
    def __init__(self):
        self.parts: list[str] = []
        self.number = 0

    def add(self, title: str, text: str = "", commands: tuple[str, ...] = ()) -> None:
        self.number += 1
        body = f"## {self.number}. {title}\n\n" + (f"{text}\n\n" if text else "") + (_sh(*commands) if commands else "")
        self.parts.append(body.rstrip("\n") + "\n")


def _relay_steps(steps: _Steps, d: Deployment, relay: RelaySide) -> None:
    exe, cfg, data = _q(d.executable), _q(relay.config_path), _q(relay.config.data_dir)
    steps.add("Relay: a user and its data directory", "The relay runs as its own system user and writes only to dataDir.", (
        f"sudo useradd --system --home-dir {data} --shell /usr/sbin/nologin {RELAY_USER}",
        f"sudo install -d -o {RELAY_USER} -g {RELAY_USER} -m 0700 {data}",
        f"sudo chown root:{RELAY_USER} {cfg} && sudo chmod 0640 {cfg}",
    ))  # fmt: skip
    if not trusts_only_local_proxy(relay.config.trusted_proxies):
        steps.add("Relay: trust the local proxy", f'Caddy connects from 127.0.0.1. Set `"trustedProxies": ["127.0.0.1"]` in {relay.config_path} '
                  "(and nothing else), so rate limits count per phone, not per proxy.")
    steps.add("Relay: check the config", "Expect `ok` and no `warning:` lines.", (f"sudo -u {RELAY_USER} {exe} check --config {cfg}",))
    instances = " ".join(relay.instances)
    several = (f"{relay.replicas} replicas of the relay, one per port ({', '.join(map(str, relay.ports))}), from one template unit; "
               "each serves any request (they share the database and Redis).") if relay.replicas > 1 else ""
    steps.add("Relay: install and start the service" + ("s" if relay.replicas > 1 else ""), several, (
        f"sudo install -m 0644 {relay.unit} {SYSTEMD_DIR}/{relay.unit}",
        "sudo systemctl daemon-reload",
        f"sudo systemctl enable --now {instances}",
        f"systemctl status {instances} --no-pager",
    ))  # fmt: skip
    steps.add("Caddy: TLS in front of the relay",
              f"Open ports 80 and 443 (and nothing for {relay.upstream}: it is loopback only). Caddy gets the certificate.", (
        "sudo apt-get install -y caddy",
        "sudo install -m 0644 Caddyfile /etc/caddy/Caddyfile  # or paste its site block into yours",
        "sudo systemctl reload caddy",
        f"curl -fsS {relay.config.public_origin}/api/health",
    ))  # fmt: skip
    steps.add("Sign in from the phone",
              "Use the bootstrap token printed by `init-relay`, or mint a one-time link (on the `json` storage backend, "
              "stop the relay first). Then register a passkey and keep the bootstrap token offline as a break-glass login.",
              (f"sudo -u {RELAY_USER} {exe} login-code --config {cfg}",))


def _agent_steps(steps: _Steps, d: Deployment, agent: AgentSide) -> None:
    exe, cfg = _q(d.executable), _q(agent.config_path)
    state, home, workspace = _q(agent.config.state_dir), _q(agent.codex_home), _q(agent.config.workspace_root)
    as_agent = f"sudo -u {AGENT_USER} -H env CODEX_HOME={home}"
    steps.add("Agent: a user, its state and Codex home", "The agent runs as its own system user; its token lives in stateDir (0600).", (
        f"sudo useradd --system --home-dir {state} --shell /usr/sbin/nologin {AGENT_USER}",
        f"sudo install -d -o {AGENT_USER} -g {AGENT_USER} -m 0700 {state} {home}",
        f"sudo chown root:{AGENT_USER} {cfg} && sudo chmod 0640 {cfg}",
    ))  # fmt: skip
    steps.add("Agent: access to the workspace",
              "The agent user needs read and write access to workspaceRoot (Codex write mode stays off unless you enable it, "
              "but actions and git need it). With ACLs (package `acl`), keeping your own access to what it creates — "
              "replace `$USER` if you are not the workspace owner; every folder above the workspace needs `x` for the agent user too. "
              "git refuses repositories owned by someone else until they are marked safe.", (
        f"sudo setfacl -R -m u:{AGENT_USER}:rwX -m d:u:{AGENT_USER}:rwX -m d:u:$USER:rwX {workspace}",
        f"sudo -u {AGENT_USER} -H git config --global --add safe.directory {workspace}",
    ))  # fmt: skip
    steps.add("Agent: Codex", f"Install the Codex CLI where the service finds it (`{agent.config.codex.binary}` on the default PATH) "
              "and log it in as the agent user, into the agent's Codex home.", (
        "sudo npm install -g @openai/codex",
        f"printenv OPENAI_API_KEY | {as_agent} codex login --with-api-key",
    ))  # fmt: skip
    steps.add("Agent: check the config", "Expect `ok` and no `warning:` lines.", (f"sudo -u {AGENT_USER} {exe} check --config {cfg}",))
    steps.add("Agent: pair once",
              "On the phone: Manage → Agents → Pair an agent → Create pairing code. Run this with the code, approve the request "
              "on the phone, and stop it with Ctrl-C once it prints `paired as …`: the token is saved in stateDir.",
              (f"{as_agent} {exe} agent --config {cfg} --pair-code CODE",))
    steps.add("Agent: install and start the service", "", (
        f"sudo install -m 0644 {AGENT_UNIT} {SYSTEMD_DIR}/{AGENT_UNIT}",
        "sudo systemctl daemon-reload",
        f"sudo systemctl enable --now {AGENT_UNIT}",
        f"journalctl -u {AGENT_UNIT} -f",
    ))  # fmt: skip


def next_steps(deployment: Deployment) -> str:
    steps = _Steps()
    steps.add("Keep `mobile-codex` where it is", f"The units run `{deployment.executable}`. Install it somewhere every service user "
              "can read (for example a virtualenv under /opt), not in a home directory, and re-run scaffold-production if it moves.")
    if deployment.relay:
        _relay_steps(steps, deployment, deployment.relay)
    if deployment.agent:
        _agent_steps(steps, deployment, deployment.agent)
    steps.add("Afterwards", "Back up the relay's dataDir and both configs, rotate tokens, and switch features on or off as "
              "described in the operations guide (docs/operations.md); the security model is in docs/security.md.")
    sources = [str(side.config_path) for side in (deployment.relay, deployment.agent) if side]
    header = (f"# Next steps\n\nGenerated by `mobile-codex scaffold-production` from {', '.join(sources)}. "
              "Run the commands from this folder, in this order.\n")  # fmt: skip
    return header + "\n" + "\n".join(steps.parts)
