"""Progress reporting: a bar per stage on a terminal, plain log lines otherwise (Airflow logs, CI)."""

from __future__ import annotations

import logging
import sys
import time

log = logging.getLogger("canhbao.scan")


class Progress:
    def __init__(self, stage: str, total: int | None = None, *, enabled: bool = True):
        self.stage, self.total, self.done = stage, total, 0
        self._bar = None
        self._last = 0.0
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=stage, unit="item", leave=False)

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        elif time.monotonic() - self._last > 5:
            self._last = time.monotonic()
            of = f"/{self.total}" if self.total else ""
            log.info("%s: %d%s", self.stage, self.done, of)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
