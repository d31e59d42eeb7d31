"""A test server run as a child process (OpenSearch node, Redis): started in its own session with its output
in a log file, then waited for until it answers, or reported with the log's tail if it exits first."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Callable


def start_logged(cmd: list[str], log_path: Path) -> subprocess.Popen:
    """Start `cmd` in a new session (so the whole group can be signalled), stdout and stderr to `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(
    proc: subprocess.Popen, log_path: Path, ready: Callable[[], bool], timeout: float, what: str, step: float = 0.5
) -> bool:
    """Poll `ready()` until it is true (True) or `timeout` passes (False); RuntimeError with the log's tail
    if the process exits meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{tail}")
        if ready():
            return True
        time.sleep(step)
    return False
