"""OCR and detection spread over worker processes that share a real PostgreSQL: batches claimed with
FOR UPDATE SKIP LOCKED under an expiring lease, results committed once, a SIGKILLed worker's batch
finished by another. The alerts must be exactly those of the single-process SQLite scan."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest
from test_scan_pipeline import registered_home, scan_home  # noqa: F401 - fixtures: the scan's world

from canhbao.core.posts import PostStore
from canhbao.core.state import StateSettings
from canhbao.pipeline import workers
from canhbao.pipeline.scan import run_scan
from canhbao.pipeline.settings import ScanSettings
from canhbao.pipeline.stages import ledger_for
from canhbao.pipeline.workqueue import WorkQueue


@pytest.fixture
def pg_env(pg_state):
    return pg_state


def test_claims_skip_locked_leases_expire_and_a_lost_lease_commits_nothing(pg_env):
    q = WorkQueue()
    ids = q.plan("detect", [["s:1"], ["s:2"]])
    assert q.plan("detect", [["s:1"], ["s:2"]]) == ids and q.counts("detect")["open"] == 2  # idempotent
    a = q.claim("detect", "a", lease_s=0.5)
    b = q.claim("detect", "b", lease_s=30)
    assert a and b and a.id != b.id
    assert q.claim("detect", "c", lease_s=30) is None  # both leased
    time.sleep(0.8)
    c = q.claim("detect", "c", lease_s=30)  # a's lease expired: its batch is free again
    assert c is not None and c.id == a.id and c.attempts == 2
    assert q.complete(a, lambda db: {"by": "a"}) is None  # a lost it: nothing written
    assert q.complete(c, lambda db: {"by": "c"}) == {"by": "c"}
    assert q.complete(c, lambda db: {"by": "c"}) is None  # done once
    assert q.renew(b, 30) and q.complete(b, lambda db: {"by": "b"})
    assert {r["id"]: r["done_by"] for r in q.batches("detect")} == {a.id: "c", b.id: "b"}


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "canhbao", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def _finish(*procs: subprocess.Popen) -> list[str]:
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-2000:]
        outs.append(out)
    return outs


def sqlite_reference_then_postgresql(home, monkeypatch, seeds, dsn: str) -> tuple[set[str], list]:
    """The alert ids of the ordinary single-process SQLite scan of `home` (the reference), and its posts; then
    the same world in the PostgreSQL database at `dsn`, which the environment points at from then on: posts
    and registry rows (files and media stay in the data home)."""
    from canhbao.registry import Registry

    monkeypatch.setenv("CANHBAO_INDEX__ENGINE", "sqlite")
    monkeypatch.setenv("CANHBAO_STATE__BACKEND", "sqlite")
    run_scan(home, crawl=False, progress=False, settings=ScanSettings(workers=1, batch_size=3))
    expected = ledger_for(home).alert_ids()
    assert len(expected) >= 4
    posts = list(PostStore(home.posts_db).iter())
    monkeypatch.setenv("CANHBAO_STATE__BACKEND", "postgresql")
    monkeypatch.setenv("CANHBAO_STATE__DSN", dsn)
    monkeypatch.setenv("CANHBAO_HOME", str(home.root))
    PostStore(home.posts_db).put_many(posts)
    with Registry.open(home) as registry:
        for seed in seeds:
            if seed.name[:3] in ("000", "001"):
                registry.add(seed.path)
    return expected, posts


def test_two_workers_race_and_one_is_killed_mid_batch(scan_home, pg_env, monkeypatch, seeds):  # noqa: F811
    expected, posts = sqlite_reference_then_postgresql(scan_home, monkeypatch, seeds, pg_env.dsn)
    queue = WorkQueue()
    # one OCR batch of the three files (the screenshot takes seconds to read): A is killed inside it
    assert len(workers.plan(scan_home, "media", batch_size=3)) == 1

    # worker A claims the OCR batch and is SIGKILLed while reading it
    a = _cli("work", "run", "media", "--lease", "3")
    held = None
    deadline = time.monotonic() + 300
    while held is None and time.monotonic() < deadline and a.poll() is None:
        held = next(
            (
                b
                for b in queue.batches("media")
                if b["lease_owner"] and b["lease_owner"].endswith(f":{a.pid}") and not b["done"]
            ),
            None,
        )
        time.sleep(0.02)
    assert held is not None, "worker A never claimed a batch: " + (a.stderr.read() if a.poll() is not None else "")
    os.kill(a.pid, signal.SIGKILL)
    a.wait(timeout=30)
    killed = next(b for b in queue.batches("media") if b["id"] == held["id"])
    assert not killed["done"], "A finished its batch before the kill: not a mid-batch kill"

    # B and C race for A's batch once its lease expires: one takes it, the other waits until it is done
    outs = _finish(_cli("work", "run", "media", "--lease", "60"), _cli("work", "run", "media", "--lease", "60"))
    media = queue.batches("media")
    assert all(b["done"] for b in media)
    redone = next(b for b in media if b["id"] == held["id"])
    assert redone["attempts"] == 2 and not redone["done_by"].endswith(f":{a.pid}")
    assert sum(b["result"]["items"] for b in media) == 3 and sum(b["result"]["unreadable"] for b in media) == 1
    assert ledger_for(scan_home).counts()["media"] == 3, outs

    # detection: one post per batch, two workers racing over the same queue
    assert len(workers.plan(scan_home, "detect", batch_size=1)) == len(posts)
    assert workers.plan(scan_home, "detect", batch_size=1) == []  # planned work is not planned twice
    _finish(_cli("work", "run", "detect"), _cli("work", "run", "detect"))
    batches = queue.batches("detect")
    assert all(b["done"] and b["attempts"] == 1 for b in batches)
    assert ledger_for(scan_home).alert_ids() == expected  # none lost, none extra
    assert sum(b["result"]["alerts"] for b in batches) == len(expected)  # each alert committed by one batch
    assert sum(b["result"]["new_alerts"] for b in batches) == len(expected)
    assert ledger_for(scan_home).counts()["analysed"] == len(posts)
    owners = {b["done_by"] for b in batches}
    print("detect batches per worker:", {o: sum(b["done_by"] == o for b in batches) for o in owners})


def test_dag_helpers_map_over_batches_on_postgresql_and_once_on_sqlite(tmp_path, monkeypatch, pg_env):
    """What the nightly DAG's mapped tasks call: one id per batch, each worked by its own task instance."""
    from canhbao.core.home import Home
    from canhbao.core.records import Post

    home = Home.resolve(tmp_path / "home")
    monkeypatch.setenv("CANHBAO_STATE__BACKEND", "sqlite")
    assert workers.dag_plan(home, "detect", 2) == [None] and workers.dag_work(home, "detect", None) == {}
    monkeypatch.setenv("CANHBAO_STATE__BACKEND", "postgresql")
    assert workers.dag_plan(home, "detect", 2) == [None]  # nothing outstanding: one no-op task
    PostStore(home.posts_db).put_many(
        [
            Post(
                source="s",
                platform="telegram",
                post_id=str(i),
                url=f"u{i}",
                captured_at=datetime.now(timezone.utc),
                text="Giá xăng giảm 300 đồng",
            )
            for i in range(3)
        ]
    )
    later = datetime.now(timezone.utc).replace(year=2100)
    assert workers.plan(home, "detect", batch_size=2, since=later) == []  # only posts stored since then
    ids = workers.dag_plan(home, "detect", 2)
    assert len(ids) == 2 and None not in ids

    for bid in ids:
        assert workers.dag_work(home, "detect", bid)["batches"] == 1
    assert ledger_for(home).counts()["analysed"] == 3 and all(b["done"] for b in WorkQueue().batches("detect"))


def test_work_queue_on_sqlite_is_a_one_line_error_and_writes_nothing(tmp_path, monkeypatch):
    from canhbao.core.errors import InputError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="needs backend: postgresql"):
        WorkQueue(StateSettings(backend="sqlite"))
    assert list(tmp_path.iterdir()) == []  # no stray database in the working directory
