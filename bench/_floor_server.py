"""The floor of bench #3: waitress as the relay runs it (its worker pool, thread count, GIL switch
interval, frozen start-up heap, serving threads on one CPU) serving a WSGI app that reads the body and answers the idle poll's
reply, nothing else. What 50 agents polling it cost and wait is what the machine and waitress allow
at that moment, with no relay code at all.

    python bench/_floor_server.py PORT THREADS     (prints "floor listening" once it serves)
"""

from __future__ import annotations

import sys

import waitress

from mobile_codex.relay_app.cpu_placement import OneCore
from mobile_codex.relay_app.dispatcher import LastIdleFirst
from mobile_codex.relay_app.resources.agent_api import IDLE_REPLY
from mobile_codex.relay_app.server import freeze_startup_heap, run_server, tune_interpreter

HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(IDLE_REPLY)))]


def app(environ, start_response):
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", list(HEADERS))
    return [IDLE_REPLY]


def main() -> None:
    port, threads = int(sys.argv[1]), int(sys.argv[2])
    tune_interpreter()
    placement = OneCore().start()
    workers = LastIdleFirst(placement)
    workers.set_thread_count(threads)
    server = waitress.create_server(app, host="127.0.0.1", port=port, threads=threads, asyncore_use_poll=True,
                                    _dispatcher=workers)  # fmt: skip
    freeze_startup_heap()
    print("floor listening", flush=True)
    run_server(server)


if __name__ == "__main__":
    main()
