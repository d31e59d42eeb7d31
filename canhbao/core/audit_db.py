"""The audit log in the shared PostgreSQL database (Alembic revision 0006): one ordered, hash-chained trail
for every worker and machine of a deployment, instead of one JSON-lines file in each machine's data home.

An append takes a transaction-scoped advisory lock, reads the last hash and inserts the entry chained to
it, so appends from any number of processes form one chain in `seq` order; `UNIQUE (prev)` turns a writer
that skipped the lock into an error rather than a fork. The time comes from the database's clock, so the
trail's times rise with `seq` even when machines' clocks disagree. Rows cannot be updated or deleted
(triggers); `verify()` recomputes the chain, which still shows an edit made past the triggers.
"""

from __future__ import annotations

import json
import socket
from contextlib import closing
from datetime import timezone
from typing import Any, Iterator, Mapping

from canhbao.core.audit import GENESIS, AuditEntry, _digest, link_problems
from canhbao.core.state import Connection, PgConnection, StateSettings, ensure_schema

LOCK_KEY = 0x61756474  # "audt": serialises appends to the one chain


class SharedAuditTrail:
    def __init__(self, state: StateSettings):
        self.state = state
        ensure_schema(state.dsn)

    def _connect(self) -> Connection:
        return PgConnection(self.state.dsn, self.state.connect_timeout_s)

    def append(self, action: str, target: str, actor: str, details: Mapping[str, Any]) -> AuditEntry:
        with closing(self._connect()) as db, db:
            db.execute("SELECT pg_advisory_xact_lock(?)", (LOCK_KEY,))
            row = db.execute("SELECT hash, clock_timestamp() FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
            if row is None:
                row = (GENESIS, db.execute("SELECT clock_timestamp()").fetchone()[0])
            body: dict[str, Any] = {
                "at": row[1].astimezone(timezone.utc).isoformat(),
                "actor": actor,
                "action": action,
                "target": target,
                "details": dict(details),
                "prev": row[0],
            }
            entry = AuditEntry(**body, hash=_digest(body))
            db.execute(
                "INSERT INTO audit_log(at, actor, action, target, details, prev, hash, host) VALUES (?,?,?,?,?,?,?,?)",
                (
                    entry.at,
                    actor,
                    action,
                    target,
                    json.dumps(body["details"], ensure_ascii=False, sort_keys=True),
                    entry.prev,
                    entry.hash,
                    socket.gethostname(),
                ),
            )
        return entry

    def _rows(self, target: str | None) -> Iterator[tuple[int, AuditEntry]]:
        where, args = ("WHERE target = ?", (target,)) if target is not None else ("", ())
        sql = f"SELECT seq, at, actor, action, target, details, prev, hash FROM audit_log {where} ORDER BY seq"
        with closing(self._connect()) as db, db:
            for seq, at, actor, action, tgt, details, prev, digest in db.rows(sql, args):
                yield seq, AuditEntry(at, actor, action, tgt, json.loads(details), prev, digest)

    def entries(self, target: str | None = None) -> Iterator[AuditEntry]:
        for _seq, entry in self._rows(target):
            yield entry

    def verify(self) -> list[str]:
        """Problems in the chain, in the words of the file log's `verify()` (entry = `seq`)."""
        problems: list[str] = []
        prev = GENESIS
        for seq, e in self._rows(None):
            problems += link_problems(f"entry {seq}", e, prev)
            prev = e.hash
        return problems
