"""Entry point of `mobile-codex`: parse the command line, run one command, map errors to exit codes."""

from __future__ import annotations

import argparse
import faulthandler
import importlib
import signal
import sys

from mobile_codex.core.errors import ConfigError

from .exit_codes import USAGE_OR_CONFIG, CommandFailed

# Each command and the module that registers and runs it, in `--help` order. A command line naming
# one imports only its module: `check` or `init-agent` need not load the relay app, webauthn and
# falcon first (about half a second of every short command).
COMMANDS = {
    "init-relay": "init_cmd", "init-agent": "init_cmd", "check": "check_cmd", "plugins": "plugins_cmd",
    "gen-secret": "tokens_cmd", "hash-token": "tokens_cmd", "relay": "relay_cmd", "agent": "agent_cmd",
    "up": "up_cmd", "login-code": "login_code_cmd", "end-sessions": "end_sessions_cmd",
    "import-state": "import_state_cmd", "migrate-storage": "migrate_storage_cmd",
    "scaffold-production": "scaffold_cmd", "audit": "audit_cmd",
}  # fmt: skip


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2 (argparse's own default, made explicit)
        self.print_usage(sys.stderr)
        self.exit(USAGE_OR_CONFIG, f"{self.prog}: error: {message}\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or only of the modules `command` needs when it names one."""
    parser = _Parser(prog="mobile-codex", description="Drive the Codex CLI on your server from your phone.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    modules = [COMMANDS[command]] if command in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    for name in modules:
        importlib.import_module(f"{__package__}.{name}").register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if hasattr(signal, "SIGUSR1"):  # `kill -USR1 PID`: every thread's stack to stderr, for a process that seems stuck
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as err:
        for issue in err.issues:
            print(issue, file=sys.stderr)
        return USAGE_OR_CONFIG
    except CommandFailed as err:
        print(f"mobile-codex: {err}", file=sys.stderr)
        return err.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
