"""Entry point of `mobile-codex`: parse the command line, run one command, map errors to exit codes."""

from __future__ import annotations

import argparse
import sys

from mobile_codex.core.errors import ConfigError

from . import (
    agent_cmd, audit_cmd, check_cmd, end_sessions_cmd, import_state_cmd, init_cmd, login_code_cmd, migrate_storage_cmd, plugins_cmd,
    relay_cmd, scaffold_cmd, tokens_cmd, up_cmd,
)  # fmt: skip
from .exit_codes import USAGE_OR_CONFIG, CommandFailed

COMMAND_MODULES = (
    init_cmd, check_cmd, plugins_cmd, tokens_cmd, relay_cmd, agent_cmd, up_cmd, login_code_cmd, end_sessions_cmd,
    import_state_cmd, migrate_storage_cmd, scaffold_cmd, audit_cmd,
)  # fmt: skip


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2 (argparse's own default, made explicit)
        self.print_usage(sys.stderr)
        self.exit(USAGE_OR_CONFIG, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mobile-codex", description="Drive the Codex CLI on your server from your phone.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
