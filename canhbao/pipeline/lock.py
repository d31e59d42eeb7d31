"""One scan at a time per data home.

Two scans on one home used to interleave: one analysed a post the other had just crawled before its image
was read, and both wrote the same scan record. `scan_lock` is an advisory `flock` on `<home>/scan.lock`
(released by the kernel when the holder dies, so a killed scan never leaves a stale lock); the file says
who holds it, for the message the second scan prints.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from contextlib import contextmanager
from typing import Iterator

from canhbao.core.errors import CanhbaoError
from canhbao.core.home import Home
from canhbao.core.records import utcnow


class ScanBusy(CanhbaoError):
    """Another scan holds the data home."""


@contextmanager
def scan_lock(home: Home, what: str = "scan", *, wait_s: float = 0.0, poll_s: float = 1.0) -> Iterator[None]:
    """Hold the home's scan lock for the block; wait up to `wait_s` for another holder, then `ScanBusy`."""
    path = home.root / "scan.lock"
    fh = open(path, "a+", encoding="utf-8")
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ScanBusy(
                        f"{home.root}: another scan is running on this data home ({_holder(path)}); "
                        "wait for it to finish or use another --home"
                    ) from None
                time.sleep(poll_s)
        fh.seek(0)
        fh.truncate()
        fh.write(
            json.dumps(
                {
                    "what": what,
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "since": utcnow().isoformat(timespec="seconds"),
                }
            )
        )
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        fh.close()


def _holder(path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "holder unknown"
    return f"{info.get('what', 'scan')} pid {info.get('pid')} on {info.get('host')} since {info.get('since')}"
