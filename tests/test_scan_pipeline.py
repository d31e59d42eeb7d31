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
QUOTE = ("Nhằm đảm bảo quản lý hệ thống thông tin trên báo chí và mạng xã hội, Sở Y tế ghi nhận những thông tin "
         "phản ánh về công tác y tế tại các đơn vị trực thuộc chưa đầy đủ, kịp thời và còn có một số thông tin "
         "chưa chính xác, thiếu dẫn chứng hoặc phân tích chuyên môn")


def _store_media(home: Home, data: bytes, suffix: str = ".jpg") -> Media:
    sha = sha256_hex(data)
    path = home.blob_path(home.media, sha, suffix)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return Media(url=f"https://cdn.example/{sha[:8]}{suffix}", sha256=sha, path=str(path.relative_to(home.root)),
                 mime="image/jpeg", size=len(data))


def _post(pid: str, text: str = "", media: tuple[Media, ...] = ()) -> Post:
    return Post(source="kenh_test", platform="telegram", post_id=pid, url=f"https://t.me/s/kenh_test/{pid}",
                captured_at=CAPTURED, text=text, media=media)


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
    PostStore(home.posts_db).put_many([
        _post("1", "Văn bản mật của tỉnh đây mọi người", (screenshot,)),
        _post("2", "Chia sẻ lại", (screenshot,)),  # the same image again: OCR once, two alerts
        _post("3", f"Trích công văn: \"{QUOTE}\". Mọi người lưu ý."),
        _post("4", "Bệnh nhân BN 4521 là ông Nguyễn Văn Hùng, 45 tuổi, nhà số 12 đường Trần Phú, phường Vĩnh "
                   "Thanh Vân, Rạch Giá, dương tính Covid-19, ai tiếp xúc gần gọi 0912 345 678."),
        _post("5", "Trận bóng chiều nay vui quá", (photo,)),
        _post("6", "Ảnh lỗi", (corrupt,)),
        _post("7", "Giá xăng giảm 300 đồng một lít từ chiều nay."),
    ])
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
            text = (f"Bệnh nhân BN {1000 + i} là {names[i % 5]}, {20 + i % 50} tuổi, nhà số {i} đường Trần Phú, "
                    f"Rạch Giá, dương tính Covid-19 và đang cách ly.")
        elif i % 3 == 1:
            text = f"Trích công văn số {i}: \"{QUOTE}\"."
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
    env = {**os.environ, "CANHBAO_HOME": str(home.root), "CANHBAO_SCAN__BATCH_SIZE": "4",
           "CANHBAO_INDEX__ENGINE": "sqlite"}
    proc = subprocess.Popen([sys.executable, "-m", "canhbao", "scan", "--no-crawl"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
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

    rerun = subprocess.run([sys.executable, "-m", "canhbao", "scan", "--no-crawl"], env=env,
                           capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    got = [a.id for a in _indexed(home)]
    assert len(got) == len(set(got))  # none duplicated
    assert set(got) == expected  # none missing
