"""Two relay replicas on one PostgreSQL database and one Redis, behind one Caddy: the installation of
issue 19's end-to-end and fault tests, started once per module since each part takes seconds.

Phones and agents reach it at `origin` (Caddy's `http://localhost:PORT`, the relays' publicOrigin);
`direct(i, caller)` reaches replica i itself, as the same phone or agent. The cluster's Redis is its
own (the tests restart it); its database is a fresh one on the run's PostgreSQL cluster.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..agent.model_server import ModelServer
from ..agent.stack import AgentThread, git_workspace, write_agent_config
from ..servers.caddy import CaddyProxy, free_port
from ..servers.postgres import PostgresServer
from ..servers.redis import RedisServer
from ..servers.relay_replica import RelayReplica
from ..waiting import wait_until
from .agent_helpers import Http
from .conftest import BOOTSTRAP_TOKEN, make_config

UPSTREAM = "X-Upstream"  # the replica that answered (tests/servers/caddy.py)


class Cluster:
    def __init__(self, folder: Path, postgres: PostgresServer, env: dict[str, str]):
        self.folder = folder
        self.postgres = postgres
        self.database = "e2e_" + uuid.uuid4().hex[:12]
        self.started = time.time() - 2  # files written since then may hold its text (mtime's coarse steps)
        self.replicas: list[RelayReplica] = []
        self.caddy: CaddyProxy | None = None
        self.redis = RedisServer()
        try:
            self._start(env)
        except BaseException:
            self.close()
            raise

    def _start(self, env: dict[str, str]) -> None:
        dsn = self.postgres.create_database(self.database)
        self.port = free_port()
        self.origin = f"http://localhost:{self.port}"
        self.config = make_config(
            self.folder, "postgres", publicOrigin=self.origin,
            storage={"backend": "postgres", "dsn": dsn, "connectTimeoutMs": 1000, "poolSize": 4},
            volatile={"backend": "redis", "url": self.redis.url}, features={"codexExecWrite": True},
            limits={"maxTaskCreatesPerUserPerMinute": 100000, "maxUnfinishedTasksPerWorkspace": 100000},
        )  # fmt: skip
        with ThreadPoolExecutor(2) as starting:  # at once, as a deployment starts them (migrations run once)
            starts = [starting.submit(RelayReplica, self.folder / "relay.json", free_port(), env) for _ in range(2)]
        self.replicas += [start.result() for start in starts]
        self.caddy = CaddyProxy(self.folder / "caddy", [r.upstream for r in self.replicas], port=self.port)
        self.wait_ready()

    @property
    def upstreams(self) -> set[str]:
        return {r.upstream for r in self.replicas}

    def wait_ready(self, timeout: float = 60) -> None:
        """Until every replica answers /api/ready itself and Caddy sends requests to each again."""
        for index in range(len(self.replicas)):
            probe = self.direct(index, Http(0))
            wait_until(lambda: probe.get("/api/ready", timeout=5)[0] == 200, timeout=timeout, what=f"replica {index} ready")
        seen: set[str] = set()
        caller = self.agent(None)

        def both_seen() -> bool:
            if caller.get("/api/ready", timeout=5)[0] == 200:
                seen.add(caller.headers.get(UPSTREAM))
            return seen >= self.upstreams

        wait_until(both_seen, timeout=timeout, what="Caddy sending requests to both replicas")

    # --- callers ------------------------------------------------------------------------------

    def phone(self) -> Http:
        """A phone signed in with the bootstrap token, through Caddy."""
        phone = Http(self.port, origin=self.origin, host="localhost")
        status, body = phone.post("/api/auth/login", {"bootstrapToken": BOOTSTRAP_TOKEN})
        assert status == 200, body
        return phone

    def agent(self, token: str | None) -> Http:
        """An agent (or, without a token, anyone) through Caddy."""
        return Http(self.port, token=token, host="localhost")

    def direct(self, index: int, caller: Http) -> Http:
        """The same phone or agent as `caller`, calling replica `index` itself."""
        other = Http(self.replicas[index].port, token=caller.token, origin=caller.origin)
        other.cookie = caller.cookie
        return other

    # --- faults -------------------------------------------------------------------------------

    def restart_replica(self, index: int) -> None:
        """A new process for replica `index` (after it was killed), on its port."""
        self.replicas[index] = self.replicas[index].again()

    def close(self) -> None:
        if self.caddy is not None:
            self.caddy.stop()
        for replica in self.replicas:
            replica.stop()
        self.redis.close()
        if not self.postgres.running:
            self.postgres.start()  # a test stopped it and failed before starting it again
        self.postgres.drop_database(self.database)


def task_views(phone: Http) -> dict[str, dict]:
    """Every task of the phone's workspace, by id, paged through GET /api/admin/tasks."""
    views: dict[str, dict] = {}
    before = None
    while True:
        status, page = phone.get("/api/admin/tasks?limit=100" + (f"&before={before}" if before else ""))
        assert status == 200, page
        views.update((task["taskId"], task) for task in page["tasks"])
        before = page["nextBefore"]
        if before is None:
            return views


class CodexAgent:
    """The real agent (its poll loop in a thread) with the real Codex against a scripted model server,
    connected to the cluster through Caddy, as tests/agent/stack.py connects one to a single relay."""

    def __init__(self, folder: Path, cluster: Cluster, codex_bin: str, token: str):
        self.model = ModelServer().start()
        self.workspace = git_workspace(folder / "workspace")
        config = write_agent_config(folder, cluster.origin, self.workspace, codex_bin,
                                    self.model.write_codex_home(folder / "codex-home"))  # fmt: skip
        self.runner = AgentThread(config, token)
        self.errors = self.runner.errors

    def close(self) -> None:
        self.runner.stop()
        self.model.stop()
