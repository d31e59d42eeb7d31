"""Append-only audit log: every analyst action, export and registry change, with actor and time.

Entries are JSON lines chained by SHA-256 (each entry stores the hash of the previous one), so a
deleted or edited line is detectable with `verify()`. The evidence export signs the slice it includes.

A write cut short (full disk, kill during the write) leaves a torn last line. A failed append truncates
its own partial bytes; a torn tail found by the next append (e.g. after a crash) is moved to a quarantine
file beside the log and an `audit.gap` entry records its size and SHA-256 in the chain, so the log carries
on and the gap stays visible and checkable rather than silently repaired.

With the postgresql shared-state backend (config/state.yaml) the same entries go to one table shared by
every machine (`canhbao.core.audit_db`); the file is then not written.
"""

from __future__ import annotations

import fcntl
import getpass
import hashlib
import json
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from canhbao.core.errors import StorageError, storage_problem
from canhbao.core.records import sha256_hex, utcnow
from canhbao.core.state import StateSettings, load_settings

if TYPE_CHECKING:
    from canhbao.core.audit_db import SharedAuditTrail

GENESIS = "0" * 64
log = logging.getLogger("canhbao.audit")


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


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("hash"), str) else None


def _entry(line: bytes) -> AuditEntry | None:
    data = _parse(line)
    try:
        return AuditEntry(**data) if data is not None else None
    except TypeError:  # JSON, but not the fields of an entry
        return None


def _tail(raw: Any) -> tuple[str, int]:
    """(hash of the last complete entry, offset where a torn tail starts or -1), read from the end of the
    file so appends stay O(1) as the log grows."""
    raw.seek(0, os.SEEK_END)
    end = raw.tell()
    if end == 0:
        return GENESIS, -1
    block, tail, pos = 4096, b"", end
    while pos > 0:
        step = min(block, pos)
        pos -= step
        raw.seek(pos)
        tail = raw.read(step) + tail
        cut = tail.rfind(b"\n", 0, len(tail) - 1) if tail.endswith(b"\n") else tail.rfind(b"\n")
        if cut < 0 and pos > 0:
            continue  # the last line starts further back
        last = tail[cut + 1 :]
        entry = _parse(last.rstrip(b"\n")) if last.endswith(b"\n") else None
        if entry is not None:
            return str(entry["hash"]), -1
        torn_at = pos + cut + 1
        return _hash_before(raw, torn_at), torn_at
    return GENESIS, -1


def _hash_before(raw: Any, offset: int) -> str:
    """Hash of the last complete entry before `offset` (the start of a torn line); recovery only."""
    raw.seek(0)
    for line in reversed(raw.read(offset).splitlines()):
        entry = _parse(line)
        if entry is not None:
            return str(entry["hash"])
    return GENESIS


class AuditLog:
    """The deployment's audit log: the JSON-lines file at `path` (sqlite backend), or the shared table."""

    def __init__(self, path: Path, *, state: StateSettings | None = None):
        self.path = Path(path)
        self.shared: SharedAuditTrail | None = None
        state = state or load_settings()
        if state.backend == "postgresql":
            from canhbao.core.audit_db import SharedAuditTrail

            self.shared = SharedAuditTrail(state)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)

    @property
    def location(self) -> str:
        """Where the log is, for messages."""
        return str(self.path) if self.shared is None else "state database, table audit_log"

    def append(self, action: str, target: str, *, actor: str | None = None, **details: Any) -> AuditEntry:
        """Append one entry under an exclusive lock, so concurrent writers keep the chain intact."""
        if self.shared is not None:
            return self.shared.append(action, target, actor or current_actor(), details)
        with self._locked_tail() as (fh, prev, _torn):
            return self._write(fh, prev, action, target, actor or current_actor(), details)

    def recover(self) -> bool:
        """Quarantine a torn last line now (as the next append would); True if there was one. Readers that
        certify the chain (evidence export) call this first, so a crash's leftover does not block them.
        A database transaction is never torn: nothing to do there."""
        if self.shared is not None or not self.path.exists():
            return False
        with self._locked_tail() as (_fh, _prev, torn):
            return torn

    @contextmanager
    def _locked_tail(self) -> Iterator[tuple[Any, str, bool]]:
        """The log open for appending under an exclusive lock, with the hash to chain to and whether a torn
        last line was found; a torn line is already quarantined (the hash then is the gap record's)."""
        try:
            fh = open(self.path, "a+b")
        except OSError as exc:
            raise StorageError(self.path, f"audit log: {storage_problem(exc)}") from None
        with fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                prev, torn_at = _tail(fh)
                if torn_at >= 0:
                    prev = self._quarantine(fh, torn_at, prev)
                yield fh, prev, torn_at >= 0
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _write(
        self, fh: Any, prev: str, action: str, target: str, actor: str, details: Mapping[str, Any]
    ) -> AuditEntry:
        """Append one entry; on failure cut the file back to where it was, so no torn line is left."""
        body: dict[str, Any] = {
            "at": utcnow().isoformat(),
            "actor": actor,
            "action": action,
            "target": target,
            "details": dict(details),
            "prev": prev,
        }
        entry = AuditEntry(**body, hash=_digest(body))
        line = (json.dumps({**body, "hash": entry.hash}, ensure_ascii=False, sort_keys=True) + "\n").encode()
        start = fh.seek(0, os.SEEK_END)
        try:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        except OSError as exc:
            try:
                fh.truncate(start)
            except OSError:
                pass  # the next append quarantines what is left
            raise StorageError(self.path, f"audit log: {storage_problem(exc)}") from None
        return entry

    def _quarantine(self, fh: Any, torn_at: int, prev: str) -> str:
        """Move the torn tail to `<log>.torn`, truncate it off and chain an `audit.gap` entry recording it."""
        fh.seek(torn_at)
        torn = fh.read()
        qpath = self.path.with_name(self.path.name + ".torn")
        with open(qpath, "ab") as q:
            q.write(torn + (b"" if torn.endswith(b"\n") else b"\n"))
            q.flush()
            os.fsync(q.fileno())
        fh.truncate(torn_at)
        log.warning("audit log %s: torn last line (%d bytes) moved to %s", self.path, len(torn), qpath.name)
        gap = self._write(
            fh,
            prev,
            "audit.gap",
            str(self.path.name),
            "canhbao",
            {
                "torn_bytes": len(torn),
                "torn_sha256": hashlib.sha256(torn).hexdigest(),
                "quarantine": qpath.name,
                "offset": torn_at,
            },
        )
        return gap.hash

    def entries(self, target: str | None = None) -> Iterator[AuditEntry]:
        if self.shared is not None:
            yield from self.shared.entries(target)
            return
        if not self.path.exists():
            return
        with open(self.path, "rb") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                entry = _entry(line)
                if entry is None:  # torn by a crash; verify() reports it, the next append quarantines it
                    log.warning("audit log %s: line %d is incomplete, skipped", self.path, n)
                    continue
                if target is None or entry.target == target:
                    yield entry

    def verify(self) -> list[str]:
        """Problems found in the chain (empty list = intact). Streams the log; a line that is not an entry
        (a torn write not quarantined yet, or garbage) is a problem, not a crash."""
        if self.shared is not None:
            return self.shared.verify()
        problems: list[str] = []
        prev = GENESIS
        if not self.path.exists():
            return problems
        with open(self.path, "rb") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                entry = _entry(line)
                if entry is None:
                    problems.append(f"line {n}: not an audit entry (incomplete entry: a torn write?)")
                    prev = ""
                    continue
                problems += link_problems(f"line {n}", entry, prev)
                prev = entry.hash
        return problems


def link_problems(label: str, entry: AuditEntry, prev: str) -> list[str]:
    """One entry checked against the hash before it: the same check for the file log and the shared table."""
    body = {k: getattr(entry, k) for k in ("at", "actor", "action", "target", "details", "prev")}
    problems = []
    if entry.prev != prev:
        problems.append(f"{label}: previous-hash link broken (entry removed or reordered)")
    if _digest(body) != entry.hash:
        problems.append(f"{label}: content altered")
    return problems
