"""Item pipelines: media download (content-addressed), then the post store and the crawl state.

Media go through Scrapy's FilesPipeline and downloader (throttling, retries, robots.txt and WARC capture
apply to them too); each file is checked (HTTP 200, declared image type, size limit, decodes as an image) and
stored once under `media/ab/<sha256><ext>`, however many posts share it. A URL already stored (this run
or an earlier one, via `state/media.sqlite`) is not fetched again. A failed media becomes
`Media(error=...)` on the post: the post itself is always kept.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import replace

from scrapy import Request
from scrapy.pipelines.files import FilesPipeline

from canhbao.core.blobs import open_blobs
from canhbao.core.errors import InputError
from canhbao.core.images import load_image
from canhbao.core.posts import PostStore
from canhbao.core.records import Media, Post, sha256_hex
from canhbao.core.sqlite import connect

log = logging.getLogger(__name__)
_EXT = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp", "image/bmp": ".bmp"}


class MediaIndex:
    """url -> stored Media, shared by every source and run (SQLite in WAL mode: several crawlers at once)."""

    def __init__(self, path):
        self.path = path
        self._db = connect(path)  # an index entry lost in a power cut is re-fetched
        with self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS media (url TEXT PRIMARY KEY, sha256 TEXT, path TEXT, mime TEXT, size INT)"
            )

    def get(self, url: str) -> Media | None:
        row = self._db.execute("SELECT sha256, path, mime, size FROM media WHERE url=?", (url,)).fetchone()
        return Media(url, *row) if row else None

    def put(self, m: Media) -> None:
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO media VALUES (?,?,?,?,?)", (m.url, m.sha256, m.path, m.mime, m.size)
            )

    def close(self) -> None:
        self._db.close()


class MediaRejected(Exception):
    """A media file that was fetched but refused (status, type, size, not decodable); one line."""


class MediaPipeline(FilesPipeline):
    """Scrapy's FilesPipeline, content-addressed: the file's SHA-256 names it, not its URL.

    Scrapy supplies the request scheduling and the per-run cache (a URL shared by many posts of the run
    is fetched once); `media_to_download` consults the cross-run URL index; `media_downloaded` checks
    and stores; `item_completed` turns the results into `Media` records on a new (frozen) Post.
    """

    def __init__(self, crawler):
        s = crawler.settings
        self.home = s["CANHBAO_HOME"]
        super().__init__(str(self.home.root), crawler=crawler)
        self.enabled = s.getbool("CANHBAO_DOWNLOAD_MEDIA", True)
        self.max_bytes = s.getint("CANHBAO_MEDIA_MAX_BYTES")
        self.max_pixels = s.getint("CANHBAO_MEDIA_MAX_PIXELS", 50_000_000)
        self.types = tuple(s.getlist("CANHBAO_MEDIA_TYPES"))
        self.index = MediaIndex(self.home.crawl_state / "media.sqlite")
        self.blobs = open_blobs(self.home)  # config/storage.yaml: the data home, a shared path or S3

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def health(self):
        return self.crawler.spider.health

    def close_spider(self, spider=None) -> None:
        self.index.close()

    def get_media_requests(self, item: Post, info) -> list[Request]:
        if not self.enabled:
            return []
        return [
            Request(m.url, meta={"download_maxsize": self.max_bytes, "download_warnsize": 0})
            for m in item.media
            if not m.sha256
        ]

    def media_to_download(self, request, info, *, item=None):
        known = self.index.get(request.url)
        if known and self.blobs.exists(known.path):
            self.health.media_reused += 1
            return {
                "url": known.url,
                "path": known.path,
                "checksum": known.sha256,
                "status": "uptodate",
                "mime": known.mime,
                "size": known.size,
            }
        return None

    async def media_downloaded(self, response, request, info, *, item=None):
        url = request.url
        if response.status != 200:
            raise MediaRejected(f"HTTP {response.status}")
        body = response.body
        if not body:
            raise MediaRejected("empty file")
        if len(body) > self.max_bytes:
            raise MediaRejected(f"larger than the limit of {self.max_bytes} bytes")
        mime = response.headers.get(b"Content-Type", b"").decode("latin-1").split(";")[0].strip().lower()
        if mime not in self.types:
            raise MediaRejected(f"type {mime or 'unknown'} is not an accepted media type")
        try:
            load_image(
                body, name=url, max_pixels=self.max_pixels, max_bytes=self.max_bytes
            )  # decodes fully: a non-image or a decompression bomb is refused here
        except InputError as exc:
            raise MediaRejected(exc.problem) from None
        digest = sha256_hex(body)
        ext = _EXT.get(mime) or mimetypes.guess_extension(mime) or ".bin"
        key, written = self.blobs.put("media", body, ext)
        if not written:  # the same bytes under another URL: stored once
            self.health.media_reused += 1
        else:
            self.health.media_stored += 1
            self.health.media_bytes += len(body)
        media = Media(url, digest, key, mime, len(body))
        self.index.put(media)
        return {
            "url": url,
            "path": media.path,
            "checksum": digest,
            "status": "downloaded",
            "mime": mime,
            "size": len(body),
        }

    def media_failed(self, failure, request, info):
        raise MediaRejected(
            _one_line(failure.value) if not isinstance(failure.value, MediaRejected) else str(failure.value)
        )

    def item_completed(self, results, item: Post, info) -> Post:
        if not self.enabled:
            return item
        done = iter(results)
        media = []
        for m in item.media:
            if m.sha256:
                media.append(m)
                continue
            ok, value = next(done)
            if ok:
                media.append(
                    Media(m.url, value["checksum"], value["path"], value.get("mime", ""), value.get("size", 0))
                )
                continue
            why = str(getattr(value, "value", value)) or "download failed"
            self.health.media_failed += 1
            self.health.error(f"media {m.url} (post {item.post_id}): {why}")
            log.warning("%s: media %s: %s", item.key, m.url, why)
            media.append(Media(m.url, error=why))
        return replace(item, media=tuple(media))


class StorePipeline:
    """Posts into the post store, then their ids into the crawl state (in that order; see state.py)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.batch = crawler.settings.getint("CANHBAO_STORE_BATCH", 20)
        self.store = PostStore(crawler.settings["CANHBAO_HOME"].posts_db)
        self.pending: list[Post] = []

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item: Post, spider=None) -> Post:
        self.pending.append(item)
        if len(self.pending) >= self.batch:
            self.flush()
        return item

    def close_spider(self, spider=None) -> None:  # before the spider's `closed` finishes the state
        self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        spider = self.crawler.spider
        batch, self.pending = self.pending, []
        self.store.put_many(batch)
        for post in batch:
            spider.state.stored(post.post_id, post.published_at)
            spider.stored_keys.append(post.key)
        spider.health.posts_stored += len(batch)
        spider.state.save()


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
