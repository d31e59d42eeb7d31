"""Gather what the data home holds about one post: raw HTML, media files and its WARC records.

Nothing here fails on a missing piece: a purged media file or a lost WARC becomes a line in
`Capture.missing`, which the bundle states plainly (metadata.json, the PDF record, the CLI).
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from canhbao.core.home import Home
from canhbao.core.records import Media, Post, sha256_hex


@dataclass(frozen=True)
class MediaFile:
    media: Media
    data: bytes | None  # None: not available (see Capture.missing)

    @property
    def name(self) -> str:
        ext = Path(self.media.path).suffix or mimetypes.guess_extension(self.media.mime or "") or ".bin"
        return f"{self.media.sha256 or sha256_hex(self.media.url)[:16]}{ext}"


@dataclass(frozen=True)
class Capture:
    post: Post
    html: bytes | None = None  # the page as captured
    html_url: str = ""  # where it was served (base for relative links)
    media: tuple[MediaFile, ...] = ()
    warc: bytes = b""  # the post's WARC records, byte-for-byte as the crawler wrote them
    warc_uris: tuple[str, ...] = ()
    resources: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # url -> (type, body) for replay
    missing: tuple[str, ...] = ()


def _home_file(home: Home, rel: str, *bases: Path) -> Path | None:
    """Paths in records are relative to the data home (or, for media, to the media store)."""
    for base in (home.root, *bases):
        p = base / rel
        if rel and p.is_file():
            return p
    return None


def collect(home: Home, post: Post) -> Capture:
    missing: list[str] = []
    html, html_url = None, post.url
    if post.raw_html:
        path = _home_file(home, post.raw_html, home.raw)
        if path is None:
            missing.append(f"raw HTML capture {post.raw_html}: file not found in the data home")
        else:
            html = path.read_bytes()
    media = []
    for m in post.media:
        path = _home_file(home, m.path, home.media)
        if path is None and m.sha256:
            path = next(iter(sorted(home.blob_path(home.media, m.sha256).parent.glob(f"{m.sha256}*"))), None)
        data = path.read_bytes() if path else None
        if data is None:
            why = m.error or ("file purged from the media store" if m.sha256 else "never downloaded")
            missing.append(f"media {m.url} (sha256 {m.sha256 or '-'}): {why}")
        elif m.sha256 and sha256_hex(data) != m.sha256:
            missing.append(f"media {m.url}: stored file does not match its SHA-256 {m.sha256}; not included")
            data = None
        media.append(MediaFile(m, data))
    warc, uris, resources, page = b"", (), {}, None
    if post.warc:
        path = _home_file(home, post.warc, home.warc)
        if path is None:
            missing.append(f"WARC capture {post.warc}: file not found in the data home")
        else:
            wanted = {post.url, *(m.url for m in post.media)}
            warc, uris, resources, page = _records(path, wanted, html)
            if not uris:
                missing.append(f"WARC capture {post.warc}: holds no record of {post.url} or its media")
    else:
        missing.append("WARC capture: none recorded for this post")
    if page is not None:  # the captured page found in the WARC (by URL or by identical body)
        html_url = page[0]
        if html is None:
            html = page[1]
    for mf in media:  # media also answer replay requests by their URL
        if mf.data is not None and mf.media.url not in resources:
            resources[mf.media.url] = (mf.media.mime, mf.data)
    return Capture(post, html, html_url, tuple(media), warc, uris, resources, tuple(missing))


def _records(path: Path, wanted: set[str], html: bytes | None):
    """Copy the raw bytes of matching records (each gzip member / record as stored), keeping digests intact.

    A record matches by target URI, or, for a response whose payload is the captured raw HTML, by
    content: crawlers often capture a feed page whose URL is not the post's canonical URL. Two passes:
    find the URIs first, then copy every record (request, response, metadata) of those URIs.
    """
    html_digest = sha256_hex(html) if html else ""
    wanted, resources, page, spans = set(wanted), {}, None, []
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type not in ("response", "resource"):
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI") or ""
            body = record.content_stream().read()
            digest = sha256_hex(body)
            if uri in wanted or (html_digest and digest == html_digest):
                wanted.add(uri)
                headers = record.http_headers or record.rec_headers
                ctype = headers.get_header("Content-Type", "")
                resources[uri] = (ctype, body)
                if "html" in ctype and (page is None or digest == html_digest):
                    page = (uri, body)
        # A record runs from its offset to the next record's (warcio's own length is short by the
        # record separator on uncompressed WARCs); the last one runs to the end of the file.
        fh.seek(0)
        it = ArchiveIterator(fh)
        starts = []
        for record in it:
            starts.append((record.rec_headers.get_header("WARC-Target-URI") or "", it.get_record_offset()))
        end = fh.seek(0, 2)
        for i, (uri, offset) in enumerate(starts):
            if uri in wanted:
                spans.append((uri, offset, (starts[i + 1][1] if i + 1 < len(starts) else end) - offset))
        chunks = []
        for _uri, offset, length in spans:
            fh.seek(offset)
            chunks.append(fh.read(length))
    uris = tuple(dict.fromkeys(u for u, _o, _l in spans))
    return b"".join(chunks), uris, resources, page
