"""Serving the relay with waitress, and stopping cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import signal
import sys
from typing import Callable

import waitress

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.errors import StorageError
from mobile_codex.core.plugins import Plugins
from mobile_codex.core.store import Store


def open_store(config: RelayConfig, plugins: Plugins) -> Store:
    """The configured backend's store, opened with the `storage` section (as loaded with `plugins`)."""
    backends = plugins.storage_backends()
    if config.storage.backend not in backends:
        raise StorageError(
            f"storage.backend {config.storage.backend!r} is not available (loaded: {', '.join(sorted(backends))})"
        )
    return backends[config.storage.backend].item.open(config.storage)


# CPython hands the GIL to a waiting thread only after this long (default 5 ms). The relay's
# threads each run a little Python between short blocking calls (socket, sqlite), so with the
# default the waitress loop and the workers queue behind one another and bounce the GIL between
# cores: bench/idle_poll.py, 50 agents seeding on 2 cores, went from ~130 to ~280 tasks/s with
# relay CPU per task from 8.2 to 3.8 ms at 0.5 ms (see bench/README.md, "GIL switch interval").
SWITCH_INTERVAL_S = 0.0005


def tune_interpreter() -> None:
    """Process-wide settings for a serving relay (`relay` and `up`); tests leave them alone."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def make_server(app, config: RelayConfig, *, port: int | None = None):
    """A waitress server per PRODUCT.md's `server` row (not yet running)."""
    return waitress.create_server(
        app,
        host=config.listen_host,
        port=config.listen_port if port is None else port,
        threads=config.server.threads,
        connection_limit=config.server.connection_limit,
        asyncore_use_poll=True,  # select() stops at 1024 sockets; held long-polls need more
        clear_untrusted_proxy_headers=False,  # we read X-Forwarded-For ourselves (trustedProxies)
        ident="mobile-codex",
    )


def serve_forever(server, *, on_ready: Callable[[str], None] | None = None) -> None:
    """Run until SIGTERM or SIGINT, then close the listening socket and return."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if on_ready:
            host, port = server.effective_host, server.effective_port
            on_ready(f"http://{host}:{port}")
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        server.task_dispatcher.shutdown()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sys.stdout.flush()
