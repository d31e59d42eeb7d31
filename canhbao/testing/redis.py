"""A real Redis server on 127.0.0.1 for tests, from Debian's `redis-server` package (the Celery broker of
the compose `scale` profile): an ordinary process on a free port, data in a private directory, no
persistence, no system service touched."""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

from canhbao.testing.child import start_logged, wait_ready


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def available() -> bool:
    return shutil.which("redis-server") is not None


class RedisServer:
    """`with RedisServer(dir) as r: r.url(0)` -> redis://127.0.0.1:PORT/0."""

    def __init__(self, base_dir: Path, port: int | None = None):
        self.dir = Path(base_dir)
        self.port = port or _free_port()
        self.proc: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self, timeout: float = 30.0) -> "RedisServer":
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("redis-server not found; install Debian's redis-server package")
        # --save "" and no AOF: nothing written to disk; protected mode stays on (loopback only)
        args = f"--port {self.port} --bind 127.0.0.1 --appendonly no --daemonize no".split()
        log = self.dir / "redis.log"
        self.proc = start_logged([exe, *args, "--dir", str(self.dir), "--save", ""], log)
        if wait_ready(self.proc, log, self._ping, timeout, "redis-server", step=0.1):
            return self
        self.stop()
        raise RuntimeError(f"redis-server did not answer on 127.0.0.1:{self.port} within {timeout:.0f} s")

    def _ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
