"""Opening the relay's store, app and listening socket (`relay`, `up`), and its store alone for one-off commands."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.errors import StorageError, VolatileStoreRefused
from mobile_codex.core.plugins import Plugins
from mobile_codex.core.store import Store
from mobile_codex.relay_app.app import RelayApp, create_app
from mobile_codex.relay_app.cpu_placement import OneCore
from mobile_codex.relay_app.server import (
    freeze_startup_heap, make_server, open_store, open_volatile, tune_interpreter,
)
from mobile_codex.relay_app.services.housekeeping import Sweeper

from .exit_codes import RUNTIME_FAILURE, CommandFailed


def open_relay_store(config: RelayConfig, plugins: Plugins):
    """The configured store (`plugins`: those the config loaded with), or exit 1 saying why (the
    json backend is locked while the relay runs)."""
    try:
        return open_store(config, plugins)
    except StorageError as err:
        hint = " Stop the relay first: this storage backend allows only one process." if "in use" in str(err) else ""
        raise CommandFailed(f"cannot open storage: {err}.{hint}", RUNTIME_FAILURE) from None


@contextmanager
def command_store(config: RelayConfig, plugins: Plugins, doing: str) -> Iterator[Store]:
    """The store for a one-off command (`login-code`, `end-sessions`), closed after; a storage
    error while `doing` it exits 1 with `cannot <doing>: <why>`."""
    store = open_relay_store(config, plugins)
    try:
        yield store
    except StorageError as err:
        raise CommandFailed(f"cannot {doing}: {err}", RUNTIME_FAILURE) from None
    finally:
        store.close()


@contextmanager
def relay_listening(config: RelayConfig, plugins: Plugins) -> Iterator[tuple[RelayApp, object]]:
    """Yields (app, waitress server) bound to the configured address; closes the store after."""
    store = open_relay_store(config, plugins)
    tune_interpreter()
    try:
        try:
            shared = open_volatile(config, plugins)
        except VolatileStoreRefused as err:
            raise CommandFailed(f"cannot open the volatile store: {err}", RUNTIME_FAILURE) from None
        app = create_app(config, store=store, plugins=plugins, shared=shared)
        try:
            placement = OneCore() if config.server.one_core else None
            try:
                server = make_server(app, config, placement=placement)
            except OSError as err:
                raise CommandFailed(f"cannot listen on {config.listen_host}:{config.listen_port}: {err.strerror}") from None
            freeze_startup_heap()
            sweeper = Sweeper(app.relay.services.housekeeping).start()
            if placement is not None:
                placement.start()
            try:
                yield app, server
            finally:
                sweeper.stop()
                if placement is not None:
                    placement.stop()
        finally:
            app.relay.services.notifications.stop()  # its notifiers close before the store does
            shared.close()
    finally:
        store.close()
