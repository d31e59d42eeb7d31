"""Item pipelines: media download (content-addressed), then the post store and the crawl state.

Media go through Scrapy's own downloader (throttling, retries, robots.txt and WARC capture apply to
them too); each file is checked (HTTP 200, declared image type, size limit, decodes as an image) and
stored once under `media/ab/<sha256><ext>`, however many posts share it. A URL already stored (this run
or an earlier one, via `state/media.sqlite`) is not fetched again. A failed media becomes
`Media(error=...)` on the post: the post itself is always kept.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import sqlite3
from contextlib import closing
from dataclasses import replace

from scrapy import Request
from scrapy.http.request import NO_CALLBACK

from canhbao.core.atomic import write_bytes
from canhbao.core.errors import InputError
from canhbao.core.images import load_image
from canhbao.core.posts import PostStore
from canhbao.core.records import Media, Post, sha256_hex

log = logging.getLogger(__name__)
_EXT = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp", "image/bmp": ".bmp"}


class MediaIndex:
    """url -> stored Media, shared by every source and run (SQLite: several crawlers may write at once)."""

    def __init__(self, path):
        self.path = path
        with closing(self._db()) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS media (url TEXT PRIMARY KEY, sha256 TEXT, path TEXT, mime TEXT, size INT)")

    def _db(self):
        return sqlite3.connect(self.path, timeout=30)

    def get(self, url: str) -> Media | None:
        with closing(self._db()) as db:
            row = db.execute("SELECT sha256, path, mime, size FROM media WHERE url=?", (url,)).fetchone()
        return Media(url, *row) if row else None

    def put(self, m: Media) -> None:
        with closing(self._db()) as db, db:
            db.execute("INSERT OR REPLACE INTO media VALUES (?,?,?,?,?)", (m.url, m.sha256, m.path, m.mime, m.size))


class MediaPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        s = crawler.settings
        self.home = s["CANHBAO_HOME"]
        self.enabled = s.getbool("CANHBAO_DOWNLOAD_MEDIA", True)
        self.max_bytes = s.getint("CANHBAO_MEDIA_MAX_BYTES")
        self.types = tuple(s.getlist("CANHBAO_MEDIA_TYPES"))
        self.index = MediaIndex(self.home.crawl_state / "media.sqlite")
        self._inflight: dict[str, asyncio.Future] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_item(self, item: Post, spider=None) -> Post:
        if not self.enabled or not item.media:
            return item
        media = await asyncio.gather(*(self._one(m, item) for m in item.media))
        return replace(item, media=tuple(media))

    async def _one(self, m: Media, post: Post) -> Media:
        if m.sha256:
            return m
        known = self.index.get(m.url)
        health = self.crawler.spider.health
        if known and (self.home.root / known.path).exists():
            health.media_reused += 1
            return known
        if m.url in self._inflight:  # the same image in two posts of one page: one download
            health.media_reused += 1
            return await asyncio.shield(self._inflight[m.url])
        fut = self._inflight[m.url] = asyncio.get_running_loop().create_future()
        try:
            result = await self._download(m.url)
        except InputError as exc:
            result = Media(m.url, error=exc.problem)
        except Exception as exc:  # noqa: BLE001 - network errors, cancelled oversize downloads
            result = Media(m.url, error=_one_line(exc))
        if result.error:
            health.media_failed += 1
            health.error(f"media {m.url} (post {post.post_id}): {result.error}")
            log.warning("%s: media %s: %s", post.key, m.url, result.error)
        fut.set_result(result)
        if result.error:  # a failure is tried again the next time the URL shows up
            self._inflight.pop(m.url, None)
        return result

    async def _download(self, url: str) -> Media:
        request = Request(url, callback=NO_CALLBACK, meta={"download_maxsize": self.max_bytes,
                                                           "download_warnsize": 0, "media": True})
        response = await self.crawler.engine.download_async(request)
        if response.status != 200:
            raise InputError(url, f"HTTP {response.status}")
        body = response.body
        if not body:
            raise InputError(url, "empty file")
        if len(body) > self.max_bytes:
            raise InputError(url, f"larger than the limit of {self.max_bytes} bytes")
        mime = response.headers.get(b"Content-Type", b"").decode("latin-1").split(";")[0].strip().lower()
        if mime not in self.types:
            raise InputError(url, f"type {mime or 'unknown'} is not an accepted media type")
        load_image(body, name=url)  # decodes fully: a non-image or a bomb is refused here
        digest = sha256_hex(body)
        ext = _EXT.get(mime) or mimetypes.guess_extension(mime) or ".bin"
        blob = self.home.blob_path(self.home.media, digest, ext)
        health = self.crawler.spider.health
        if blob.exists():
            health.media_reused += 1
        else:
            write_bytes(blob, body)
            health.media_stored += 1
            health.media_bytes += len(body)
        media = Media(url, digest, str(blob.relative_to(self.home.root)), mime, len(body))
        self.index.put(media)
        return media


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
