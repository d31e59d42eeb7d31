"""Media of captures made outside the crawler: bytes found in a saved page or archive are stored as they
are; URLs (Zeeschuimer items, saved pages) are fetched through the fetch policy. Content-addressed like
the crawler's media store (`media/ab/<sha256>.<ext>`); a failure is `Media(error=...)`, never a stop."""

from __future__ import annotations

import base64
import mimetypes
from urllib.parse import unquote_to_bytes

from canhbao.core.blobs import open_blobs
from canhbao.core.errors import InputError
from canhbao.core.home import Home
from canhbao.core.images import load_image
from canhbao.core.records import Media, sha256_hex

_EXT = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp", "image/bmp": ".bmp"}


def store_bytes(home: Home, url: str, data: bytes, mime: str = "", *, max_bytes: int) -> Media:
    mime = (mime or mimetypes.guess_type(url.split("?")[0])[0] or "").split(";")[0].strip().lower()
    if not data:
        return Media(url, error="empty file")
    if len(data) > max_bytes:
        return Media(url, error=f"larger than the limit of {max_bytes} bytes")
    try:
        load_image(data, name=url[:200])  # decodes fully: a non-image or a decompression bomb is refused
    except InputError as exc:
        return Media(url, error=exc.problem)
    digest = sha256_hex(data)
    key, _ = open_blobs(home).put("media", data, _EXT.get(mime, mimetypes.guess_extension(mime or "") or ".bin"))
    return Media(url, digest, key, mime, len(data))


def from_data_uri(home: Home, uri: str, *, max_bytes: int) -> Media:
    """`data:image/png;base64,...` (how SingleFile saves images inside the page)."""
    head, _, payload = uri.partition(",")
    mime = head[5:].split(";")[0]
    try:
        data = base64.b64decode(payload, validate=False) if ";base64" in head else unquote_to_bytes(payload)
    except ValueError:
        return Media(f"data:{mime}", error="undecodable data: URI")
    return store_bytes(home, f"data:{mime};sha256,{sha256_hex(data)}", data, mime, max_bytes=max_bytes)


def download(home: Home, url: str, *, policy, user_agent: str, max_bytes: int, types: tuple[str, ...]) -> Media:
    from canhbao.net.http import get

    got = get(url, policy, user_agent=user_agent, max_bytes=max_bytes, accept="image/*", record=False)
    if got.status != 200:
        return Media(url, error=got.error or f"HTTP {got.status}")
    mime = got.content_type.split(";")[0].strip().lower()
    if mime not in types:
        return Media(url, error=f"type {mime or 'unknown'} is not an accepted media type")
    return store_bytes(home, url, got.body, mime, max_bytes=max_bytes)
