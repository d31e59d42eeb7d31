"""Issue 13: a read-only home, a corrupt database or a full disk give one line naming the file, not a
traceback; a killed scan leaves no OCR worker behind."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "canhbao", *args]
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "CANHBAO_INDEX__ENGINE": "sqlite", **(env or {})},
    )


def _one_line(out: subprocess.CompletedProcess) -> str:
    err = out.stderr.strip()
    assert out.returncode == 2, out.stderr[-2000:]
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_corrupt_pipeline_ledger_is_one_line(tmp_path):
    home = tmp_path / "home"
    (home / "analysis").mkdir(parents=True)
    (home / "analysis" / "pipeline.sqlite").write_bytes(b"garbage, not SQLite " * 200)
    err = _one_line(_cli("--home", str(home), "scan", "--no-crawl"))
    assert "pipeline.sqlite" in err and "not a database" in err


def _can_mount_read_only(path: Path) -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount --bind -o ro '{path}' '{path}'"], capture_output=True, timeout=30
    )
    return probe.returncode == 0


def test_read_only_home_is_one_line(tmp_path):
    """The home on a read-only file system (a read-only bind mount in a private mount namespace)."""
    import shlex

    home = tmp_path / "home"
    (home / "posts").mkdir(parents=True)
    if not _can_mount_read_only(home):
        pytest.skip("no private mount namespace here (unshare -m needs CAP_SYS_ADMIN)")
    cli = shlex.join([sys.executable, "-m", "canhbao", "--home", str(home), "scan", "--no-crawl"])
    out = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount --bind -o ro '{home}' '{home}' && exec {cli}"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "CANHBAO_INDEX__ENGINE": "sqlite"},
    )
    err = _one_line(out)
    assert str(home) in err and ("not writable" in err or "cannot write" in err), err


def test_full_database_is_named_as_a_full_disk(tmp_path):
    """SQLite's own "database or disk is full" (max_page_count reached), as a full disk raises it."""
    from canhbao.core.sqlite import connect, database_problem

    db = connect(tmp_path / "x.sqlite")
    db.execute("CREATE TABLE t (b BLOB)")
    db.commit()
    db.execute("PRAGMA max_page_count = 8")
    with pytest.raises(sqlite3.OperationalError) as info:
        for _ in range(100):
            db.execute("INSERT INTO t VALUES (?)", (os.urandom(4096),))
    assert "disk full" in database_problem(info.value)


def test_corrupt_file_open_is_a_storage_error(tmp_path):
    from canhbao.core.errors import StorageError
    from canhbao.core.sqlite import connect

    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"\x00not sqlite" * 500)
    with pytest.raises(StorageError, match="bad.sqlite: not a database"):
        connect(bad)


_SCAN = """
import sys
from canhbao.core.home import Home
from canhbao.pipeline.stages import media_stage
media_stage(Home.resolve(sys.argv[1]), workers=2, progress=False)
"""


def _children(pid: int) -> set[int]:
    out = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.add(int(proc.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_killed_scan_leaves_no_ocr_worker(tmp_path, seeds):
    """SIGKILL the scan while its OCR pool works: the workers die with it (they used to run on)."""
    import io
    from datetime import datetime, timezone

    from canhbao.core.home import Home
    from canhbao.core.posts import PostStore
    from canhbao.core.records import Media, Post, sha256_hex
    from canhbao.testing import distort
    from canhbao.testing.samples import render_layout

    home = Home.resolve(tmp_path / "home")
    posts = []
    for n in range(4):
        buf = io.BytesIO()
        distort.apply("photo", render_layout(seeds[n % len(seeds)].text)[0], seed=n).save(buf, "JPEG", quality=90)
        data = buf.getvalue()
        sha = sha256_hex(data)
        path = home.blob_path(home.media, sha, ".jpg")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        posts.append(
            Post(
                source="s",
                platform="telegram",
                post_id=str(n),
                url=f"https://t.me/s/s/{n}",
                captured_at=datetime.now(timezone.utc),
                text="",
                media=(
                    Media(
                        url=f"https://cdn/{n}.jpg",
                        sha256=sha,
                        path=str(path.relative_to(home.root)),
                        mime="image/jpeg",
                        size=len(data),
                    ),
                ),
            )
        )
    PostStore(home.posts_db).put_many(posts)
    proc = subprocess.Popen([sys.executable, "-c", _SCAN, str(home.root)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        workers = {
            c
            for c in _children(proc.pid)
            if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()
            or "multiprocessing" in Path(f"/proc/{c}/cmdline").read_text()
        }
        if len(workers) >= 2:
            break
        time.sleep(0.1)
    assert proc.poll() is None and workers, "the OCR pool never started: " + proc.stderr.read().decode()[-800:]
    time.sleep(1.0)  # the workers are busy with OCR
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.2)
    left = [w for w in workers if _alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert not left, f"orphaned OCR workers: {left}"


def test_full_disk_is_one_line(tmp_path):
    """The home on a real, full file system (a 256 KiB tmpfs filled up, in a private mount namespace)."""
    import shlex

    home = tmp_path / "home"
    home.mkdir()
    if not _can_mount_read_only(home):
        pytest.skip("no private mount namespace here (unshare -m needs CAP_SYS_ADMIN)")
    cli = shlex.join([sys.executable, "-m", "canhbao", "--home", str(home), "alerts", "list"])
    script = (
        f"mount -t tmpfs -o size=256k tmpfs '{home}' && "
        f"dd if=/dev/zero of='{home}/fill' bs=4k count=1000 2>/dev/null; exec {cli}"
    )
    out = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "CANHBAO_INDEX__ENGINE": "sqlite"},
    )
    err = _one_line(out)
    assert str(home) in err and "disk full" in err, err
