"""Serving the relay with waitress, and stopping cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import gc
import signal
import sys
import threading
from typing import Callable

import waitress

from mobile_codex.core.config import RelayConfig
from mobile_codex.core.errors import StorageError, VolatileStoreRefused
from mobile_codex.core.plugins import Plugins
from mobile_codex.core.store import Store
from mobile_codex.core.volatile_store import VolatileStore

from .allocator import tune_malloc
from .cpu_placement import OneCore
from .dispatcher import LastIdleFirst
from .http.body import LARGEST_BODY_CAP


def open_store(config: RelayConfig, plugins: Plugins) -> Store:
    """The configured backend's store, opened with the `storage` section (as loaded with `plugins`)."""
    backends = plugins.storage_backends()
    if config.storage.backend not in backends:
        raise StorageError(
            f"storage.backend {config.storage.backend!r} is not available (loaded: {', '.join(sorted(backends))})"
        )
    return backends[config.storage.backend].item.open(config.storage)


def open_volatile(config: RelayConfig, plugins: Plugins) -> VolatileStore:
    """The configured shared volatile store (`volatile` section), or VolatileStoreRefused saying why not."""
    backends = plugins.volatile_backends()
    if config.volatile.backend not in backends:
        raise VolatileStoreRefused(
            f"volatile.backend {config.volatile.backend!r} is not available (loaded: {', '.join(sorted(backends))})"
        )
    return backends[config.volatile.backend].item.open(config.volatile)


# CPython hands the GIL to a waiting thread only after this long (default 5 ms). The relay's
# threads each run a little Python between short blocking calls (socket, sqlite), so with the
# default the waitress loop and the workers queue behind one another and bounce the GIL between
# cores: bench/idle_poll.py, 50 agents seeding on 2 cores, went from ~130 to ~280 tasks/s with
# relay CPU per task from 8.2 to 3.8 ms at 0.5 ms (see bench/README.md, "GIL switch interval").
SWITCH_INTERVAL_S = 0.0005


def tune_interpreter() -> None:
    """Process-wide settings for a serving relay (`relay` and `up`); tests leave them alone."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    tune_malloc()  # freed memory reused or returned, not kept in many heaps (allocator.py)


def freeze_startup_heap() -> None:
    """Hide what start-up built (modules, the app, its routes and services: ~100,000 objects) from
    the cyclic garbage collector, once the relay is ready to serve. Every full collection walked all
    of it, ~150 ms with the GIL held, during which no request moved: one such pause every ~15,000
    idle polls was the p99 of bench/idle_poll.py at 50 agents (issue 19). Requests make few
    long-lived objects, so the collections left are short. `relay` and `up` only, after the app."""
    gc.collect()
    gc.freeze()


# waitress's own body limits. Its defaults accept 1 GiB and spool anything past 512 KiB to a temp
# file, so an anonymous 64 MiB login body was read whole before our 413, and an allowed 1 MiB agent
# update went to disk. waitress refuses a Content-Length at or above `max_request_body_size` before
# reading the body (its own plain-text 413, without our headers: see docs/deployment.md). The slack
# over our largest cap is for chunked bodies, whose framing waitress counts too; bodies just over a
# route's cap still reach the relay and get the JSON 413 `body-too-large`.
MAX_REQUEST_BODY = LARGEST_BODY_CAP + 64 * 1024
# Above the body limit, so a body waitress accepts is held in memory, never in a temp file.
INBUF_OVERFLOW = MAX_REQUEST_BODY + 64 * 1024


def make_server(app, config: RelayConfig, *, port: int | None = None, placement: OneCore | None = None):
    """A waitress server per PRODUCT.md's `server` row (not yet running). With `placement`, its
    workers, and its loop when run with `run_server`, keep to one CPU (cpu_placement.py)."""
    workers = LastIdleFirst(placement)  # waitress starts the threads of its own pool only
    workers.set_thread_count(config.server.threads)
    return waitress.create_server(
        app,
        _dispatcher=workers,
        host=config.listen_host,
        port=config.listen_port if port is None else port,
        threads=config.server.threads,
        connection_limit=config.server.connection_limit,
        asyncore_use_poll=True,  # select() stops at 1024 sockets; held long-polls need more
        clear_untrusted_proxy_headers=False,  # we read X-Forwarded-For ourselves (trustedProxies)
        ident="mobile-codex",
        max_request_body_size=MAX_REQUEST_BODY,
        inbuf_overflow=INBUF_OVERFLOW,
    )


def run_server(server) -> None:
    """waitress's loop (blocks until the server closes), on the relay's CPU when it keeps one."""
    placement = server.task_dispatcher.placement
    if placement is None:
        return server.run()
    placement.enter()
    try:
        server.run()
    finally:
        placement.leave()


# How long a stopping relay waits for the requests in hand. Held ones answer at once (released),
# so this only bounds an ordinary request that is slow.
WORKERS_STOP_SEC = 2.0


def stop_serving(app, server, *, timeout: float = WORKERS_STOP_SEC) -> None:
    """Stop a relay whose server loop runs in another thread (`relay` and `up`), in this order:

    1. release every held request: agent polls and state waits answer now, empty, as at the end
       of their wait, so agents and phones reconnect without delay;
    2. stop the workers; each finishes the request in hand and writes its answer itself (waitress
       sends from the worker thread);
    3. close the sockets last: a worker finishing a request pulls the server's trigger, which must
       still be open (closing first raced: EBADF tracebacks).
    """
    app.relay.feed.release_all()
    server.task_dispatcher.shutdown(timeout=timeout)
    server.close()


def serve_forever(app, server, *, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve until SIGTERM or SIGINT, then stop_serving.

    The server loop runs in a thread, as in `up`, and a signal only sets an event. (A signal that
    interrupts the loop itself makes waitress stop the workers before anything has released the
    held requests: each hold was waited out, 10 s for one held poll.)
    """
    stop = threading.Event()

    def loop() -> None:
        try:
            run_server(server)
        finally:
            stop.set()  # a loop that ends by itself ends the relay too

    previous = {sig: signal.signal(sig, lambda signum, frame: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        threading.Thread(target=loop, name="relay", daemon=True).start()
        if on_ready:
            on_ready(f"http://{server.effective_host}:{server.effective_port}")
        stop.wait()
    finally:
        stop_serving(app, server)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sys.stdout.flush()
