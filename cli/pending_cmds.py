"""Commands whose work lands with later issues: they say so plainly and exit 1."""

from __future__ import annotations

from .exit_codes import RUNTIME_FAILURE, CommandFailed

PENDING = {
    "agent": "run the agent",
    "up": "start relay and agent locally",
}


def _not_yet(args) -> int:
    raise CommandFailed(f"{args.command}: not implemented yet", RUNTIME_FAILURE)


def register(commands) -> None:
    for name, summary in PENDING.items():
        p = commands.add_parser(name, help=f"{summary} (not implemented yet)")
        p.add_argument("rest", nargs="*", help="accepted and ignored for now")
        p.add_argument("--config")
        p.set_defaults(run=_not_yet)
