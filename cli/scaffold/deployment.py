"""What the scaffold is made from: the loaded configs, their paths and the installed executable."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import attrs

from mobile_codex.core.config import AgentConfig, RelayConfig
from mobile_codex.plugins.logs.file_tail import FileLogConfig
from mobile_codex.plugins.logs.journal import JournalLogConfig

RELAY_USER = "mobile-codex-relay"
AGENT_USER = "mobile-codex-agent"
RELAY_UNIT = f"{RELAY_USER}.service"
RELAY_TEMPLATE_UNIT = f"{RELAY_USER}@.service"  # with --replicas N: one instance per port, `mobile-codex-relay@8787`
AGENT_UNIT = f"{AGENT_USER}.service"
CODEX_HOME_IN_STATE_DIR = "codex-home"
# Where people's files live: a service that must read or write there cannot hide them entirely.
HOME_ROOTS = (PurePosixPath("/home"), PurePosixPath("/root"), PurePosixPath("/run/user"))


@attrs.frozen(kw_only=True)
class RelaySide:
    config_path: Path  # absolute
    config: RelayConfig

    @property
    def writable(self) -> tuple[Path, ...]:
        paths = [Path(self.config.data_dir)]
        stored_at = getattr(self.config.storage.settings, "path", None)  # the built-in backends' `storage.path`
        if stored_at is not None:
            paths.append(Path(stored_at).parent)
        return tuple(dict.fromkeys(paths))

    @property
    def readable(self) -> tuple[Path, ...]:
        return (self.config_path,)

    replicas: int = 1  # relay processes of this config, on listenPort, listenPort + 1, ...

    @property
    def ports(self) -> tuple[int, ...]:
        return tuple(self.config.listen_port + n for n in range(self.replicas))

    @property
    def upstreams(self) -> tuple[str, ...]:
        """host:port of each replica, as Caddy proxies to them (a wildcard listen address is reached over loopback)."""
        host = self.config.listen_host
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
        return tuple(f"[{host}]:{port}" if ":" in host else f"{host}:{port}" for port in self.ports)

    @property
    def upstream(self) -> str:
        return " ".join(self.upstreams)

    @property
    def unit(self) -> str:
        return RELAY_UNIT if self.replicas == 1 else RELAY_TEMPLATE_UNIT

    @property
    def instances(self) -> tuple[str, ...]:
        """The unit names systemctl starts: the one unit, or one template instance per port."""
        return (RELAY_UNIT,) if self.replicas == 1 else tuple(f"{RELAY_USER}@{port}" for port in self.ports)


@attrs.frozen(kw_only=True)
class AgentSide:
    config_path: Path  # absolute
    config: AgentConfig

    @property
    def codex_home(self) -> Path:
        """codex.homeDir, else a folder in stateDir: the unit sets CODEX_HOME to it either way."""
        return Path(self.config.codex.home_dir or Path(self.config.state_dir) / CODEX_HOME_IN_STATE_DIR)

    @property
    def writable(self) -> tuple[Path, ...]:
        paths = [Path(self.config.state_dir), Path(self.config.workspace_root), self.codex_home]
        return tuple(dict.fromkeys(paths))  # de-duplicated, order kept

    @property
    def readable(self) -> tuple[Path, ...]:
        paths = [self.config_path]
        for source in self.config.log_sources.values():
            if isinstance(source, FileLogConfig):
                paths.append(Path(source.path))
            elif isinstance(source, JournalLogConfig) and source.directory is not None:
                paths.append(Path(source.directory))
        if Path(self.config.codex.binary).is_absolute():
            paths.append(Path(self.config.codex.binary))
        return tuple(paths)


@attrs.frozen(kw_only=True)
class Deployment:
    executable: Path  # the installed `mobile-codex`, absolute
    relay: RelaySide | None = None
    agent: AgentSide | None = None


def in_a_home_dir(paths) -> bool:
    return any(root == PurePosixPath(p) or root in PurePosixPath(p).parents for p in paths for root in HOME_ROOTS)
