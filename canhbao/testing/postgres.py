"""A real PostgreSQL server on 127.0.0.1 for tests and benchmarks, from Debian's `postgresql` package.

`initdb` + `pg_ctl` into a private directory, run as an ordinary user (PostgreSQL refuses to run as
root), listening on a free port and a socket in that directory; no system service is touched.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found; install Debian's postgresql package")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """`with PostgresServer(dir) as pg: pg.create_database("x")` -> a DSN such as
    postgresql://canhbao@127.0.0.1:PORT/x (trust authentication, loopback only)."""

    user = "canhbao"

    def __init__(self, base_dir: Path, port: int | None = None, os_user: str = "nobody"):
        self.dir = Path(base_dir)
        self.data = self.dir / "data"
        self.port = port or _free_port()
        self.os_user = os_user if os.geteuid() == 0 else None  # only root needs to drop privileges
        self.bin = _bindir()

    @property
    def dsn(self) -> str:
        return self.dsn_for("postgres")

    def dsn_for(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.os_user:
            cmd = ["runuser", "-u", self.os_user, "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=120)

    def start(self) -> "PostgresServer":
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.os_user:
            entry = pwd.getpwnam(self.os_user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        if not (self.data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        opts = f"-k {self.dir} -p {self.port} -h 127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.dir / "server.log"), "-w", "-t", "60", "start"
        )
        deadline = time.monotonic() + 30
        while self._run("pg_isready", "-h", "127.0.0.1", "-p", str(self.port), check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not come up; see {self.dir / 'server.log'}")
            time.sleep(0.2)
        return self

    def create_database(self, name: str) -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name)
        return self.dsn_for(name)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def __enter__(self) -> "PostgresServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def available() -> bool:
    try:
        _bindir()
    except RuntimeError:
        return False
    return shutil.which("runuser") is not None or os.geteuid() != 0
