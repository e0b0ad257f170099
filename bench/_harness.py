"""Shared benchmark machinery: a relay in a subprocess, keep-alive HTTP clients, pairing, figures.

Stdlib only (the relay itself runs from the package installed in the same interpreter's venv),
except `SharedStores`, which starts the tests' own ephemeral servers (`tests/servers/`):
- `Relay`: writes a config into a temp dir (127.0.0.1, a free port, publicOrigin
  http://localhost:PORT, high rate limits, `server.threads` as asked, storage and volatile
  backends as asked), starts `python -m mobile_codex.cli.main relay --config F`, waits for
  "relay listening", and reads the relay's RSS from /proc/PID/status and its data-dir size.
  `relay.replica()` is one more process on the same config (and so the same stores) on its own port.
- `SharedStores`: a PostgreSQL cluster and a Redis of the benchmark's own, for relays on
  `storage: postgres` + `volatile: redis`, and their CPU time.
- `Conn`: one keep-alive http.client connection (reconnects once if the relay closed it).
- `Phone`: a signed-in owner (bootstrap token login; the session cookie on every request).
- `pair_agents`: the whole pairing flow through the API; returns each agent's token.
- `seed`: history through the API (phone creates, agents claim by long-poll and complete).
- `percentile`, `table`, `emit`: how every script prints its figures.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import math
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `tests.servers`: the same ephemeral PostgreSQL and Redis the tests start

# What a real agent (agent_app.capabilities) sends in every poll, minus Codex sessions.
AGENT_REPORT = {
    "label": "bench agent",
    "workspaceRootName": "work",
    "features": {"codexExec": True, "codexExecWrite": False, "readSession": True, "deleteSession": True,
                 "runAction": True, "readLog": True},
    "actions": [{"id": "restart", "label": "Restart"}],
    "logSources": [{"id": "app", "label": "App log"}],
    "codexSessions": [],
    "codexAvailable": True,
    "codexVersion": "codex-cli 0.0.0",
    "execModes": [{"id": "read-only", "label": "Read only", "writes": False}],
}  # fmt: skip


# --- process-level helpers -------------------------------------------------------------------


def raise_nofile(wanted: int = 65536) -> int:
    """Raise the soft fd limit (each held poll is a socket here and in the relay, which inherits it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of `values`; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def table(headers: list[str], rows: list[list[Any]], title: str | None = None) -> str:
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = lambda r: "  ".join(v.rjust(w) for v, w in zip(r, widths))  # noqa: E731
    out = [title] if title else []
    out += [line(cells[0]), "  ".join("-" * w for w in widths)] + [line(r) for r in cells[1:]]
    return "\n".join(out)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.1f}" if abs(value) >= 100 else f"{value:.2f}"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return str(value)


def emit(name: str, figures: dict[str, Any]) -> None:
    """The one JSON line a script prints (run_all.py picks it up by its leading `{"bench"`)."""
    doc = {"bench": name, "load": load(), "cpus": os.cpu_count(), **figures}
    print(json.dumps(doc, separators=(",", ":")), flush=True)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat after the command name: [0] state, [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int, *, children: bool = False) -> float:
    """User + system CPU of `pid`; with `children`, also of its live children and the reaped ones
    (PostgreSQL's postmaster forks a backend per connection)."""
    fields = _stat(pid)
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    child = _stat(int(entry.name))
                except (FileNotFoundError, ProcessLookupError):
                    continue
                if child[1] == str(pid):
                    ticks += int(child[11]) + int(child[12])
    return ticks / os.sysconf("SC_CLK_TCK")


# --- the relay in a subprocess ---------------------------------------------------------------


class Relay:
    """A relay in its own process on 127.0.0.1 and a free port: sqlite by default, or the `storage`
    and `volatile` config sections given (e.g. `SharedStores.storage()` / `.volatile()`)."""

    def __init__(self, *, threads: int = 64, folder: Path | None = None, keep: bool = False, python: str | None = None,
                 storage: dict | None = None, volatile: dict | None = None):  # fmt: skip
        self.threads = threads
        self.python = python or sys.executable  # another venv's interpreter runs that checkout's relay
        self._own_folder = folder is None
        self.folder = Path(folder or tempfile.mkdtemp(prefix="mobile-codex-bench-"))
        self.keep = keep
        self.port = free_port()
        self.origin = f"http://localhost:{self.port}"
        self.bootstrap_token = secrets.token_urlsafe(32)
        self.data_dir = self.folder / "data"
        self.config_path = self.folder / "relay.json"
        self.log_path = self.folder / "relay.log"
        self.listen_args: list[str] = []
        self.config_path.write_text(json.dumps({
            "listenHost": "127.0.0.1", "listenPort": self.port, "publicOrigin": self.origin,
            "dataDir": str(self.data_dir),
            "bootstrapAdminTokenHash": hashlib.sha256(self.bootstrap_token.encode()).hexdigest(),
            "tokenSecret": secrets.token_urlsafe(48),
            "maxLoginAttemptsPerMinute": 100000, "maxPairAttemptsPerMinute": 100000,
            "limits": {"maxTaskCreatesPerUserPerMinute": 100000, "maxUnfinishedTasksPerWorkspace": 100000},
            "server": {"threads": threads, "connectionLimit": threads + 100},
            "storage": storage or {"backend": "sqlite"},
            **({"volatile": volatile} if volatile else {}),
        }, indent=2))  # fmt: skip
        self.proc: subprocess.Popen | None = None

    def replica(self) -> Relay:
        """Another process on this relay's config file (`relay --port P --host 127.0.0.1`), as
        `scaffold-production --replicas` runs them: the same stores, publicOrigin and bootstrap token.
        Not started; the first relay's folder stays its owner's."""
        other = object.__new__(Relay)
        other.__dict__.update(self.__dict__)
        other._own_folder = False
        other.port = free_port()
        other.log_path = self.folder / f"relay-{other.port}.log"
        other.listen_args = ["--port", str(other.port), "--host", "127.0.0.1"]
        other.proc = None
        return other

    def start(self, timeout: float = 30) -> Relay:
        log = open(self.log_path, "ab")
        since = log.tell()  # a restart appends: only look at this run's lines
        self.proc = subprocess.Popen(
            [self.python, "-m", "mobile_codex.cli.main", "relay", "--config", str(self.config_path), *self.listen_args],
            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"relay exited with {self.proc.returncode}:\n{self.log_text()}")
            if "relay listening" in self.log_text()[since:]:
                return self
            time.sleep(0.05)
        raise RuntimeError(f"relay did not start within {timeout}s:\n{self.log_text()}")

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def close(self) -> None:
        self.stop()
        if self._own_folder and not self.keep:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Relay:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def status_kb(self, key: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        return 0

    def rss_mb(self) -> float:
        return round(self.status_kb("VmRSS") / 1024, 1)

    def peak_rss_mb(self) -> float:
        return round(self.status_kb("VmHWM") / 1024, 1)

    def os_threads(self) -> int:
        return self.status_kb("Threads")  # not kB, but the same "Key: value" line

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def data_bytes(self) -> dict[str, int]:
        sizes = {p.name: p.stat().st_size for p in self.data_dir.iterdir() if p.is_file()} if self.data_dir.exists() else {}
        sizes["total"] = sum(sizes.values())
        return sizes


class Floor:
    """`_floor_server.py` in its own process: waitress as the relay runs it, with an app that only
    answers the idle reply (bench #3 `--floor`). `clients(k)` are connections polling it like agents."""

    def __init__(self, *, threads: int = 64):
        self.threads = threads
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Floor:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("_floor_server.py")), str(self.port), str(self.threads)],
            stdout=subprocess.PIPE, cwd=ROOT, start_new_session=True,
        )  # fmt: skip
        line = self.proc.stdout.readline()
        if b"floor listening" not in line:
            self.close()
            raise RuntimeError(f"floor server did not start: {line!r}")
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def clients(self, count: int) -> list[Conn]:
        return [Conn(self.port, token=f"floor-{i}") for i in range(count)]


class SharedStores:
    """What several relay replicas share: an ephemeral PostgreSQL cluster (one database, `bench`) and
    an ephemeral Redis without persistence, the same servers the tests start (`tests/servers/`), so
    a benchmark never touches a server it finds running. Stopped and removed by `close()`."""

    def __init__(self, *, pool_size: int = 10):
        from tests.servers.postgres import start_postgres
        from tests.servers.redis import RedisServer

        self.pool_size = pool_size
        self.databases: dict[str, str] = {}
        self.postgres = start_postgres()
        try:
            self.redis = RedisServer()
        except BaseException:
            self.postgres.destroy()
            raise

    def storage(self, database: str = "bench") -> dict:
        """The `storage` section for database `database` (created on first use): relays given the
        same name share their metadata, a reference relay takes another."""
        if database not in self.databases:
            self.databases[database] = self.postgres.create_database(database)
        return {"backend": "postgres", "dsn": self.databases[database], "poolSize": self.pool_size}

    def volatile(self, db: int = 0) -> dict:
        """The `volatile` section on Redis database `db` (relays on the same `db` share it)."""
        return {"backend": "redis", "url": f"redis://127.0.0.1:{self.redis.port}/{db}"}

    def postgres_pid(self) -> int:
        return int((self.postgres.data_dir / "postmaster.pid").read_text().split()[0])

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time so far of the PostgreSQL cluster (postmaster and every backend) and of Redis."""
        return {"postgres": cpu_seconds(self.postgres_pid(), children=True), "redis": cpu_seconds(self.redis.process.pid)}

    def close(self) -> None:
        try:
            self.redis.close()
        finally:
            self.postgres.destroy()

    def __enter__(self) -> SharedStores:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- HTTP -----------------------------------------------------------------------------------


class Conn:
    """One keep-alive connection to the relay, JSON in and out."""

    def __init__(self, port: int, *, token: str | None = None, cookie: str | None = None, origin: str | None = None,
                 timeout: float = 60):  # fmt: skip
        self.port = port
        self.token = token
        self.cookie = cookie
        self.origin = origin
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self._conn.connect()
            self._conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.origin and method == "POST":
            headers["Origin"] = self.origin
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                raw = response.read()
            except (ConnectionError, http.client.RemoteDisconnected, http.client.CannotSendRequest, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
                continue
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie" and value.startswith("mobilecodex_session="):
                    self.cookie = value.split(";")[0]
            return response.status, (json.loads(raw) if raw else None)
        raise AssertionError("unreachable")

    def post(self, path: str, body: Any = None) -> tuple[int, Any]:
        return self.request("POST", path, {} if body is None else body)

    def get(self, path: str) -> tuple[int, Any]:
        return self.request("GET", path)

    def ok(self, method: str, path: str, body: Any = None, expect: tuple[int, ...] = (200, 201)) -> Any:
        status, reply = self.request(method, path, body)
        if status not in expect:
            raise RuntimeError(f"{method} {path} -> {status} {reply}")
        return reply


class Phone(Conn):
    """The owner's browser: bootstrap login, then the session cookie (and Origin) on every request."""

    def __init__(self, relay: Relay, cookie: str | None = None):
        super().__init__(relay.port, origin=relay.origin, cookie=cookie)
        self.relay = relay
        if cookie is None:
            self.ok("POST", "/api/auth/login", {"bootstrapToken": relay.bootstrap_token})
            assert self.cookie, "login set no cookie"

    def another(self) -> Phone:
        """A second connection with the same session (one phone, several tabs)."""
        return Phone(self.relay, cookie=self.cookie)

    def create_task(self, agent_id: str, prompt: str = "bench") -> dict:
        return self.ok("POST", "/api/admin/tasks", {"type": "codex_exec", "agentId": agent_id, "prompt": prompt})["task"]


class Agent(Conn):
    def __init__(self, relay: Relay, agent_id: str, token: str):
        super().__init__(relay.port, token=token)
        self.agent_id = agent_id
        self.relay = relay

    def poll(self, *, wait_ms: int = 0, max_tasks: int = 1, report: bool = True) -> dict:
        body = dict(AGENT_REPORT) if report else {}
        body.update(waitMs=wait_ms, maxTasks=max_tasks)
        return self.ok("POST", "/api/agent/poll", body)

    def update(self, task_id: str, **body) -> dict:
        return self.ok("POST", f"/api/agent/tasks/{task_id}/update", body)


def pair_agents(relay: Relay, phone: Phone, count: int, prefix: str = "bench", *, close: bool = False) -> list[Agent]:
    """Pair `count` agents through the API: pairing code -> pair -> approve -> pair/status. With `close`
    each agent's connection is closed after its first poll (it reconnects when used): replicas sharing N
    agents each have a connection limit (threads + 100) below N."""
    agents = []
    anonymous = Conn(relay.port)
    for i in range(count):
        agent_id = f"{prefix}-{i:04d}"
        code = phone.ok("POST", "/api/admin/pairings", {"note": agent_id})["pairingCode"]
        pending = anonymous.ok("POST", "/api/agent/pair", {"pairingCode": code, "agentId": agent_id, "label": agent_id,
                                                           "hostname": "bench", "workspaceRootName": "work"})  # fmt: skip
        phone.ok("POST", f"/api/admin/pair-requests/{pending['requestId']}/approve")
        done = anonymous.ok("POST", "/api/agent/pair/status", {"requestId": pending["requestId"], "requestToken": pending["requestToken"]})
        assert done["status"] == "approved", done
        agent = Agent(relay, agent_id, done["token"])
        agent.poll()  # the first poll: the relay learns what the agent can do
        if close:
            agent.close()
        agents.append(agent)
    anonymous.close()
    return agents


# --- seeding history through the API ----------------------------------------------------------


def seed(relay: Relay, phone: Phone, agents: list[Agent], count: int, *, creators: int = 2, window: int = 64,
         chunk: int = 1000, label: str = "") -> dict[str, Any]:  # fmt: skip
    """`count` more finished tasks: the phone creates them round-robin over `agents`, each agent
    claims its own with long-polls (maxTasks 8) and reports every claimed task `completed`.

    At most `window` tasks are in flight (created, not yet completed). Prints the rate per `chunk`
    tasks to stderr as it goes; returns {"tasks", "seconds", "rate", "chunkRates", "minChunkRate"}.
    `count` must be positive: with none to create, no agent would ever finish and this would wait forever.
    """
    if count < 1 or chunk < 1:
        raise ValueError(f"seed needs count and chunk >= 1, got {count} and {chunk}: skip seeding instead")
    slots = threading.Semaphore(window)
    done_lock = threading.Lock()
    state = {"created": 0, "done": 0, "error": None}
    chunk_marks: list[float] = []
    finished = threading.Event()
    started = time.perf_counter()

    def creator(conn: Phone, index: int) -> None:
        try:
            while True:
                with done_lock:
                    if state["created"] >= count or state["error"]:
                        return
                    n = state["created"]
                    state["created"] += 1
                slots.acquire()
                conn.create_task(agents[n % len(agents)].agent_id, prompt=f"seed {n}")
        except Exception as err:  # noqa: BLE001 - reported by the caller
            state["error"] = err
            finished.set()

    def worker(agent: Agent) -> None:
        try:
            while not finished.is_set():
                reply = agent.poll(wait_ms=2000, max_tasks=8, report=False)
                for task in reply["tasks"]:
                    agent.update(task["taskId"], outputAppend="ok\n", status="completed", result={"exitCode": 0})
                    slots.release()
                    with done_lock:
                        state["done"] += 1
                        if state["done"] % chunk == 0:
                            chunk_marks.append(time.perf_counter())
                            a = chunk_marks[-2] if len(chunk_marks) > 1 else started
                            say(f"  seeding{label}: {state['done']}/{count} tasks, {chunk / (chunk_marks[-1] - a):.0f} tasks/s")
                        if state["done"] >= count:
                            finished.set()
        except Exception as err:  # noqa: BLE001
            state["error"] = err
            finished.set()

    creator_conns = [phone.another() for _ in range(creators)]
    threads = [threading.Thread(target=creator, args=(c, i), daemon=True) for i, c in enumerate(creator_conns)]
    threads += [threading.Thread(target=worker, args=(a,), daemon=True) for a in agents]
    for t in threads:
        t.start()
    finished.wait()
    elapsed = time.perf_counter() - started
    for t in threads:
        t.join(5)
    for c in creator_conns:
        c.close()
    if state["error"]:
        raise RuntimeError(f"seeding failed: {state['error']!r}")
    rates = []
    previous = started
    for mark in chunk_marks:
        rates.append(round(chunk / (mark - previous), 1))
        previous = mark
    return {"tasks": count, "seconds": round(elapsed, 2), "rate": round(count / elapsed, 1), "chunkRates": rates,
            "minChunkRate": min(rates) if rates else round(count / elapsed, 1)}  # fmt: skip


def common_args(parser) -> None:
    parser.add_argument("--keep", action="store_true", help="keep the relay's temp folder (config, data, log)")


# --- dispatch: create a task while the agent's long-poll is held --------------------------------


DISPATCH_PROMPT = "bench dispatch"


def measure_dispatch(phone: Phone, agent: Agent, tasks: int, *, settle: float = 0.02) -> dict[str, Any]:
    """For each of `tasks` tasks: wait until `agent` has a long-poll (waitMs 25000) in flight, let it
    settle into the relay's wait, then time POST /api/admin/tasks -> the poll's reply holding it.

    The agent reports each task completed before polling again (as a real one finishing quickly).
    Returns latencies in ms: dispatch (create sent -> task in the agent's hands) and the create
    request's own round trip, plus how many replies came from a held poll (heldMs > 0) and how many
    tasks reached the agent with their prompt (a replica that does not share task text hands them out empty).
    """
    import queue

    ready = threading.Event()
    got: queue.Queue = queue.Queue()
    errors: list[BaseException] = []

    def agent_loop() -> None:
        try:
            received = 0
            while received < tasks:
                ready.set()
                reply = agent.poll(wait_ms=25000, max_tasks=1)
                now = time.perf_counter()
                for task in reply["tasks"]:
                    received += 1
                    got.put((task["taskId"], now, reply["heldMs"], task.get("prompt") == DISPATCH_PROMPT))
                    agent.update(task["taskId"], status="completed", result={"exitCode": 0})
        except BaseException as err:  # noqa: BLE001
            errors.append(err)
            got.put(None)

    thread = threading.Thread(target=agent_loop, daemon=True)
    thread.start()
    dispatch, create_rtt, held, prompted = [], [], 0, 0
    for _ in range(tasks):
        if not ready.wait(30):
            raise RuntimeError("the agent did not poll again within 30 s")
        ready.clear()
        time.sleep(settle)
        sent = time.perf_counter()
        task = phone.create_task(agent.agent_id, prompt=DISPATCH_PROMPT)
        answered = time.perf_counter()
        item = got.get(timeout=30)
        if item is None:
            raise RuntimeError(f"agent failed: {errors[0]!r}")
        task_id, received, held_ms, with_prompt = item
        assert task_id == task["taskId"], (task_id, task["taskId"])
        dispatch.append(received - sent)
        create_rtt.append(answered - sent)
        held += held_ms > 0
        prompted += with_prompt
    thread.join(30)
    return {
        "tasks": tasks,
        "heldReplies": held,
        "withPrompt": prompted,
        "dispatchP50Ms": ms(percentile(dispatch, 50)), "dispatchP90Ms": ms(percentile(dispatch, 90)),
        "dispatchP99Ms": ms(percentile(dispatch, 99)), "dispatchMaxMs": ms(max(dispatch)),
        "createP50Ms": ms(percentile(create_rtt, 50)), "createP99Ms": ms(percentile(create_rtt, 99)),
    }  # fmt: skip


# --- held polls: agents holding long-polls -------------------------------------------------------

HELD_WAIT_MS = 25000


def hold_polls(agents, stop: threading.Event, counters: dict, lock: threading.Lock) -> list[threading.Thread]:
    """Each agent holds a long-poll (`HELD_WAIT_MS`), re-polled when it ends, until `stop`; `counters`
    (sent, answered, refused, errors) under `lock`. A poll the relay refused to hold (answered at once
    with nothing) counts as refused, and that agent waits 2.5 s as a real one would."""

    def loop(agent) -> None:
        try:
            while not stop.is_set():
                with lock:
                    counters["sent"] += 1
                reply = agent.poll(wait_ms=HELD_WAIT_MS, max_tasks=1)
                with lock:
                    counters["answered"] += 1
                    if not reply["tasks"] and not reply.get("cancelTaskIds") and reply["heldMs"] < HELD_WAIT_MS / 2:
                        counters["refused"] += 1
                        refused = True
                    else:
                        refused = False
                if refused:
                    stop.wait(2.5)
        except Exception as err:  # noqa: BLE001 - the relay going away at the end, or a real failure
            if not stop.is_set():
                with lock:
                    counters["errors"].append(repr(err))

    threads = [threading.Thread(target=loop, args=(a,), daemon=True) for a in agents]
    for t in threads:
        t.start()
    return threads


def on(relay: Relay, agent: Agent) -> Agent:
    """The same paired agent, talking to `relay` (another replica, or its own). Its kept-alive connection
    is closed first (it reconnects when used again): with N held polls the relay's connection limit
    (threads + 100) must not also carry N idle connections left from pairing."""
    agent.close()
    return Agent(relay, agent.agent_id, agent.token)


def split(relays: list[Relay], agents: list[Agent]) -> list[tuple[Relay, list[Agent]]]:
    """Agents dealt round-robin over the replicas (as Caddy's round robin would spread them)."""
    return [(relay, [on(relay, a) for a in agents[i :: len(relays)]]) for i, relay in enumerate(relays)]


def dispatch_across(poll_on: Relay, create_on: Relay, phone: Phone, agent: Agent, tasks: int) -> dict[str, Any]:
    """`measure_dispatch` with the agent's poll held on `poll_on` and the creates sent to `create_on`
    (the same relay, or another replica of it), after 10 uncounted warm-up tasks."""
    creator, poller = Phone(create_on, cookie=phone.cookie), on(poll_on, agent)
    try:
        measure_dispatch(creator, poller, 10)
        return {**measure_dispatch(creator, poller, tasks), "load": load()}
    finally:
        creator.close()
        poller.close()


def measure_held(relays: list[Relay], n: int, tasks: int, label: str) -> dict[str, Any]:
    """N agents paired through the first of `relays` (started; replicas of one config, or just one
    relay): N - 1 of them hold polls dealt round-robin over the relays, and dispatch to the other one
    is timed, its poll held on the first relay and the creates sent through the last. Stops the relays at the
    end (which ends the held polls). RSS and fd counts are lists, one per relay."""
    first, last = relays[0], relays[-1]
    phone = Phone(first)
    started = time.perf_counter()
    agents = pair_agents(first, phone, n, prefix=f"n{n}", close=True)
    say(f"{label}: relay pids {[r.pid for r in relays]}; paired {n} agents in {time.perf_counter() - started:.1f}s; "
        f"relay threads {[r.os_threads() for r in relays]} (load {load()})")  # fmt: skip
    rss_idle = [r.rss_mb() for r in relays]
    measured, idle = agents[0], agents[1:]
    stop, lock = threading.Event(), threading.Lock()
    counters = {"sent": 0, "answered": 0, "refused": 0, "errors": []}
    threads = hold_polls([a for _, group in split(relays, idle) for a in group], stop, counters, lock)
    deadline = time.monotonic() + 30
    while counters["sent"] < len(idle) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0 + n / 250)  # let the relays take them all into their wait
    rss_held = [r.rss_mb() for r in relays]
    fds = [len(os.listdir(f"/proc/{r.pid}/fd")) for r in relays]
    say(f"{label}: {counters['sent']} polls held, relay RSS {rss_held} MB, {fds} fds; dispatching {tasks} tasks (load {load()})")
    figures = dispatch_across(first, last, phone, measured, tasks)
    rss_after = [r.rss_mb() for r in relays]
    peak = [r.peak_rss_mb() for r in relays]
    stop.set()
    with lock:
        refused, answered, errors = counters["refused"], counters["answered"], list(counters["errors"])
    for relay in relays:
        relay.stop()
    for t in threads:
        t.join(5)
    if errors:
        raise RuntimeError(f"held polls failed: {errors[:3]}")
    return {"agents": n, "threadsPerRelay": first.threads, "dispatch": figures, "refusedHolds": refused,
            "idleRepliesDuringRun": answered, "rssIdleMb": rss_idle, "rssHeldMb": rss_held, "rssAfterMb": rss_after,
            "peakRssMb": peak, "fds": fds, "load": load()}  # fmt: skip


# --- idle polls: every agent polls back to back (waitMs 0) -----------------------------------------


def measure_idle(groups, seconds: float, warmup: float = 0.5, probes: dict[str, Any] | None = None) -> list[dict]:
    """Every agent of every (relay, agents) group polls back-to-back (waitMs 0) in its own thread,
    all in the same window; per group: polls finished in the window, latencies, relay CPU per poll.
    `probes` (name -> a function giving CPU seconds so far, e.g. of the database server) are read at
    the same marks; each group's `probeMsPerPoll` divides their CPU by the polls of all groups."""
    probes = probes or {}
    start_at = time.perf_counter() + warmup
    end_at = start_at + seconds
    errors: list[BaseException] = []
    body = {**AGENT_REPORT, "waitMs": 0, "maxTasks": 1}
    cpu: dict[tuple[int, str], float] = {}

    def loop(agent, out: list[float]) -> None:
        try:
            while True:
                t0 = time.perf_counter()
                if t0 >= end_at:
                    return
                reply = agent.ok("POST", "/api/agent/poll", body)
                t1 = time.perf_counter()
                assert reply["tasks"] == [], reply
                if t0 >= start_at and t1 <= end_at:
                    out.append(t1 - t0)
        except BaseException as err:  # noqa: BLE001
            errors.append(err)

    def cpu_marks() -> None:
        time.sleep(max(0.0, start_at - time.perf_counter()))
        for i, (relay, _) in enumerate(groups):
            cpu[i, "start"] = relay.cpu_seconds()
        for name, probe in probes.items():
            cpu[name, "start"] = probe()
        time.sleep(max(0.0, end_at - time.perf_counter()))
        for i, (relay, _) in enumerate(groups):
            cpu[i, "end"] = relay.cpu_seconds()
        for name, probe in probes.items():
            cpu[name, "end"] = probe()

    results = [[[] for _ in agents] for _, agents in groups]
    threads = [threading.Thread(target=cpu_marks, daemon=True)]
    for (_, agents), outs in zip(groups, results):
        threads += [threading.Thread(target=loop, args=(a, r), daemon=True) for a, r in zip(agents, outs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"poll failed: {errors[0]!r}")
    all_polls = max(sum(len(r) for outs in results for r in outs), 1)
    probed = {name: round((cpu[name, "end"] - cpu[name, "start"]) * 1000 / all_polls, 3) for name in probes}
    figures = []
    for i, outs in enumerate(results):
        latencies = [x for r in outs for x in r]
        figures.append({"polls": len(latencies), "pollsPerSec": round(len(latencies) / seconds, 1), "latencies": latencies,
                        "cpuMs": (cpu[i, "end"] - cpu[i, "start"]) * 1000,
                        "cpuMsPerPoll": round((cpu[i, "end"] - cpu[i, "start"]) * 1000 / max(len(latencies), 1), 3),
                        "probeMsPerPoll": probed})  # fmt: skip
    return figures
