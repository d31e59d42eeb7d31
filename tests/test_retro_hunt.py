"""Retro-hunt (a document registered after its leak was collected), registry sync and retention."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone

import pytest

from canhbao.core.errors import ConfigError
from canhbao.core.home import Home
from canhbao.core.posts import PostStore
from canhbao.core.records import CONFIRMED, LEAK, Media, Post, sha256_hex
from canhbao.pipeline.retention import purge
from canhbao.pipeline.scan import rescan, run_scan
from canhbao.pipeline.settings import ScanSettings

CAPTURED = datetime(2021, 9, 2, 9, 0, tzinfo=timezone.utc)


def _seed(seeds, prefix):
    return next(s for s in seeds if s.name.startswith(prefix))


def _quote(seed) -> str:
    """Two body sentences of a letter, as a poster would paste them."""
    body = [p for p in seed.text.split("\n\n") if len(p) > 300][0]
    return 'Trích văn bản nội bộ: "' + ". ".join(body.split(". ")[:2]) + '". Mọi người xem.'


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("CANHBAO_INDEX__ENGINE", "sqlite")
    return Home.resolve(tmp_path / "home")


def _leaks(home: Home) -> dict[str, str]:
    from canhbao.index import open_store
    from canhbao.index.base import AlertQuery

    with open_store(home) as store:
        return {a.post_id: a.finding.target for a in store.search(AlertQuery(type=(LEAK,), limit=100))}


def test_registering_a_document_later_finds_its_old_leak(home, seeds, tmp_path):
    from canhbao.pipeline.registry_sync import register_folder
    from canhbao.registry import Registry

    with Registry.open(home) as registry:
        registry.add(_seed(seeds, "000").path)
    PostStore(home.posts_db).put_many(
        [
            Post(
                source="s",
                platform="facebook",
                post_id="old",
                url="https://fb/old",
                captured_at=CAPTURED,
                text=_quote(_seed(seeds, "002")),
            ),
            Post(
                source="s",
                platform="facebook",
                post_id="plain",
                url="https://fb/plain",
                captured_at=CAPTURED,
                text="Chiều nay trời mưa to ở Tuyên Quang, mọi người đi đường cẩn thận.",
            ),
        ]
    )
    run_scan(home, crawl=False, progress=False, settings=ScanSettings(workers=1))
    assert _leaks(home) == {}  # 002 is not registered yet: nothing to match

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "002.txt").write_text(_seed(seeds, "002").path.read_text(encoding="utf-8"), encoding="utf-8")
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    new = register_folder(home, inbox)
    assert len(new) == 1  # the broken file is logged and skipped, the letter is registered
    assert register_folder(home, inbox) == []  # a second pass adds nothing

    # posts *stored* in the last day (the retro-hunt window is on collection time, not on the post's date)
    result = rescan(home, datetime.now(timezone.utc) - timedelta(days=1), progress=False)
    assert result["posts"] == 2
    assert _leaks(home) == {"old": new[0]}
    again = rescan(home, datetime.now(timezone.utc) - timedelta(days=1), progress=False)
    assert again["detect"]["new_alerts"] == 0 and len(_leaks(home)) == 1


def test_registry_sync_without_a_folder_is_a_config_error(home):
    from canhbao.pipeline.registry_sync import register_folder

    with pytest.raises(ConfigError, match="registry_watch_dir"):
        register_folder(home, "")


def _file(home: Home, base, name: str, data: bytes, age_days: float):
    path = base / name[:2] / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    old = time.time() - age_days * 86400
    os.utime(path, (old, old))
    return path


def test_retention_keeps_what_confirmed_alerts_need(home):
    from canhbao.core.alerts import alert_from_finding
    from canhbao.core.records import Finding
    from canhbao.index import open_store

    kept_media = _file(home, home.media, sha256_hex(b"a") + ".jpg", b"a", 200)
    kept_warc = _file(home, home.warc, "ab-confirmed.warc.gz", b"w", 200)
    old_media = _file(home, home.media, sha256_hex(b"b") + ".jpg", b"b", 200)
    old_raw = _file(home, home.raw, "cd-old.html", b"<html>", 200)
    fresh = _file(home, home.media, sha256_hex(b"c") + ".jpg", b"c", 1)
    post = Post(
        source="s",
        platform="zalo",
        post_id="1",
        url="https://zalo/1",
        captured_at=CAPTURED,
        media=(Media(url="u", sha256=sha256_hex(b"a"), path=str(kept_media.relative_to(home.root))),),
        warc=str(kept_warc.relative_to(home.root)),
    )
    PostStore(home.posts_db).put(post)
    with open_store(home) as store:
        store.setup()
        alert = alert_from_finding(post, Finding(type=LEAK, detector="leak", score=1.0, target="d"), "")
        store.upsert([alert])
        store.transition(alert.id, CONFIRMED, actor="inspector")
        counts = purge(home, older_than_days=90, store=store)
    assert counts["deleted"] == 2 and counts["kept_for_alerts"] == 2
    assert kept_media.exists() and kept_warc.exists() and fresh.exists()
    assert not old_media.exists() and not old_raw.exists()


def test_failed_retro_hunt_leaves_the_documents_pending(home, seeds, tmp_path, monkeypatch, state):
    """Issue 13: the documents to hunt for were passed in XCom; a retro-hunt that failed after they were
    registered was never repeated. The mark is durable beside the registry (either backend) and set only after
    success."""
    from canhbao.pipeline import scan
    from canhbao.pipeline.registry_sync import register_folder
    from canhbao.pipeline.retro_hunt import RetroHuntMarks, run_pending

    PostStore(home.posts_db).put_many(
        [
            Post(
                source="s",
                platform="facebook",
                post_id="old",
                url="https://fb/old",
                captured_at=CAPTURED,
                text=_quote(_seed(seeds, "002")),
            )
        ]
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "002.txt").write_text(_seed(seeds, "002").path.read_text(encoding="utf-8"), encoding="utf-8")
    new = register_folder(home, inbox)
    assert RetroHuntMarks.for_home(home).pending() == new

    real = scan._rescan

    def store_down(*args, **kwargs):
        raise ConnectionError("index unreachable")

    monkeypatch.setattr(scan, "_rescan", store_down)
    with pytest.raises(ConnectionError):
        run_pending(home, datetime.now(timezone.utc), 30)
    assert register_folder(home, inbox) == []  # the next run registers nothing new ...
    assert RetroHuntMarks.for_home(home).pending() == new  # ... but still knows what to hunt for

    monkeypatch.setattr(scan, "_rescan", real)
    result = run_pending(home, datetime.now(timezone.utc), 30)
    assert result["documents"] == new and result["posts"] == 1
    assert _leaks(home) == {"old": new[0]}
    assert RetroHuntMarks.for_home(home).pending() == []
    assert run_pending(home, datetime.now(timezone.utc), 30)["skipped"]
