"""A sample evidence case built from real parts, for the tests, the benchmark and the demo.

A tiny public "site" is served on 127.0.0.1; posts are fetched from it through warcio (so the WARC
holds real request/response records), their images are rendered from the 2021 seed letters and stored
content-addressed, the post goes into the real post store and an alert of each type into the given
alert store. The site can then take a post down or edit it, for takedown tracking.
"""

from __future__ import annotations

import io
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler
from typing import Any
from xml.sax.saxutils import escape

from warcio.capture_http import capture_http  # noqa: I001 - patches http.client before urllib uses it
from warcio.warcwriter import WARCWriter

from canhbao.core.alerts import alert_from_finding
from canhbao.core.atomic import write_bytes
from canhbao.core.home import Home
from canhbao.core.posts import PostStore
from canhbao.core.records import Alert, Finding, Media, Post, Subject, sha256_hex
from canhbao.testing.local_http import LocalServer

VN = timezone(timedelta(hours=7))
PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:'Noto Sans',sans-serif;background:#f0f2f5;margin:0}}
.post{{background:#fff;max-width:680px;margin:24px auto;padding:16px;border-radius:8px}}
.author{{font-weight:bold}} time{{color:#65676b;font-size:13px}} img{{max-width:100%;margin-top:8px}}</style>
</head><body><div class="post" data-post-id="{post_id}"><div class="author">{author}</div>
<time datetime="{published}">{published_vn}</time><div class="text">{text}</div>{images}</div>
</body></html>"""
REMOVED_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Facebook</title></head><body>"
    "<h2>This content isn't available right now</h2></body></html>"
).encode()


class Site(LocalServer):
    """Pages served on 127.0.0.1 from a mutable table: path -> (status, content type, body)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                status, ctype, body = routes.get(self.path.split("?")[0], (404, "text/html", b"not found"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(Handler)
        self.base = f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def take_down(self, path: str, *, status: int = 404) -> None:
        self.routes[path] = (status, "text/html; charset=utf-8", REMOVED_PAGE)

    def serve_post(
        self, path: str, *, post_id: str, author: str, text: str, published: datetime, images: dict[str, bytes]
    ) -> None:
        imgs = "".join(f'<img src="{p}" alt="">' for p in images)
        html = PAGE.format(
            title=escape(author),
            post_id=post_id,
            author=escape(author),
            published=published.isoformat(),
            published_vn=published.strftime("%H:%M %d/%m/%Y"),
            text=escape(text).replace("\n", "<br>"),
            images=imgs,
        )
        self.routes[path] = (200, "text/html; charset=utf-8", html.encode("utf-8"))
        for p, data in images.items():
            self.routes[p] = (200, "image/png", data)


def png_bytes(image: Any, *, scale: float = 0.5) -> bytes:
    image = image.resize((int(image.width * scale), int(image.height * scale)))
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=False)
    return buf.getvalue()


def capture(
    home: Home,
    site: Site,
    *,
    path: str,
    post_id: str,
    author: str,
    text: str,
    images: dict[str, bytes],
    source: str = "sample_page",
    published: datetime | None = None,
) -> Post:
    """Serve a post, fetch it (and its images) through warcio as a crawler would, and store it."""
    published = published or datetime(2021, 8, 30, 21, 30, tzinfo=VN)
    site.serve_post(path, post_id=post_id, author=author, text=text, published=published, images=images)
    warc_path = home.warc / f"{source}.warc.gz"
    url = site.url(path)
    with open(warc_path, "ab") as fh, capture_http(WARCWriter(fh, gzip=True)):
        html = urllib.request.urlopen(url, timeout=10).read()
        bodies = {p: urllib.request.urlopen(site.url(p), timeout=10).read() for p in images}
    raw = home.raw / f"{sha256_hex(html)}.html"
    write_bytes(raw, html)
    media = []
    for p, data in bodies.items():
        digest = sha256_hex(data)
        blob = home.blob_path(home.media, digest, ".png")
        if not blob.exists():
            write_bytes(blob, data)
        media.append(
            Media(
                url=site.url(p), sha256=digest, path=str(blob.relative_to(home.root)), mime="image/png", size=len(data)
            )
        )
    post = Post(
        source=source,
        platform="facebook",
        post_id=post_id,
        url=url,
        text=text,
        author=author,
        author_url=site.url(f"/{author.replace(' ', '.')}"),
        published_at=published,
        captured_at=datetime.now(timezone.utc).replace(microsecond=0),
        media=tuple(media),
        raw_html=str(raw.relative_to(home.root)),
        warc=str(warc_path.relative_to(home.root)),
        engagement={"reactions": 120, "shares": 14},
    )
    PostStore(home.posts_db).put(post)
    return post


@dataclass(frozen=True)
class Case:
    alert: Alert
    post: Post
    path: str  # on the site


def leak_case(home: Home, site: Site, store: Any, seed: Any) -> Case:
    """A photo of a registered letter's first page, matched by the real registry, OCR and leak detector."""
    from canhbao.detectors.leak.detector import LeakDetector
    from canhbao.media.reader import MediaReader
    from canhbao.registry import Registry
    from canhbao.testing.samples import render_pages

    with Registry.open(home) as registry:
        registry.add(seed.path, classification="internal")
    image = png_bytes(render_pages(seed.text, dpi=100)[0], scale=0.9)
    text = "Văn bản nội bộ của Sở Y tế vừa bị lộ, mọi người xem nhé!"
    post = capture(
        home,
        site,
        path="/posts/1001",
        post_id="1001",
        author="Tin Nóng 24h",
        text=text,
        images={"/media/1001.png": image},
    )
    read = MediaReader.from_home(home).read_bytes(image, name=post.media[0].url)
    findings = LeakDetector.from_home(home).detect(Subject(post, (read,))).findings
    if not findings:
        raise RuntimeError(f"the leak detector did not match {seed.path.name}; OCR read {read.text[:200]!r}")
    return Case(_store(store, post, findings[0], _masked(post)), post, "/posts/1001")


FEED_PII_TEXT = (
    "Cả xóm ơi, anh Nguyễn Văn Hùng, 45 tuổi, nhà số 12 đường Lê Lợi, phường Vĩnh Thanh, dương "
    "tính Covid rồi, SĐT 0912 345 678, CCCD 091188001234. Ai tiếp xúc thì đi khai báo y tế!"
)
FEED_POST = """<div class="post" data-post-id="{post_id}"><div class="author">{author}</div>
<a class="permalink" href="{url}"><time>{when}</time></a><div class="text">{text}</div>{images}</div>"""


def feed_case(home: Home, site: Site, store: Any, seed: Any) -> Case:
    """A leak alert whose captured page is a group feed that also shows another member's post naming a
    patient (name, age, address, phone, CCCD): the raw page is personal data beyond the alert's own post."""
    from canhbao.detectors.leak.detector import LeakDetector
    from canhbao.media.reader import MediaReader
    from canhbao.registry import Registry
    from canhbao.testing.samples import render_pages

    with Registry.open(home) as registry:
        registry.add(seed.path, classification="internal")
    image = png_bytes(render_pages(seed.text, dpi=100)[0], scale=0.9)
    text = "Công văn nội bộ vừa lộ ra đây, mọi người đọc đi"
    posts = [
        FEED_POST.format(
            post_id="5005",
            author="Tin Nhanh Phố Núi",
            url=site.url("/posts/5005"),
            when="21:30",
            text=escape(text),
            images='<img src="/media/5005.png" alt="">',
        ),
        FEED_POST.format(
            post_id="5006",
            author="Trần Thị Bích",
            url=site.url("/posts/5006"),
            when="21:10",
            text=escape(FEED_PII_TEXT),
            images="",
        ),
    ]
    feed = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Nhóm Phố Núi</title>'
        "<style>body{font-family:'Noto Sans',sans-serif;background:#f0f2f5;margin:0}"
        ".post{background:#fff;max-width:680px;margin:24px auto;padding:16px;border-radius:8px}"
        "img{max-width:100%}</style></head><body>" + "\n".join(posts) + "</body></html>"
    ).encode()
    site.routes["/groups/phonui"] = (200, "text/html; charset=utf-8", feed)
    site.routes["/media/5005.png"] = (200, "image/png", image)
    site.serve_post(
        "/posts/5005",
        post_id="5005",
        author="Tin Nhanh Phố Núi",
        text=text,
        published=datetime(2021, 8, 30, 21, 30, tzinfo=VN),
        images={"/media/5005.png": image},
    )
    warc_path = home.warc / "group_phonui.warc.gz"
    with open(warc_path, "ab") as fh, capture_http(WARCWriter(fh, gzip=True)):
        html = urllib.request.urlopen(site.url("/groups/phonui"), timeout=10).read()
        data = urllib.request.urlopen(site.url("/media/5005.png"), timeout=10).read()
    raw = home.raw / f"{sha256_hex(html)}.html"
    write_bytes(raw, html)
    digest = sha256_hex(data)
    blob = home.blob_path(home.media, digest, ".png")
    write_bytes(blob, data)
    post = Post(
        source="group_phonui",
        platform="facebook",
        post_id="5005",
        url=site.url("/posts/5005"),
        text=text,
        author="Tin Nhanh Phố Núi",
        published_at=datetime(2021, 8, 30, 21, 30, tzinfo=VN),
        captured_at=datetime.now(timezone.utc).replace(microsecond=0),
        media=(
            Media(
                url=site.url("/media/5005.png"),
                sha256=digest,
                path=str(blob.relative_to(home.root)),
                mime="image/png",
                size=len(data),
            ),
        ),
        raw_html=str(raw.relative_to(home.root)),
        warc=str(warc_path.relative_to(home.root)),
    )
    PostStore(home.posts_db).put(post)
    read = MediaReader.from_home(home).read_bytes(data, name=post.media[0].url)
    findings = LeakDetector.from_home(home).detect(Subject(post, (read,))).findings
    if not findings:
        raise RuntimeError(f"the leak detector did not match {seed.path.name}")
    return Case(_store(store, post, findings[0], _masked(post)), post, "/posts/5005")


def pii_case(home: Home, site: Site, store: Any) -> Case:
    """A patient's data in a post, found and masked by the real PII detector."""
    from canhbao.detectors.pii.detector import PiiDetector

    text = (
        "Bệnh nhân Nguyễn Thị Hoa, 45 tuổi, SĐT 0912345678, CCCD 001185012345, "
        "dương tính COVID-19, đang điều trị tại Bệnh viện Đa khoa tỉnh."
    )
    post = capture(home, site, path="/posts/2002", post_id="2002", author="Hội Chị Em Phố Núi", text=text, images={})
    report = PiiDetector().detect(Subject(post))
    return Case(_store(store, post, report.findings[0], report.section["masked_text"]), post, "/posts/2002")


def fake_case(home: Home, site: Site, store: Any) -> Case:
    """A post repeating a debunked claim, matched against the claim bank by the real fake-news detector."""
    from canhbao.claims import ClaimBank, make_claim
    from canhbao.detectors.fakenews.detector import FakenewsDetector

    ClaimBank(home.claims_db).put(
        make_claim(
            {
                "text": "Uống nước chanh nóng diệt được virus corona",
                "verdict": "false",
                "source": "Bộ Y tế",
                "date": "2020-03-01",
                "url": "https://moh.gov.vn/tin-gia/017",
            },
            "sample claim",
        )
    )
    text = "KHẨN: Bộ Y tế khuyên toàn dân uống nước chanh nóng để diệt virus corona, chia sẻ ngay!"
    post = capture(home, site, path="/posts/3003", post_id="3003", author="Sức Khỏe Mỗi Ngày", text=text, images={})
    findings = FakenewsDetector.from_home(home).detect(Subject(post)).findings
    if not findings:
        raise RuntimeError("the fake-news detector did not match the sample claim")
    return Case(_store(store, post, findings[0], _masked(post)), post, "/posts/3003")


def _store(store: Any, post: Post, finding: Finding, masked: str) -> Alert:
    alert = alert_from_finding(post, finding, masked)
    store.upsert([alert])
    return store.transition(alert.id, "confirmed", actor="analyst.tuan", note="xác nhận vi phạm")


def _masked(post: Post) -> str:
    """Alerts carry the post text as the PII detector masks it, as the scan pipeline does."""
    from canhbao.detectors.pii.detector import PiiDetector

    return PiiDetector().detect(Subject(post)).section["masked_text"]
