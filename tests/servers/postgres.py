"""An ephemeral PostgreSQL cluster for the tests: its own data dir, a unix socket, stopped after.

PostgreSQL refuses to run as root, so when the tests run as root the cluster belongs to the
`postgres` user (`runuser`) and lives in a directory that user owns. It listens on a socket in
that directory only (`listen_addresses=''`), so it can never collide with, or be mistaken for,
a server the machine already runs. A missing PostgreSQL is an error (the tests fail, never skip).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import attrs

SUPERUSER = "postgres"


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql; .ci/test does it)")
    return Path(found[-1]).parent


@attrs.define
class PostgresServer:
    """One running cluster; `dsn(db)` reaches database `db` as the superuser over the socket."""

    root: Path
    bin_dir: Path
    running: bool = False

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "run"

    def dsn(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@/{dbname}?host={self.socket_dir}"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)

    def start(self) -> None:
        log = self.root / "server.log"
        options = f"-c listen_addresses='' -c unix_socket_directories={self.socket_dir} -c fsync=off -c max_connections=200"
        self._run("pg_ctl", "start", "-w", "-D", str(self.data_dir), "-l", str(log), "-o", options)
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data_dir))
            self.running = False

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        return self._run("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", self.dsn(dbname), "-c", sql).stdout

    def create_database(self, name: str) -> str:
        """A new empty database; returns its DSN."""
        self.psql(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> PostgresServer:
    """initdb a fresh cluster in a new temp dir and start it."""
    bin_dir = _bin_dir()
    root = Path(tempfile.mkdtemp(prefix="mc-pg-"))
    server = PostgresServer(root=root, bin_dir=bin_dir)
    (root / "data").mkdir()
    (root / "run").mkdir()
    if os.geteuid() == 0:
        user = pwd.getpwnam(SUPERUSER)
        for path in (root, root / "data", root / "run"):
            os.chown(path, user.pw_uid, user.pw_gid)
    os.chmod(root / "data", 0o700)
    try:
        server._run("initdb", "-D", str(server.data_dir), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        server.start()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server
