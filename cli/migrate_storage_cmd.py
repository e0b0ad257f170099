"""`migrate-storage --from F --to G [--force]`: copy all metadata from one configured store to another.

F and G are relay config files; each one's `storage` section (and `dataDir`) names a store, e.g. the
sqlite file of today's relay and the PostgreSQL database of tomorrow's replicas. Stop the relays
first: a relay writing to the source during the copy would lose those writes.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from mobile_codex.core.store_copy import TargetNotEmpty, copy_store

from .exit_codes import RUNTIME_FAILURE, CommandFailed
from .loading import load_with_plugins
from .relay_runtime import command_store


def run_migrate_storage(args) -> int:
    source = load_with_plugins(Path(args.source), "relay")
    target = load_with_plugins(Path(args.target), "relay")
    with ExitStack() as stack:
        from_store = stack.enter_context(command_store(source.config, source.plugins, "open the source store"))
        to_store = stack.enter_context(command_store(target.config, target.plugins, "copy into the target store"))
        try:
            counts = copy_store(from_store, to_store, replace=args.force)
        except TargetNotEmpty:
            raise CommandFailed(
                f"migrate-storage: the target {target.config.storage.backend} store ({args.target}) already holds "
                "data; use an empty one, or --force to replace everything in it",
                RUNTIME_FAILURE,
            ) from None
    summary = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in counts.items())
    print(
        f"copied {source.config.storage.backend} ({args.source}) -> {target.config.storage.backend} ({args.target}): "
        f"{summary}; counts verified"
    )
    return 0


def register(commands) -> None:
    p = commands.add_parser("migrate-storage", help="copy all relay metadata from one storage backend to another")
    p.add_argument("--from", dest="source", required=True, metavar="CONFIG", help="relay config of the source store")
    p.add_argument("--to", dest="target", required=True, metavar="CONFIG", help="relay config of the target store")
    p.add_argument("--force", action="store_true", help="replace whatever the target store holds")
    p.set_defaults(run=run_migrate_storage)
