"""Opening the relay's store, app and listening socket, shared by `relay` and `up`."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.errors import StorageError
from mobile_codex.relay_app.app import RelayApp, create_app
from mobile_codex.relay_app.server import make_server, open_store, tune_interpreter

from .exit_codes import RUNTIME_FAILURE, CommandFailed
from .loading import plugins_for


@contextmanager
def relay_listening(config: RelayConfig) -> Iterator[tuple[RelayApp, object]]:
    """Yields (app, waitress server) bound to the configured address; closes the store after."""
    try:
        store = open_store(config, plugins_for(config))
    except StorageError as err:
        raise CommandFailed(f"cannot open storage: {err}", RUNTIME_FAILURE) from None
    tune_interpreter()
    try:
        app = create_app(config, store=store)
        try:
            server = make_server(app, config)
        except OSError as err:
            raise CommandFailed(f"cannot listen on {config.listen_host}:{config.listen_port}: {err.strerror}") from None
        yield app, server
    finally:
        store.close()
