"""Batches of work shared by any number of worker processes on any number of machines (PostgreSQL only).

A planner splits the outstanding work of a stage (media files to read, posts to analyse) into batches;
workers claim one at a time with `SELECT … FOR UPDATE SKIP LOCKED`, so two workers never take the same
batch and none waits for another. A claim is a lease: a worker killed mid-batch (even by SIGKILL) leaves
the lease to expire, and the next claim takes the batch again. A batch's results are written in the same
transaction that marks it done, and only by the worker that still holds its lease, so every batch's
results are committed exactly once.
"""

from __future__ import annotations

import json
import os
import socket
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from canhbao.core.errors import InputError
from canhbao.core.records import sha256_hex
from canhbao.core.state import Connection, SharedState, StateSettings, load_settings

STAGES = ("media", "detect")


@dataclass(frozen=True)
class Batch:
    id: str
    stage: str
    items: tuple[Any, ...]
    owner: str
    attempts: int


def worker_name() -> str:
    """host:pid — unique among live workers, and says where to look when a lease is held too long."""
    return f"{socket.gethostname()}:{os.getpid()}"


def batch_id(stage: str, items: Sequence[Any]) -> str:
    """Deterministic: planning the same outstanding work twice adds no batch."""
    return f"{stage}:{sha256_hex(json.dumps(list(items), ensure_ascii=False, sort_keys=True))[:24]}"


class WorkQueue(SharedState):
    def __init__(self, state: StateSettings | None = None):
        state = state or load_settings()
        if state.backend != "postgresql":  # refused before the base class would open a SQLite file in the cwd
            raise InputError("config/state.yaml", "the work queue needs backend: postgresql")
        super().__init__(Path("work_batches"), state=state)

    def plan(self, stage: str, batches: Sequence[Sequence[Any]]) -> list[str]:
        """Add batches (each a list of JSON-able items); returns the ids of every given batch."""
        ids = [batch_id(stage, items) for items in batches]
        with closing(self._connect()) as db, db:
            db.executemany(
                "INSERT INTO work_batches(id, stage, items) VALUES (?,?,?) ON CONFLICT(id) DO NOTHING",
                [(i, stage, json.dumps(list(b), ensure_ascii=False)) for i, b in zip(ids, batches, strict=True)],
            )
        return ids

    def open_items(self, stage: str) -> list[Any]:
        """Items of batches planned but not done (a re-plan leaves them to their batches)."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT items FROM work_batches WHERE stage=? AND done_at IS NULL", (stage,))
            return [item for (items,) in rows for item in json.loads(items)]

    def claim(self, stage: str, owner: str, lease_s: float, batch: str | None = None) -> Batch | None:
        """Take the next open batch of `stage` (or exactly `batch`) whose lease is free or expired."""
        where = "stage=? AND done_at IS NULL AND (lease_until IS NULL OR lease_until < now())"
        args: list[Any] = [owner, float(lease_s), stage]
        if batch is not None:
            where += " AND id=?"
            args.append(batch)
        with closing(self._connect()) as db, db:
            row = db.execute(
                "UPDATE work_batches SET lease_owner=?, lease_until=now() + make_interval(secs => ?), "
                "attempts=attempts+1 WHERE id = (SELECT id FROM work_batches WHERE "
                + where
                + " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, items, attempts",
                args,
            ).fetchone()
        if row is None:
            return None
        return Batch(id=row[0], stage=stage, items=tuple(json.loads(row[1])), owner=owner, attempts=row[2])

    def renew(self, batch: Batch, lease_s: float) -> bool:
        """Extend the lease while working on a long batch; False if it was lost (expired and taken)."""
        with closing(self._connect()) as db, db:
            cur = db.execute(
                "UPDATE work_batches SET lease_until=now() + make_interval(secs => ?) "
                "WHERE id=? AND lease_owner=? AND done_at IS NULL",
                (float(lease_s), batch.id, batch.owner),
            )
            return cur.rowcount == 1

    def complete(self, batch: Batch, write: Callable[[Connection], dict]) -> dict | None:
        """Mark `batch` done and run `write(db)` (its results) in one transaction, if this worker still
        holds the lease; otherwise write nothing and return None (another worker owns the batch now)."""
        with closing(self._connect()) as db, db:
            held = db.execute(
                "SELECT 1 FROM work_batches WHERE id=? AND lease_owner=? AND done_at IS NULL FOR UPDATE",
                (batch.id, batch.owner),
            ).fetchone()
            if held is None:
                return None
            result = write(db)
            db.execute(
                "UPDATE work_batches SET done_at=now(), done_by=?, result=? WHERE id=?",
                (batch.owner, json.dumps(result, ensure_ascii=False), batch.id),
            )
        return result

    def is_done(self, batch: str) -> bool:
        with closing(self._connect()) as db:
            row = db.execute("SELECT done_at IS NOT NULL FROM work_batches WHERE id=?", (batch,)).fetchone()
        return bool(row and row[0])

    def counts(self, stage: str) -> dict[str, int]:
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT COUNT(*) FILTER (WHERE done_at IS NOT NULL), "
                "COUNT(*) FILTER (WHERE done_at IS NULL AND lease_until > now()), "
                "COUNT(*) FILTER (WHERE done_at IS NULL AND (lease_until IS NULL OR lease_until <= now())) "
                "FROM work_batches WHERE stage=?",
                (stage,),
            ).fetchone()
        return {"done": row[0], "leased": row[1], "open": row[2]}

    def batches(self, stage: str) -> list[dict[str, Any]]:
        """Every batch of a stage with its lease and result (for reports and tests)."""
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT id, attempts, lease_owner, done_by, done_at IS NOT NULL, result "
                "FROM work_batches WHERE stage=? ORDER BY id",
                (stage,),
            ).fetchall()
        return [
            {
                "id": r[0],
                "attempts": r[1],
                "lease_owner": r[2],
                "done_by": r[3],
                "done": r[4],
                "result": json.loads(r[5]) if r[5] else None,
            }
            for r in rows
        ]
