"""Append-only audit log: every analyst action, export and registry change, with actor and time.

Entries are JSON lines chained by SHA-256 (each entry stores the hash of the previous one), so a
deleted or edited line is detectable with `verify()`. The evidence export signs the slice it includes.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from canhbao.core.records import sha256_hex, utcnow

GENESIS = "0" * 64


def current_actor() -> str:
    """Who is acting: `$CANHBAO_ACTOR` (set by a deployment's login wrapper), else the OS user."""
    return os.environ.get("CANHBAO_ACTOR") or getpass.getuser()


@dataclass(frozen=True)
class AuditEntry:
    at: str
    actor: str
    action: str
    target: str
    details: Mapping[str, Any]
    prev: str
    hash: str


def _digest(body: Mapping[str, Any]) -> str:
    return sha256_hex(json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


def _last_hash(fh: Any) -> str:
    """Hash of the last entry, read from the end of the file: appends stay O(1) as the log grows."""
    fh.seek(0, os.SEEK_END)
    end = fh.tell()
    if end == 0:
        return GENESIS
    raw = fh.buffer if hasattr(fh, "buffer") else fh
    block, tail = 4096, b""
    pos = end
    while pos > 0:
        step = min(block, pos)
        pos -= step
        raw.seek(pos)
        tail = raw.read(step) + tail
        lines = [ln for ln in tail.split(b"\n") if ln.strip()]
        if len(lines) >= 2 or (lines and pos == 0):
            last: str = json.loads(lines[-1])["hash"]
            return last
    return GENESIS


class AuditLog:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def append(self, action: str, target: str, *, actor: str | None = None, **details: Any) -> AuditEntry:
        """Append one entry under an exclusive lock, so concurrent writers keep the chain intact."""
        with open(self.path, "a+", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                prev = _last_hash(fh)
                body: dict[str, Any] = {
                    "at": utcnow().isoformat(),
                    "actor": actor or current_actor(),
                    "action": action,
                    "target": target,
                    "details": details,
                    "prev": prev,
                }
                entry = AuditEntry(**body, hash=_digest(body))
                fh.seek(0, os.SEEK_END)
                fh.write(json.dumps({**body, "hash": entry.hash}, ensure_ascii=False, sort_keys=True) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        return entry

    def entries(self, target: str | None = None) -> Iterator[AuditEntry]:
        if not self.path.exists():
            return
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    entry = AuditEntry(**json.loads(line))
                    if target is None or entry.target == target:
                        yield entry

    def verify(self) -> list[str]:
        """Problems found in the chain (empty list = intact). Streams the log; a line that is not an
        entry at all is a problem, not a crash."""
        problems: list[str] = []
        prev = GENESIS
        if not self.path.exists():
            return problems
        with open(self.path, encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    entry = AuditEntry(**json.loads(line))
                except (ValueError, TypeError):
                    problems.append(f"line {n}: not an audit entry")
                    prev = ""
                    continue
                body = {k: getattr(entry, k) for k in ("at", "actor", "action", "target", "details", "prev")}
                if entry.prev != prev:
                    problems.append(f"line {n}: previous-hash link broken (entry removed or reordered)")
                if _digest(body) != entry.hash:
                    problems.append(f"line {n}: content altered")
                prev = entry.hash
        return problems
