"""Thin HTTP fetch that records what it saw as WARC records (warcio), for live checks and takedowns."""

from __future__ import annotations

import io
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass

from warcio.capture_http import capture_http  # noqa: I001 - must patch http.client before use
from warcio.warcwriter import WARCWriter


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int  # 0 = no HTTP answer (see `error`)
    content_type: str = ""
    body: bytes = b""
    warc: bytes = b""  # gzipped WARC request/response records of the exchange
    error: str = ""

    @property
    def reachable(self) -> bool:
        return self.status > 0


def fetch(url: str, *, timeout: float, user_agent: str, max_bytes: int = 20 * 1024 * 1024) -> Fetched:
    """GET `url` (redirects followed). HTTP errors are answers (a 404 is a result), network errors are not."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    status, ctype, body, error = 0, "", b"", ""
    try:
        with capture_http(writer):
            try:
                with urllib.request.urlopen(request, timeout=timeout) as resp:
                    status, body = resp.status, resp.read(max_bytes)
                    ctype = resp.headers.get("Content-Type", "")
            except urllib.error.HTTPError as exc:
                status, ctype, body = exc.code, exc.headers.get("Content-Type", ""), exc.read(max_bytes)
    except (urllib.error.URLError, socket.timeout, ConnectionError, OSError, ValueError) as exc:
        error = str(getattr(exc, "reason", exc)) or type(exc).__name__
    return Fetched(url, status, ctype, body, buf.getvalue(), error)
