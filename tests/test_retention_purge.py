"""Retention removes the raw text of expired posts from every file of the data home.

A patient post goes through the real stages (pii detection, ledger, alert index with FTS5), its capture sits
in the raw store, Scrapy's HTTP cache and a crawl log; after the purge not one file of the data home holds
the patient's name, phone or ID number, while the alert keeps its masked text and the post its text hash."""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import datetime, timedelta, timezone

from canhbao.core.posts import PostStore
from canhbao.core.records import Media, MediaText, Post, sha256_hex
from canhbao.detectors.pii.masking import placeholder
from canhbao.pipeline.retention import purge
from canhbao.pipeline.stages import detect_stage, index_stage, ledger_for

CAPTURED = datetime(2021, 8, 20, 8, 0, tzinfo=timezone.utc)
TEXT = (
    "Thông báo: bệnh nhân Nguyễn Văn Hùng, 45 tuổi, trú tại số 12 đường Lê Lợi, phường Vĩnh Thanh, "
    "dương tính Covid-19, SĐT 0912 345 678."
)
OCR = "GIẤY XÁC NHẬN: Họ tên Nguyễn Văn Hùng, CCCD 091188001234, kết quả dương tính"
RAW = ["Nguyễn Văn Hùng", "0912 345 678", "091188001234", "số 12 đường Lê Lợi"]
AUTHOR = "Trần Thị Người Đăng"  # the poster: the alert keeps who posted, the post store forgets it


def _old_file(path, data: bytes, days: int = 200):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    old = time.time() - days * 86400
    os.utime(path, (old, old))
    return path


def _files_with(home, needles):
    hits = []
    for path in home.root.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            hits += [(str(path.relative_to(home.root)), n) for n in needles if n.encode() in blob]
    return hits


def test_no_raw_patient_text_in_any_file_after_the_purge(home):
    from canhbao.index import open_store
    from canhbao.pipeline.analyze import Analyzer

    image = b"\xff\xd8 fake jpeg bytes of the notice"
    sha = sha256_hex(image)
    media_path = _old_file(home.blob_path(home.media, sha, ".jpg"), image)
    html = f"<html><body><div class=post>{TEXT}</div></body></html>".encode()
    raw = _old_file(home.raw / "ab" / f"{sha256_hex(html)}.html", html)
    _old_file(home.cache / "http" / "facebook" / "ab" / "response_body", html)  # Scrapy's HTTP cache
    _old_file(home.crawl_state / "runs" / "run-1.log", f"DEBUG: Scraped from <200 https://fb/1> {TEXT}".encode())
    post = Post(
        source="fb_test",
        platform="facebook",
        post_id="1",
        url="https://fb.example/posts/1",
        captured_at=CAPTURED,
        text=TEXT,
        author="Trần Thị Người Đăng",
        author_url="https://fb.example/u/9",
        media=(Media(url="https://cdn/1.jpg", sha256=sha, path=str(media_path.relative_to(home.root))),),
        raw_html=str(raw.relative_to(home.root)),
    )
    fresh = Post(
        source="fb_test",
        platform="facebook",
        post_id="2",
        url="https://fb.example/posts/2",
        captured_at=CAPTURED,
        text="Giá xăng giảm 300 đồng từ chiều nay.",
    )
    posts = PostStore(home.posts_db)
    posts.put_many([post, fresh])
    ledger_for(home).put_media([MediaText(sha256=sha, kind="document", text=OCR)])
    detect_stage(home, Analyzer.from_home(home, only=["pii"]), progress=False)
    with open_store(home) as store:
        store.setup()
        index_stage(home, store, progress=False)
        (alert,) = _all(store)
        assert alert.type == "pii_exposure" and "Nguyễn Văn Hùng" not in alert.masked_text
        with sqlite3.connect(home.posts_db) as db:  # the patient post was stored 200 days ago
            old = (datetime.now(timezone.utc) - timedelta(days=200)).isoformat()
            db.execute("UPDATE posts SET stored_at=? WHERE key=?", (old, post.key))
        before = _files_with(home, RAW)
        assert {n for _, n in before} == set(RAW), before  # the raw data really was in the home

        counts = purge(home, older_than_days=90, store=store)

        assert counts["posts_stripped"] == 1 and counts["media_texts_dropped"] == 1
        assert _files_with(home, RAW) == []
        # the poster is a person too: the name leaves every file (post store, alert store, the ledger's
        # outbox); the alert keeps a keyed hash of it
        assert counts["authors_forgotten"] == 2  # the alert in the store and its copy in the ledger's outbox
        assert _files_with(home, [AUTHOR]) == []
        kept = posts.get(post.key)  # identity, URL and media hash stay; the text is a hash now
        assert kept.text == "" and kept.url == post.url and kept.media[0].sha256 == sha
        with sqlite3.connect(home.posts_db) as db:
            assert db.execute("SELECT text_sha256 FROM purged WHERE key=?", (post.key,)).fetchone()[0] == sha256_hex(
                TEXT
            )
        assert posts.get(fresh.key).text == fresh.text  # a post inside the window is untouched
        (still,) = _all(store)
        assert still.id == alert.id and still.masked_text == alert.masked_text and "[NAME" in still.masked_text
        assert still.author.startswith("[AUTHOR·") and still.author == placeholder(AUTHOR, "author", mask_key(home))
        assert _outbox(home, alert.id).author == still.author  # the ledger's copy of the alert too


def mask_key(home):
    from canhbao.detectors.pii.masking import load_or_create_key

    return load_or_create_key(home.keys / "mask.key")


def _outbox(home, alert_id):
    import json

    from canhbao.core.records import Alert, from_dict

    with sqlite3.connect(home.analysis / "pipeline.sqlite") as db:
        (body,) = db.execute("SELECT body FROM outbox WHERE alert_id=?", (alert_id,)).fetchone()
    return from_dict(Alert, json.loads(body))


def _all(store):
    from canhbao.index.base import AlertQuery

    return store.search(AlertQuery(limit=100))
