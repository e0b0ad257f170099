"""`import-state --config F STATE.json`: a reference state.json v4 into the configured store."""

from __future__ import annotations

from pathlib import Path

from mobile_codex.core.errors import StorageError
from mobile_codex.core.timeutil import system_clock
from mobile_codex.relay_app.services.importer import ImportRefused, import_state, read_reference_state

from .exit_codes import RUNTIME_FAILURE, USAGE_OR_CONFIG, CommandFailed
from .loading import load_with_plugins
from .relay_runtime import command_store


def run_import_state(args) -> int:
    loaded = load_with_plugins(Path(args.config), "relay")
    config = loaded.config
    try:
        state = read_reference_state(Path(args.state_file))
    except StorageError as err:
        raise CommandFailed(f"import-state: {err}", USAGE_OR_CONFIG) from None
    with command_store(config, loaded.plugins, "import the state") as store:
        try:
            counts = import_state(store, state, system_clock)
        except ImportRefused:
            raise CommandFailed(
                f"import-state: the {config.storage.backend} store in {config.data_dir} already holds data; "
                "import into a new data dir (or one only a first relay start has touched)",
                RUNTIME_FAILURE,
            ) from None
    summary = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in counts.items() if name != "interrupted")
    print(f"imported {summary}; {counts['interrupted']} unfinished task(s) marked interrupted")
    return 0


def register(commands) -> None:
    p = commands.add_parser("import-state", help="import a reference state.json (version 4)")
    p.add_argument("--config", required=True, help="relay config naming the target storage")
    p.add_argument("state_file", metavar="STATE.json", help="the reference relay's state.json")
    p.set_defaults(run=run_import_state)
