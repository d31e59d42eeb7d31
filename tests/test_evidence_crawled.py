"""End to end on real parts: Scrapy crawls a Facebook-like page on 127.0.0.1 (issue 4's sample site and
WARC capture), the registry, OCR and leak detector flag a leaked letter in the post's image, the alert goes
into the SQLite store, and the evidence bundle replays what the crawler saw."""

from __future__ import annotations

import io
import zipfile

from _crawl_site import crawl
from warcio.archiveiterator import ArchiveIterator

from canhbao.core.alerts import alert_from_finding
from canhbao.core.home import Home
from canhbao.core.posts import PostStore
from canhbao.core.records import Subject
from canhbao.detectors.leak.detector import LeakDetector
from canhbao.detectors.pii.detector import PiiDetector
from canhbao.evidence import bundle, export
from canhbao.evidence.settings import EvidenceSettings
from canhbao.index import open_store
from canhbao.media.reader import MediaReader
from canhbao.registry import Registry
from canhbao.testing.evidence_world import png_bytes
from canhbao.testing.sample_site import FeedSpec, SamplePost, build_site, serve
from canhbao.testing.samples import render_pages


def test_crawled_leak_exports_and_replays(tmp_path, seeds, renderer):
    seed = seeds[1]
    letter = tmp_path / "img" / "cong-van.png"
    letter.parent.mkdir()
    letter.write_bytes(png_bytes(render_pages(seed.text, dpi=100)[0], scale=0.9))
    feeds = {
        "fb-page": FeedSpec(
            "facebook_page",
            (
                SamplePost(
                    "2001", "Tin Nóng 24h", "Lộ công văn của Sở Y tế, ai cần thì lấy", "2 giờ", images=(letter,)
                ),
                SamplePost("2000", "Tin Nóng 24h", "Chúc mọi người cuối tuần vui vẻ", "Hôm qua lúc 21:30"),
            ),
            per_page=5,
        )
    }
    build_site(tmp_path / "site", feeds)
    home = Home.resolve(tmp_path / "home")
    with Registry.open(home) as registry:
        registry.add(seed.path)
    store = open_store(home)
    store.setup()
    with serve(tmp_path / "site") as site:
        crawl(home, site.base_url, feeds)
        post = next(p for p in PostStore(home.posts_db).iter(source="fb-page") if p.media)
        read = MediaReader.from_home(home).read(home.root / post.media[0].path)
        (finding,) = LeakDetector.from_home(home).detect(Subject(post, (read,))).findings
        masked = PiiDetector().detect(Subject(post)).section["masked_text"]
        alert = alert_from_finding(post, finding, masked)
        store.upsert([alert])
        store.transition(alert.id, "confirmed", actor="analyst.tuan")
        lead = EvidenceSettings(roles={"chief.minh": ("inspector_lead",)})
        done = export.export(
            home, store, alert.id, lead, out_dir=tmp_path / "out", unmasked=True, actor="chief.minh", renderer=renderer
        )
        masked_done = export.export(
            home,
            store,
            alert.id,
            EvidenceSettings(screenshot_live=False),
            out_dir=tmp_path / "masked",
            actor="inspector.lan",
            renderer=renderer,
        )
    store.close()
    assert done.missing == () and bundle.verify(done.zip_path).ok
    with zipfile.ZipFile(done.zip_path) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    assert f"media/{post.media[0].sha256}{post.media[0].path[-4:]}" in files
    assert {"post/screenshot-capture.png", "post/screenshot-live.png", "report.pdf"} <= set(files)
    records = ArchiveIterator(io.BytesIO(files["capture/capture.warc.gz"]))
    responses = {
        r.rec_headers.get_header("WARC-Target-URI"): r.content_stream().read()
        for r in records
        if r.rec_type == "response"
    }
    # The crawler fetched the feed page, not a page of its own for the post: found by the captured HTML.
    assert any("Lộ công văn của Sở Y tế" in body.decode("utf-8", "replace") for body in responses.values())
    assert responses[post.media[0].url] == files[f"media/{post.media[0].sha256}{post.media[0].path[-4:]}"]
    # The default (masked) export finds the post's own element in the crawled feed page, not the feed.
    with zipfile.ZipFile(masked_done.zip_path) as zf:
        names = set(zf.namelist())
        element = zf.read("post/element.html").decode() if "post/element.html" in names else ""
    assert "Lộ công văn của Sở Y tế" in element or any("post/element.html" in w for w in masked_done.withheld), (
        names,
        masked_done.withheld,
        masked_done.missing,
    )
    assert "post/page.html" not in names and not any(n.startswith("capture/") for n in names)
