"""Hostile sources against the real crawler (Scrapy on 127.0.0.1) and the evidence side: `file://`
links in RSS items, internal addresses, a redirect to loopback, a huge response; then posts whose URL
is `file://` or internal at evidence export and at takedown check. Each bad item is that item's error;
the rest is processed. Only the site's own host:port is allowed, by setting."""

from __future__ import annotations

import json

import pytest

from canhbao.crawlers.runner import run_crawl
from canhbao.crawlers.settings import from_mapping
from canhbao.testing.sample_server import serve

MARKER = "TOPSECRET-LOCAL-FILE-7731"
FAST = {"download_delay": 0, "autothrottle": False, "retry_times": 0, "obey_robots": False}


def rss(items: list[tuple[str, str]], enclosures: tuple[str, ...] = ()) -> str:
    media = "".join(f'<enclosure url="{u}" type="image/png"/>' for u in enclosures)
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><description>{t} mô tả</description>{media}"
        f"<pubDate>Mon, 30 Nov 2026 08:00:00 +0700</pubDate></item>"
        for t, link in items
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'


@pytest.fixture
def hostile(tmp_path, home, monkeypatch):
    secret = tmp_path / "secret.txt"
    secret.write_text(MARKER, encoding="utf-8")
    (tmp_path / "site").mkdir()
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "admin.html").write_text(f"<article><p>{MARKER}</p></article>", encoding="utf-8")
    (tmp_path / "site" / "good.html").write_text(
        "<html><body><article><h1>Tin tốt</h1><p>Tin tốt mô tả</p><p>Nội dung bài viết bình thường.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    with serve(tmp_path / "site") as site, serve(tmp_path / "inner") as inner:
        monkeypatch.setenv("CANHBAO_FETCH__ALLOW_PRIVATE", "false")
        monkeypatch.setenv("CANHBAO_FETCH__ALLOW", json.dumps([f"127.0.0.1:{site.server_address[1]}"]))
        monkeypatch.setenv("CANHBAO_FETCH__MAX_BYTES", "200000")
        site.route("/to-inner", status=302, headers={"Location": f"{inner.base_url}/admin.html"})
        site.route("/huge.html", body=b"<p>" + b"x" * 1_000_000 + b"</p>")
        bad = {
            "file": secret.as_uri(),
            "inner": f"{inner.base_url}/admin.html",
            "localhost": f"http://localhost:{inner.server_address[1]}/admin.html",
            "private": "http://10.255.255.1/x.html",
            "metadata": "http://169.254.169.254/latest/meta-data/",
            "redirect": f"{site.base_url}/to-inner",
            "huge": f"{site.base_url}/huge.html",
        }
        yield home, site, inner, bad, tmp_path


def crawl(home, site, items, *, follow: bool, enclosures: tuple[str, ...] = ()):
    site.route("/feed.xml", body=rss(items, enclosures), content_type="application/rss+xml; charset=utf-8")
    cfg = from_mapping(
        {"sources": {"feed": {"type": "news", "url": f"{site.base_url}/feed.xml", "follow_articles": follow}}, **FAST}
    )
    return run_crawl(home, ["feed"], settings=cfg, timeout_s=120)


def stored_bytes(home) -> bytes:
    out = b""
    for path in home.root.rglob("*"):
        if path.is_file() and path.suffix not in (".lock",):
            data = path.read_bytes()
            if path.suffix == ".gz":
                import gzip
                import zlib

                try:
                    data = gzip.decompress(data)
                except (OSError, EOFError, zlib.error):
                    pass
            out += data
    return out


def test_hostile_feed_items_are_each_one_error_and_the_good_one_is_kept(hostile):
    from canhbao.core.posts import PostStore

    home, site, inner, bad, _tmp = hostile
    items = [("Tin tốt", f"{site.base_url}/good.html")] + [(name, url) for name, url in bad.items()]
    # every item also names two hostile images: a local file and the internal service
    report = crawl(home, site, items, follow=True, enclosures=(bad["file"], f"{inner.base_url}/pixel.png"))
    health = report.sources[0]
    posts = list(PostStore(home.posts_db).iter())
    assert [p.url for p in posts] == [f"{site.base_url}/good.html"]
    assert "Nội dung bài viết bình thường." in posts[0].text
    assert [m.error for m in posts[0].media] == [
        "IgnoreRequest: refused by the fetch policy (scheme 'file' is not allowed, only http and https)",
        "IgnoreRequest: refused by the fetch policy (127.0.0.1 is a loopback address)",
    ]
    errors = "\n".join(health.errors)
    for name in ("file", "inner", "localhost", "private", "metadata"):
        assert f"{bad[name]}: refused by the fetch policy" in errors, name
    assert f"{inner.base_url}/admin.html: refused by the fetch policy" in errors  # the redirect's hop
    assert "larger than download max size (200000)" in errors and "huge.html" in errors
    assert inner.requests == []  # the internal service was never reached, not even through the redirect
    assert MARKER.encode() not in stored_bytes(home)  # nothing of the local file or the internal page


def test_file_and_internal_post_urls_at_export_and_takedown(hostile, tmp_path):
    """Posts crawled without following their links keep the hostile URLs; evidence export and takedown
    check refuse to fetch them, per alert, and the good alert is checked as usual."""
    from canhbao.capture.ingest import manual_alert
    from canhbao.capture.provenance import provenance
    from canhbao.core.posts import PostStore
    from canhbao.evidence import export, takedown
    from canhbao.evidence.settings import EvidenceSettings
    from canhbao.index.sqlite_store import SqliteStore

    home, site, inner, bad, _tmp = hostile
    site.route("/with-pixel.html", body=f"<p>Có ảnh theo dõi</p><img src='{inner.base_url}/pixel.png'>")
    items = [
        ("Tin tốt", f"{site.base_url}/good.html"),
        ("file", bad["file"]),
        ("inner", bad["inner"]),
        ("Có ảnh", f"{site.base_url}/with-pixel.html"),
    ]
    crawl(home, site, items, follow=False)
    posts = {p.text.split("\n")[0]: p for p in PostStore(home.posts_db).iter()}
    assert set(posts) == {"Tin tốt", "file", "inner", "Có ảnh"}
    store = SqliteStore(home.alerts_db)
    store.setup()
    prov = provenance("capture:html", note="test", actor="analyst")
    alerts = {name: manual_alert(p, prov, p.text, []) for name, p in posts.items()}
    store.upsert(list(alerts.values()))
    for a in alerts.values():
        store.transition(a.id, "confirmed", actor="analyst")
    cfg = EvidenceSettings(
        screenshot_live=True, fetch_timeout_s=5, live_timeout_s=5, roles={"lead": ("inspector_lead",)}
    )

    done = export.export(home, store, alerts["file"].id, cfg, out_dir=tmp_path / "ev", actor="analyst")
    meta = json.loads(_zip_member(done.zip_path, "metadata.json"))
    assert meta["live"]["reachable"] is False and "refused by the fetch policy" in meta["live"]["error"]
    assert "post/screenshot-live.png" not in done.files and "post/screenshot-capture.png" not in done.files

    done = export.export(home, store, alerts["inner"].id, cfg, out_dir=tmp_path / "ev", actor="analyst")
    meta = json.loads(_zip_member(done.zip_path, "metadata.json"))
    assert "loopback" in meta["live"]["error"] and "post/screenshot-live.png" not in done.files
    assert inner.requests == []

    # The live view of an allowed page loads in Chromium, but its request to the internal service is aborted.
    # (the live view is a whole page: only an unmasked export by an allowed role keeps it)
    done = export.export(home, store, alerts["Có ảnh"].id, cfg, out_dir=tmp_path / "ev", actor="lead", unmasked=True)
    assert "post/screenshot-live.png" in done.files and inner.requests == []
    del alerts["Có ảnh"]

    checks, failed = [], []
    for check in takedown.check_all(
        home,
        store,
        cfg,
        [store.get(a.id) for a in alerts.values()],
        actor="bot",
        on_error=lambda i, e: failed.append((i, e)),
    ):
        checks.append(check)
    by_id = {c.alert_id: c for c in checks}
    assert failed == [] and len(checks) == 3
    assert by_id[alerts["Tin tốt"].id].state == "up"
    for name in ("file", "inner"):
        assert by_id[alerts[name].id].state == "unreachable"
        assert "refused by the fetch policy" in by_id[alerts[name].id].note
    assert inner.requests == []
    assert MARKER.encode() not in stored_bytes(home)


def _zip_member(path, name: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read(name)
