"""Raw capture: every response the crawl receives goes into the run's WARC file (warcio), and every
HTML page into the content-addressed raw store, so evidence export can replay exactly what was seen.

A downloader middleware placed just after decompression: the WARC holds the body as the parser saw it
(Content-Encoding removed, as the headers then say). Records are gzip members appended one by one, so a
crash leaves every earlier record readable. The spider finds the paths in `response.meta["capture"]`.
"""

from __future__ import annotations

import io
import os
import re
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from canhbao.core.blobs import open_blobs

CAPTURE_KEY = "capture"


class WarcCaptureMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.home = crawler.settings["CANHBAO_HOME"]
        self.blobs = open_blobs(self.home)  # raw captures, content-addressed (config/storage.yaml)
        source = crawler.settings["CANHBAO_SOURCE"]
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.path: Path = self.home.warc / source / f"{stamp}-{os.getpid()}.warc.gz"
        self._fh = None
        self._writer = None
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def relpath(self) -> str:
        return str(self.path.relative_to(self.home.root))

    def _open(self) -> WARCWriter:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "ab")
            self._writer = WARCWriter(self._fh, gzip=True)
        return self._writer

    def process_response(self, request, response, spider=None):
        writer = self._open()
        url = redact(response.url)  # a Graph API token must never end up in evidence files
        req_headers = [(k.decode("latin-1"), b", ".join(v).decode("latin-1")) for k, v in request.headers.items()]
        path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
        writer.write_record(
            writer.create_warc_record(
                url,
                "request",
                payload=io.BytesIO(request.body or b""),
                length=len(request.body or b""),
                http_headers=StatusAndHeaders(f"{request.method} /{path} HTTP/1.1", req_headers, is_http_request=True),
            )
        )
        headers = [
            (k.decode("latin-1"), b", ".join(v).decode("latin-1"))
            for k, v in response.headers.items()
            if k.lower() not in (b"content-length", b"transfer-encoding")
        ]
        headers.append(("Content-Length", str(len(response.body))))
        status = f"{response.status} {_REASONS.get(response.status, 'Status')}"
        writer.write_record(
            writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(response.body),
                length=len(response.body),
                http_headers=StatusAndHeaders(status, headers, protocol="HTTP/1.1"),
            )
        )
        self._fh.flush()
        capture = {"warc": self.relpath, "raw": ""}
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if response.body and ("html" in ctype or "xml" in ctype or "json" in ctype):
            ext = ".html" if "html" in ctype else ".json" if "json" in ctype else ".xml"
            capture["raw"], _ = self.blobs.put("raw", response.body, ext)
        request.meta[CAPTURE_KEY] = capture
        return response

    def close(self, spider=None):
        if self._fh is not None:
            self._fh.close()
            self._fh = self._writer = None


def redact(url: str) -> str:
    return re.sub(r"access_token=[^&]+", "access_token=REDACTED", url)


_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
