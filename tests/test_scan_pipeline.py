"""The scan pipeline over a real post store, real images, real OCR and real detectors (no crawl here:
crawling has its own tests; `test_demo.py` runs the whole chain against the local sample site)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from canhbao.core.home import Home
from canhbao.core.posts import PostStore
from canhbao.core.records import Media, Post, sha256_hex
from canhbao.pipeline.scan import run_scan
from canhbao.pipeline.settings import ScanSettings
from canhbao.pipeline.stages import ledger_for

CORRUPT = b"\xff\xd8\xff\xe0 truncated jpeg"
CAPTURED = datetime(2021, 9, 1, 8, 0, tzinfo=timezone.utc)
QUOTE = (
    "Nhằm đảm bảo quản lý hệ thống thông tin trên báo chí và mạng xã hội, Sở Y tế ghi nhận những thông tin "
    "phản ánh về công tác y tế tại các đơn vị trực thuộc chưa đầy đủ, kịp thời và còn có một số thông tin "
    "chưa chính xác, thiếu dẫn chứng hoặc phân tích chuyên môn"
)


def _store_media(home: Home, data: bytes, suffix: str = ".jpg") -> Media:
    sha = sha256_hex(data)
    path = home.blob_path(home.media, sha, suffix)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return Media(
        url=f"https://cdn.example/{sha[:8]}{suffix}",
        sha256=sha,
        path=str(path.relative_to(home.root)),
        mime="image/jpeg",
        size=len(data),
    )


def _post(pid: str, text: str = "", media: tuple[Media, ...] = ()) -> Post:
    return Post(
        source="kenh_test",
        platform="telegram",
        post_id=pid,
        url=f"https://t.me/s/kenh_test/{pid}",
        captured_at=CAPTURED,
        text=text,
        media=media,
    )


@pytest.fixture(scope="module")
def registered_home(tmp_path_factory, seeds):
    """A data home with two registered seed letters (000 and 001)."""
    from canhbao.registry import Registry

    root = tmp_path_factory.mktemp("scanhome")
    home = Home.resolve(root)
    with Registry.open(home) as registry:
        for seed in seeds:
            if seed.name[:3] in ("000", "001"):
                registry.add(seed.path)
    return home


def _copy_home(src: Home, dst: Path) -> Home:
    import shutil

    shutil.copytree(src.root, dst)
    return Home.resolve(dst)


@pytest.fixture
def scan_home(registered_home, tmp_path, seeds):
    """Registered documents plus a day of posts: leaks (image and quote), a shared image, PII, ordinary, corrupt."""
    import io

    from canhbao.testing import distort
    from canhbao.testing.samples import render_layout

    home = _copy_home(registered_home, tmp_path / "home")
    letter = {s.name[:3]: s for s in seeds}["000"]
    buf = io.BytesIO()
    distort.apply("screenshot", render_layout(letter.text)[0], seed=3).save(buf, "JPEG", quality=85)
    screenshot = _store_media(home, buf.getvalue())
    buf = io.BytesIO()
    distort.synthetic_photo(seed=5).save(buf, "JPEG", quality=85)
    photo = _store_media(home, buf.getvalue())
    corrupt = _store_media(home, CORRUPT, ".jpg")
    PostStore(home.posts_db).put_many(
        [
            _post("1", "Văn bản mật của tỉnh đây mọi người", (screenshot,)),
            _post("2", "Chia sẻ lại", (screenshot,)),  # the same image again: OCR once, two alerts
            _post("3", f'Trích công văn: "{QUOTE}". Mọi người lưu ý.'),
            _post(
                "4",
                "Bệnh nhân BN 4521 là ông Nguyễn Văn Hùng, 45 tuổi, nhà số 12 đường Trần Phú, phường Vĩnh "
                "Thanh Vân, Rạch Giá, dương tính Covid-19, ai tiếp xúc gần gọi 0912 345 678.",
            ),
            _post("5", "Trận bóng chiều nay vui quá", (photo,)),
            _post("6", "Ảnh lỗi", (corrupt,)),
            _post("7", "Giá xăng giảm 300 đồng một lít từ chiều nay."),
        ]
    )
    return home


def _alerts(home: Home) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for a in ledger_for(home).pending(10_000) + _indexed(home):
        out.setdefault(a.post_id, set()).add(a.type)
    return out


def _indexed(home: Home):
    from canhbao.index import open_store
    from canhbao.index.base import AlertQuery

    store = open_store(home)
    try:
        return store.search(AlertQuery(limit=10_000))
    finally:
        store.close()


def test_scan_raises_expected_alerts_once(scan_home, monkeypatch):
    monkeypatch.setenv("CANHBAO_INDEX__ENGINE", "sqlite")
    record = run_scan(scan_home, crawl=False, progress=False, settings=ScanSettings(workers=2, batch_size=3))
    media = record.stages["media"]["counts"]
    assert media["new_media"] == 3  # three distinct files for four media references
    errors = record.stages["media"]["errors"]
    assert len(errors) == 1 and sha256_hex(CORRUPT) in errors[0], errors  # one line naming the bad file
    found = _alerts(scan_home)
    assert found.get("1") == {"leak"} and found.get("2") == {"leak"} and found.get("3") == {"leak"}
    assert found.get("4") == {"pii_exposure"}
    assert "5" not in found and "6" not in found and "7" not in found
    indexed = _indexed(scan_home)
    assert len(indexed) == sum(len(v) for v in found.values())
    assert all("Nguyễn Văn Hùng" not in a.masked_text and "0912 345 678" not in a.masked_text for a in indexed)

    again = run_scan(scan_home, crawl=False, progress=False)
    assert again.stages["detect"]["counts"]["posts"] == 0 and again.stages["media"]["counts"]["new_media"] == 0
    assert len(_indexed(scan_home)) == len(indexed)


def test_scan_resumes_from_the_failed_stage(scan_home, monkeypatch):
    """A store that is down fails the index stage; the next run resumes there without re-analysing."""
    from canhbao.index.sqlite_store import SqliteStore

    class Down(SqliteStore):
        def upsert(self, alerts):
            raise ConnectionError("store unreachable")

    with pytest.raises(ConnectionError):
        run_scan(scan_home, crawl=False, progress=False, store=Down(scan_home.alerts_db))
    pending = ledger_for(scan_home).counts()["pending"]
    assert pending > 0
    record = run_scan(scan_home, crawl=False, progress=False)
    assert record.stages["detect"].get("counts", {}).get("posts", 0) > 0  # detect was done in the failed run
    assert ledger_for(scan_home).counts()["pending"] == 0
    assert len(_indexed(scan_home)) == pending


def _many_posts(n: int) -> list[Post]:
    names = ["Nguyễn Văn Hùng", "Trần Thị Lan", "Lê Minh Tâm", "Phạm Thu Hà", "Võ Quốc Bảo"]
    posts = []
    for i in range(n):
        if i % 3 == 0:
            text = (
                f"Bệnh nhân BN {1000 + i} là {names[i % 5]}, {20 + i % 50} tuổi, nhà số {i} đường Trần Phú, "
                f"Rạch Giá, dương tính Covid-19 và đang cách ly."
            )
        elif i % 3 == 1:
            text = f'Trích công văn số {i}: "{QUOTE}".'
        else:
            text = f"Chợ sáng nay bán cá thu {100 + i} nghìn một ký, ai cần thì ghé."
        posts.append(_post(f"m{i}", text))
    return posts


def test_sigterm_during_detection_then_rerun_gives_same_alerts(registered_home, tmp_path):
    posts = _many_posts(240)
    reference = _copy_home(registered_home, tmp_path / "ref")
    PostStore(reference.posts_db).put_many(posts)
    run_scan(reference, crawl=False, progress=False, settings=ScanSettings(batch_size=4))
    expected = {a.id for a in _indexed(reference)}
    assert expected

    home = _copy_home(registered_home, tmp_path / "killed")
    PostStore(home.posts_db).put_many(posts)
    env = {
        **os.environ,
        "CANHBAO_HOME": str(home.root),
        "CANHBAO_SCAN__BATCH_SIZE": "4",
        "CANHBAO_INDEX__ENGINE": "sqlite",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "canhbao", "scan", "--no-crawl"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    ledger_db = home.analysis / "pipeline.sqlite"
    analysed = 0
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if ledger_db.exists():
            try:
                with sqlite3.connect(ledger_db, timeout=1) as db:
                    analysed = db.execute("SELECT COUNT(*) FROM analysed").fetchone()[0]
            except sqlite3.OperationalError:
                analysed = 0
            if analysed >= 8:
                break
        time.sleep(0.02)
    assert proc.poll() is None, "scan finished before it could be interrupted: " + proc.stderr.read().decode()[-500:]
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=120)
    assert proc.returncode != 0
    with sqlite3.connect(ledger_db) as db:
        done = db.execute("SELECT COUNT(*) FROM analysed").fetchone()[0]
    assert 0 < done < len(posts), done  # it really stopped mid-way through detection

    rerun = subprocess.run(
        [sys.executable, "-m", "canhbao", "scan", "--no-crawl"], env=env, capture_output=True, text=True, timeout=600
    )
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    got = [a.id for a in _indexed(home)]
    assert len(got) == len(set(got))  # none duplicated
    assert set(got) == expected  # none missing


# --- issue 13: one scan at a time; a post is analysed only once its media have been read --------------


def test_post_is_not_marked_analysed_before_its_image_is_read(scan_home, monkeypatch):
    """Detection reaching a post whose image the media stage has not read yet (crawled meanwhile) must leave
    it for later: analysed without its image, it was marked done and its leak was never found."""
    from canhbao.pipeline.stages import detect_stage, media_stage

    monkeypatch.setenv("CANHBAO_INDEX__ENGINE", "sqlite")
    first = detect_stage(scan_home, progress=False)  # no media stage yet, as for a post crawled mid-scan
    media_stage(scan_home, workers=1, progress=False)
    second = detect_stage(scan_home, progress=False)
    found = _alerts(scan_home)
    assert found.get("1") == {"leak"} and found.get("2") == {"leak"}
    assert first.counts.get("deferred") == 4  # posts 1, 2 (screenshot), 5 (photo), 6 (corrupt) waited
    assert second.counts["posts"] == 4 and second.counts["deferred"] == 0


def test_second_scan_on_the_same_home_is_refused_with_a_clear_message(scan_home):
    from canhbao.pipeline.lock import ScanBusy, scan_lock

    with scan_lock(scan_home, "scan"):
        with pytest.raises(ScanBusy) as info:
            run_scan(scan_home, crawl=False, progress=False)
    msg = str(info.value)
    assert "another scan is running" in msg and f"pid {os.getpid()}" in msg and "\n" not in msg
    with scan_lock(scan_home, "scan"):
        out = subprocess.run(
            [sys.executable, "-m", "canhbao", "--home", str(scan_home.root), "scan", "--no-crawl"],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "CANHBAO_INDEX__ENGINE": "sqlite"},
        )
    assert out.returncode == 2 and "another scan is running" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


_CRAWL_THEN_SCAN = """
import json, sys, time
from canhbao.core.home import Home
from canhbao.core.posts import PostStore
from canhbao.core.records import from_dict, Post
from canhbao.pipeline.scan import run_scan
from canhbao.pipeline.settings import ScanSettings
home = Home.resolve(sys.argv[1])
posts = [from_dict(Post, p) for p in json.loads(open(sys.argv[2]).read())]
PostStore(home.posts_db).put_many(posts)   # what a crawl stores
print("stored", flush=True)
for attempt in range(int(sys.argv[3])):  # as a scheduler retries a task that found the home busy
    try:
        run_scan(home, crawl=False, progress=False, settings=ScanSettings(workers=1))
        break
    except Exception as exc:
        if type(exc).__name__ != "ScanBusy":
            raise
        time.sleep(0.5)
print("scanned", flush=True)
"""

_SCAN = """
import sys
from canhbao.core.home import Home
from canhbao.pipeline.scan import run_scan
from canhbao.pipeline.settings import ScanSettings
run_scan(Home.resolve(sys.argv[1]), crawl=False, progress=False, settings=ScanSettings(workers=1))
"""


@pytest.mark.slow
def test_concurrent_scans_lose_no_alert_over_five_runs(registered_home, tmp_path, seeds):
    """Scan A is reading media when scan B stores newly crawled posts with leaked screenshots and scans;
    five times over, every leak is found (A defers B's posts, B waits for A's lock)."""
    import io
    import json

    from canhbao.core.records import to_dict
    from canhbao.testing import distort
    from canhbao.testing.samples import render_layout

    letters = {s.name[:3]: s for s in seeds}
    base = _copy_home(registered_home, tmp_path / "base")
    pages = [render_layout(letters[n].text)[0] for n in ("000", "001")]

    def screenshot(home, n):
        buf = io.BytesIO()
        distort.apply("screenshot", pages[n % 2], seed=100 + n).save(buf, "JPEG", quality=85)
        return _store_media(home, buf.getvalue())

    env = {**os.environ, "CANHBAO_INDEX__ENGINE": "sqlite"}
    for rnd in range(5):
        home = _copy_home(base, tmp_path / f"run{rnd}")
        PostStore(home.posts_db).put_many([_post(f"a{rnd}", "Văn bản nội bộ", (screenshot(home, rnd),))])
        late = [_post(f"b{rnd}", "Lộ công văn", (screenshot(home, rnd + 1),))]
        spec = tmp_path / f"late{rnd}.json"
        spec.write_text(json.dumps([to_dict(p) for p in late], default=str))
        a = subprocess.Popen(
            [sys.executable, "-c", _SCAN, str(home.root)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and a.poll() is None and not _stage_running(home, "media"):
            time.sleep(0.05)
        time.sleep(0.3)  # A's media stage has listed its work; B's posts arrive after that
        b = subprocess.run(
            [sys.executable, "-c", _CRAWL_THEN_SCAN, str(home.root), str(spec), "600"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        a.wait(timeout=600)
        assert a.returncode == 0, a.stderr.read().decode()[-2000:]
        assert b.returncode == 0 and "scanned" in b.stdout, b.stderr[-2000:]
        found = _alerts(home)
        assert found.get(f"a{rnd}") == {"leak"} and found.get(f"b{rnd}") == {"leak"}, (rnd, found)


def _stage_running(home: Home, stage: str) -> bool:
    import json

    for rec in home.scans.glob("*.json"):
        try:
            if json.loads(rec.read_text()).get("stages", {}).get(stage, {}).get("status") == "running":
                return True
        except ValueError:
            pass
    return False
