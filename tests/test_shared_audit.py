"""The audit log on the shared PostgreSQL backend: two machines' entries form one ordered hash chain that
keeps each real user; the table refuses changes, and the chain exposes one made past that refusal."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from contextlib import closing

import psycopg
import pytest

from canhbao.core.audit import AuditLog
from canhbao.core.home import Home

WRITER = """
import os, sys, time
from canhbao.core.audit import AuditLog
from canhbao.core.home import Home
home, go, n = Home.resolve(sys.argv[1]), sys.argv[2], int(sys.argv[3])
log = AuditLog(home.audit_log)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.005)
for i in range(n):
    log.append("alert.confirm", f"alert-{i % 5}", step=i)
print("done")
"""


def test_two_machines_write_one_ordered_trail(tmp_path, pg_state, monkeypatch):
    homes = {"lan": tmp_path / "machine-a", "minh": tmp_path / "machine-b"}
    procs = []
    for actor, home in homes.items():
        monkeypatch.setenv("CANHBAO_ACTOR", actor)  # what a deployment's login wrapper sets
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", WRITER, str(home), str(tmp_path / "go"), "60"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.communicate(timeout=60)
    (tmp_path / "go").touch()
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e for _, e in outs]

    trail = AuditLog(Home.resolve(tmp_path / "a-third-machine").audit_log)
    entries = list(trail.entries())
    assert Counter(e.actor for e in entries) == {"lan": 60, "minh": 60}
    assert trail.verify() == []  # one chain: each entry links to the one before it, whichever machine wrote it
    assert [e.prev for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert [e.at for e in entries] == sorted(e.at for e in entries)  # the database's clock, in chain order
    for actor in homes:  # each machine's own entries keep their own order
        assert [e.details["step"] for e in entries if e.actor == actor] == list(range(60))
    assert len(list(trail.entries("alert-3"))) == 24
    assert not any(h.joinpath("audit", "audit.jsonl").exists() for h in homes.values())  # no per-machine files
    switches = sum(a.actor != b.actor for a, b in zip(entries, entries[1:], strict=False))
    print(f"actor switches along the trail: {switches}")


def test_table_is_append_only_and_the_chain_shows_a_forced_edit(tmp_path, pg_state):
    log = AuditLog(tmp_path / "unused.jsonl")
    first = log.append("user.added", "lan", actor="hoa", role="analyst")
    log.append("alert.confirm", "a1", actor="lan")
    log.append("alert.dismiss", "a2", actor="lan")
    log.append("alert.note", "a1", actor="lan")
    assert log.recover() is False
    with closing(psycopg.connect(pg_state.dsn, autocommit=True)) as db:
        for sql in (
            "UPDATE audit_log SET actor = 'someone' WHERE seq = 2",
            "DELETE FROM audit_log WHERE seq = 3",
            "TRUNCATE audit_log",
        ):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                db.execute(sql)
        with pytest.raises(psycopg.errors.UniqueViolation):  # a second entry after the same one: a fork
            db.execute(
                "INSERT INTO audit_log(at, actor, action, target, details, prev, hash, host) "
                "VALUES ('t', 'x', 'y', 'z', '{}', %s, 'h', 'm')",
                (first.hash,),
            )
        assert log.verify() == []
        # the owner can switch the triggers off; the hash chain still tells
        db.execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
        db.execute("UPDATE audit_log SET details = %s WHERE seq = 2", (json.dumps({"note": "edited"}),))
        db.execute("DELETE FROM audit_log WHERE seq = 3")
        db.execute("ALTER TABLE audit_log ENABLE TRIGGER USER")
    assert log.verify() == [
        "entry 2: content altered",
        "entry 4: previous-hash link broken (entry removed or reordered)",
    ]
