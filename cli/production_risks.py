"""What makes a config risky in production: the rules behind `check`'s warnings and the production modes.

Each warning names the file and the key, like a config error, but it is advice: the config is
valid and may be right for a laptop. `check` prints them to stderr as `warning: FILE: KEY: …`
and keeps its exit code; `init-* --mode production` refuses to write what would be warned about.
trust_risks alone reads the agent's state, not its config: `check` runs it, the production modes do
not (a config they write trusts no passkey yet; the trust ceremony comes after pairing).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from mobile_codex.agent_app.trust_store import TrustStore
from mobile_codex.core import intents
from mobile_codex.core.config import AgentConfig, RelayConfig
from mobile_codex.core.errors import ConfigIssue
from mobile_codex.plugins.logs.file_tail import FileLogConfig

# Programs that read their command text from `-c`: an action running one of them runs shell text.
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "csh", "tcsh"})
SYSTEM_CONFIG_DIR = PurePosixPath("/etc")
# Storage that one relay process (json) or one host's disk (sqlite) holds: replicas cannot share it.
SINGLE_PROCESS_STORAGE = ("sqlite", "json")


ALL, OFF = intents.ALL, intents.OFF


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 and the names that always mean this machine."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_plain_http_to_another_host(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "http" and not is_loopback_host(parts.hostname or "")


def shell_command(argv: tuple[str, ...]) -> str | None:
    """`bash -c` (as written) when `argv` hands text to a shell's -c option, else None.

    Sees through `env [VAR=value | -option]... shell`; `-c` may be clustered (`bash -lc`).
    """
    args = list(argv)
    if args and PurePosixPath(args[0]).name == "env":
        args = args[1:]
        while args and (args[0].startswith("-") or "=" in args[0]):
            args = args[1:]
    if not args:
        return None
    start = 2 if PurePosixPath(args[0]).name == "busybox" and len(args) > 1 else 1
    if PurePosixPath(args[start - 1]).name not in SHELLS:
        return None
    for index in range(start, len(args)):
        arg = args[index]
        if arg == "--" or not arg.startswith("-"):
            return None  # a script file (or the end of options): not -c text
        if not arg.startswith("--") and "c" in arg[1:]:
            return " ".join(args[: index + 1])
    return None


def _under(path: Path, root: PurePosixPath) -> bool:
    for candidate in {PurePosixPath(path), PurePosixPath(os.path.realpath(path))}:
        if candidate == root or root in candidate.parents:
            return True
    return False


def relay_risks(path: Path, config: RelayConfig) -> list[ConfigIssue]:
    file, risks = str(path), []
    if not is_loopback_host(config.listen_host):
        risks.append(ConfigIssue(file, "listenHost", f"{config.listen_host} is not a loopback address: the relay is reachable "
                                 "without your TLS proxy; listen on 127.0.0.1 behind a reverse proxy"))
    if is_plain_http_to_another_host(config.public_origin):
        risks.append(ConfigIssue(file, "publicOrigin", f"{config.public_origin} is plain http on a non-local host: sign-ins and "
                                 "session cookies cross the network unencrypted; use an https origin"))
    if config.features.codex_exec_write:
        risks.append(_write_mode(file))
    # getattr: with another key invalid, `check` still warns, and a section may be left unparsed (a dict)
    storage, volatile = getattr(config.storage, "backend", None), getattr(config.volatile, "backend", "memory")
    if volatile != "memory" and storage in SINGLE_PROCESS_STORAGE:
        risks.append(ConfigIssue(file, "storage.backend", f"{storage} beside a shared volatile store ({volatile}) reads as a "
                                 f"config for several relay replicas, but {storage} cannot be shared by them: use postgres "
                                 "(docs/deployment-ha.md), or volatile memory for one relay"))
    if not config.notifications.web_push.vapid_private_key:
        risks.append(ConfigIssue(file, "notifications.webPush.vapidPrivateKey", "not set: Web Push is off, phones get no "
                                 "notifications; `mobile-codex init-relay` writes one (keep it: changing it invalidates every subscription)"))
    if not config.audit_private_key:
        risks.append(ConfigIssue(file, "auditPrivateKey", "not set: the audit trail is kept but `mobile-codex audit export` "
                                 "cannot sign it; `mobile-codex audit new-key` prints one (the same on every replica)"))
    return risks


def agent_risks(path: Path, config: AgentConfig) -> list[ConfigIssue]:
    file, risks = str(path), []
    if is_plain_http_to_another_host(config.relay_base_url):
        risks.append(ConfigIssue(file, "relayBaseUrl", f"{config.relay_base_url} is plain http on a non-local host: the agent "
                                 "token crosses the network unencrypted; use the relay's https origin"))
    if config.features.codex_exec_write:
        risks.append(_write_mode(file))
    if config.require_signed_intents != ALL:
        unsigned = "every task" if config.require_signed_intents == OFF else "read-only Codex turns and log reads"
        risks.append(ConfigIssue(file, "requireSignedIntents", f"is {config.require_signed_intents!r}: whoever controls the "
                                 f"relay can have this agent run {unsigned} without a person's passkey signature "
                                 "(docs/security.md); set it to \"all\" and trust your passkeys with `mobile-codex agent trust`"))
    for action_id, action in config.actions.items():
        shell = shell_command(action.argv)
        if shell:
            risks.append(ConfigIssue(file, f"actions.{action_id}.argv", f"runs a shell ({shell}): its text is shell code, so "
                                     "quoting mistakes become commands; list the program and its arguments instead"))
    for source_id, source in config.log_sources.items():
        if isinstance(source, FileLogConfig) and _under(source.path, SYSTEM_CONFIG_DIR):
            risks.append(ConfigIssue(file, f"logSources.{source_id}.path", f"{source.path} is under /etc: configuration "
                                     "files can hold secrets; show the phone logs, not config"))
    if not config.redaction.enabled:
        risks.append(ConfigIssue(file, "redaction.enabled", "off: output, diffs, log tails and sessions reach the relay and "
                                 "the phone with any secrets in them; turn it on and allowlist what it hides wrongly"))
    return risks


def trust_risks(path: Path, config: AgentConfig) -> list[ConfigIssue]:
    """Signatures required but no passkey trusted in the stateDir: every task they cover is refused.
    A missing stateDir or trust file is that case; one that cannot be read or parsed is named."""
    mode = config.require_signed_intents
    if mode == OFF:
        return []
    store = TrustStore(config.state_dir)
    refused = "every task" if mode == ALL else "every action, session delete and Codex run that writes"
    ceremony = (f"`mobile-codex agent trust --config {path}` lists your workspace's passkeys; add yours with "
                "`--add PASSKEY_ID` once its fingerprint matches the one your phone showed (docs/deployment.md)")
    try:
        entries = store.checked_entries()
    except OSError as err:
        text = (f"is {mode!r} but {store.path} cannot be read ({err.strerror or err}): check cannot tell whether this "
                f"agent trusts a passkey (with none, it refuses {refused}); run check as the agent's user")
        return [ConfigIssue(str(path), "requireSignedIntents", text)]
    except ValueError as err:
        text = (f"is {mode!r} but {store.path} is not a trust file ({err}): the agent trusts no passkey from it and "
                f"refuses {refused} (approver-not-trusted); move it aside and trust your passkeys again: {ceremony}")
        return [ConfigIssue(str(path), "requireSignedIntents", text)]
    if any(not entry.get("revokedUpstream") for entry in entries or ()):
        return []
    why = (f"no {store.path}" if entries is None else f"{store.path} lists none" if not entries
           else f"every passkey in {store.path} is revoked upstream")
    return [ConfigIssue(str(path), "requireSignedIntents", f"is {mode!r} but this agent trusts no passkey yet ({why}): "
                        f"it refuses {refused} (approver-not-trusted) until you run the trust ceremony: {ceremony}")]


def plugin_action_risks(path: Path, config: AgentConfig, plugins) -> list[ConfigIssue]:
    """Actions a plugin adds on its own (not from `actions` in the config) that start a shell;
    the key named is `plugins.allow`, the setting that let that plugin in."""
    risks = []
    for action_id, contribution in plugins.actions(config).items():
        if action_id in config.actions:
            continue  # the config's own entries: warned about under actions.<id>.argv
        shell = shell_command(contribution.item.argv)
        if shell:
            risks.append(ConfigIssue(str(path), "plugins.allow", f"plugin {contribution.plugin} adds action {action_id!r} "
                                     f"that runs a shell ({shell}): review its code before allowing it"))
    return risks


def _write_mode(file: str) -> ConfigIssue:
    return ConfigIssue(file, "features.codexExecWrite", "write mode is on: Codex may change files in the workspace when "
                       "both ends enable it; turn it off unless you need it")


def risks_for(path: Path, config: RelayConfig | AgentConfig) -> list[ConfigIssue]:
    return relay_risks(path, config) if isinstance(config, RelayConfig) else agent_risks(path, config)
