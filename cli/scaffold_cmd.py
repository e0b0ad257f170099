"""`scaffold-production`: systemd units, a Caddyfile and NEXT_STEPS.md made from the configs.

With no config flag it uses the default relay and agent configs that exist; with one or both
flags, exactly those. It writes only into the output directory and never replaces a file
there without `--force` (exit 1, nothing written).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from mobile_codex.core.config import load_agent_config, load_relay_config

from . import paths
from .exit_codes import RUNTIME_FAILURE, USAGE_OR_CONFIG, CommandFailed
from .production_risks import SINGLE_PROCESS_STORAGE, risks_for
from .scaffold.caddy import caddyfile
from .scaffold.deployment import AGENT_UNIT, AgentSide, Deployment, RelaySide
from .scaffold.next_steps import next_steps
from .scaffold.systemd import agent_unit, relay_unit

DEFAULT_OUTPUT_DIR = "mobile-codex-production"
EXECUTABLE = "mobile-codex"


def installed_executable() -> Path:
    """The `mobile-codex` that is running (argv[0]), else the one beside this Python, else on PATH."""
    candidates = [Path(sys.argv[0]) if Path(sys.argv[0]).name == EXECUTABLE else None,
                  Path(sys.executable).parent / EXECUTABLE]  # fmt: skip
    found = shutil.which(EXECUTABLE)
    candidates.append(Path(found) if found else None)
    for candidate in candidates:
        if candidate is not None and candidate.is_file() and os.access(candidate, os.X_OK):
            return Path(os.path.abspath(candidate))
    raise CommandFailed(f"cannot find the installed `{EXECUTABLE}` executable for ExecStart; install the package "
                        "(pip install mobile-codex) and run scaffold-production through it", RUNTIME_FAILURE)  # fmt: skip


def _config_paths(args) -> tuple[Path | None, Path | None]:
    if args.relay_config or args.agent_config:
        return (Path(args.relay_config) if args.relay_config else None, Path(args.agent_config) if args.agent_config else None)
    relay, agent = paths.default_relay_config(), paths.default_agent_config()
    if not relay.exists() and not agent.exists():
        raise CommandFailed(f"no config at {relay} or {agent}; pass --relay-config and/or --agent-config", USAGE_OR_CONFIG)
    return (relay if relay.exists() else None, agent if agent.exists() else None)


def refuse_unshared_replicas(path: Path, relay: RelaySide) -> None:
    """Several replicas must share what one process keeps: metadata in PostgreSQL, volatile state in Redis."""
    if relay.replicas < 1:
        raise CommandFailed(f"--replicas: expected 1 or more, got {relay.replicas}", USAGE_OR_CONFIG)
    backend = relay.config.storage.backend
    if relay.replicas > 1 and backend in SINGLE_PROCESS_STORAGE:
        raise CommandFailed(f"{path}: storage.backend is {backend!r}: {relay.replicas} replicas need storage every replica "
                            "shares (\"postgres\", docs/deployment-ha.md); nothing was written", USAGE_OR_CONFIG)  # fmt: skip
    if relay.replicas > 1 and relay.config.volatile.backend == "memory":
        raise CommandFailed(f"{path}: volatile.backend is 'memory': {relay.replicas} replicas need a volatile store every "
                            "replica shares (\"redis\", docs/deployment-ha.md); nothing was written", USAGE_OR_CONFIG)  # fmt: skip


def deployment_from(args) -> Deployment:
    relay_path, agent_path = _config_paths(args)
    relay = agent = None
    if relay_path is not None:
        relay = RelaySide(config_path=relay_path.resolve(), config=load_relay_config(relay_path), replicas=args.replicas)
        refuse_unshared_replicas(relay_path, relay)
        if not relay.config.is_https:
            raise CommandFailed(f"{relay_path}: publicOrigin: production needs an https origin for the Caddyfile's TLS, "
                                f"got {relay.config.public_origin}", USAGE_OR_CONFIG)  # fmt: skip
    if agent_path is not None:
        agent = AgentSide(config_path=agent_path.resolve(), config=load_agent_config(agent_path))
    for side in (relay, agent):
        for risk in risks_for(side.config_path, side.config) if side else ():
            print(f"warning: {risk}", file=sys.stderr)
    return Deployment(executable=installed_executable(), relay=relay, agent=agent)


def rendered(deployment: Deployment) -> dict[str, str]:
    files = {}
    if deployment.relay:
        files[deployment.relay.unit] = relay_unit(deployment)
        files["Caddyfile"] = caddyfile(deployment)
    if deployment.agent:
        files[AGENT_UNIT] = agent_unit(deployment)
    files["NEXT_STEPS.md"] = next_steps(deployment)
    return files


def write_all(output_dir: Path, files: dict[str, str], *, force: bool) -> None:
    """All files or none: every existing target is reported before anything is written."""
    existing = [name for name in files if (output_dir / name).exists()]
    if existing and not force:
        raise CommandFailed(f"{output_dir} already has {', '.join(existing)}; nothing was written (pass --force to replace them)")
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=output_dir)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(tmp, 0o644)  # units and Caddyfile hold no secret
            os.replace(tmp, output_dir / name)
    except OSError as err:
        raise CommandFailed(f"cannot write into {output_dir}: {err.strerror or err}") from None


def run_scaffold(args) -> int:
    deployment = deployment_from(args)
    files = rendered(deployment)
    output_dir = Path(args.output_dir)
    write_all(output_dir, files, force=args.force)
    for name in files:
        print(f"wrote {output_dir / name}")
    print(f"Next: follow {output_dir / 'NEXT_STEPS.md'}")
    return 0


def register(commands) -> None:
    p = commands.add_parser("scaffold-production", help="write systemd units, a Caddyfile and NEXT_STEPS.md from the configs")
    p.add_argument("--relay-config", help="relay config (default: the user config dir's relay.json, if present)")
    p.add_argument("--agent-config", help="agent config (default: the user config dir's agent.json, if present)")
    p.add_argument("--output-dir", default=DEFAULT_OUTPUT_DIR, help=f"where to write (default: ./{DEFAULT_OUTPUT_DIR})")
    p.add_argument("--force", action="store_true", help="replace files already in the output dir")
    p.add_argument("--replicas", type=int, default=1,
                   help="relay processes behind Caddy, on listenPort, listenPort+1, ... (default 1; more need postgres storage)")
    p.set_defaults(run=run_scaffold)
