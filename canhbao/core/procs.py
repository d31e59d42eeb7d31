"""Child processes that never outlive the process that started them.

A killed scan used to leave its OCR workers running, and a crawl task terminated by Airflow left its
crawl child (and Chromium) crawling. Two mechanisms, because a SIGKILL runs no Python code:
- `die_with_parent()`, called first thing in a child, asks Linux to SIGKILL it when its parent dies
  (prctl PR_SET_PDEATHSIG), whatever killed the parent;
- `reaped_on_exit(proc)` kills a child's whole process group when the parent is terminated (SIGTERM) or
  the waiting code raises (a task timeout), so grandchildren such as Chromium go too.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager
from typing import Any, Iterator

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL, parent_pid: int | None = None) -> None:
    """Have the kernel send `sig` to this process when its parent exits (Linux; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if parent_pid is not None and os.getppid() != parent_pid:  # the parent died before prctl took effect
        os.kill(os.getpid(), sig)


def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@contextmanager
def reaped_on_exit(proc: subprocess.Popen[Any]) -> Iterator[None]:
    """Kill `proc`'s process group (it must run in its own session) if this block raises or this process
    is sent SIGTERM; a previous SIGTERM handler (Airflow's) still runs afterwards."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGTERM) if main else None

    def on_term(signum: int, frame: Any) -> None:
        kill_group(proc.pid)
        if callable(previous):
            previous(signum, frame)
        else:  # default disposition: die of the same signal, as if no handler were installed
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)

    if main:
        signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    except BaseException:
        kill_group(proc.pid)
        raise
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
