"""Pages the analyst saved in their own browser: an HTML file ("Save page as", SingleFile), a WARC or a
WACZ (Webrecorder/ArchiveWeb.page, Browsertrix). Each page becomes a `SavedPage`; the archive's own bytes
stay the evidence (a WARC is copied into the data home unchanged, an HTML file goes in as a WARC
`resource` record and into the raw store)."""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterator

from warcio.archiveiterator import ArchiveIterator

from canhbao.core.errors import InputError

MAX_PAGES = 10_000  # pages read from one archive (memory and time stay bounded)
_SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.I)  # Chrome/IE "Save page as"
_SINGLEFILE = re.compile(rb"Page saved with SingleFile\s*\n\s*url:\s*(\S+)", re.I)


@dataclass(frozen=True)
class SavedPage:
    url: str
    html: bytes
    saved_at: datetime | None = None
    warc: Path | None = None  # the archive holding the page (records already there)
    resources: dict[str, tuple[str, int]] = field(default_factory=dict)  # url -> (type, offset in warc)


def page_url(html: bytes, explicit: str = "") -> str:
    """The URL an HTML file was saved from: --url, else canonical/og:url, else the browser's note."""
    if explicit:
        return explicit
    from parsel import Selector

    sel = Selector(text=html.decode("utf-8", "replace"))
    for found in (
        sel.css("link[rel=canonical]::attr(href)").get(),
        sel.css("meta[property='og:url']::attr(content)").get(),
    ):
        if found and found.startswith(("http://", "https://")):
            return found.strip()
    for pattern in (_SAVED_FROM, _SINGLEFILE):
        m = pattern.search(html[:200_000])
        if m:
            return m.group(1).decode("utf-8", "replace")
    return ""


def read_html(path: Path, url: str = "") -> SavedPage:
    html = path.read_bytes()
    found = page_url(html, url)
    if not found.startswith(("http://", "https://")):
        raise InputError(
            path,
            "cannot tell which URL this page was saved from (no canonical link, og:url or "
            "'saved from' note); give it with --url",
        )
    return SavedPage(found, html)


def read_warc(path: Path, only: set[str] | None = None) -> Iterator[SavedPage]:
    """Every HTML page (HTTP 200 response or resource record) of a WARC, with the archive's other records
    indexed by URL so the page's images are read from the archive, not fetched again."""
    pages: list[tuple[str, int, str]] = []  # (url, offset, WARC-Date)
    resources: dict[str, tuple[str, int]] = {}
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        for record in it:
            if record.rec_type not in ("response", "resource"):
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI") or ""
            headers = record.http_headers if record.rec_type == "response" else record.rec_headers
            status = int(record.http_headers.get_statuscode() or 0) if record.http_headers else 200
            ctype = (headers.get_header("Content-Type") if headers else "") or ""
            offset = it.get_record_offset()
            if status == 200 and "html" in ctype.lower() and (only is None or uri in only):
                if len(pages) < MAX_PAGES:
                    pages.append((uri, offset, record.rec_headers.get_header("WARC-Date") or ""))
            elif status == 200 and uri:
                resources.setdefault(uri, (ctype, offset))
    for uri, offset, date in pages:
        yield SavedPage(uri, record_body(path, offset), _warc_date(date), path, resources)


def record_body(path: Path, offset: int) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        return record.content_stream().read()


def wacz_members(path: Path) -> tuple[list[str], set[str] | None]:
    """(WARC member names, URLs of the pages listed in pages/pages.jsonl or None when it lists none)."""
    try:
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.startswith("archive/") and n.endswith((".warc", ".warc.gz"))]
            pages: set[str] = set()
            if "pages/pages.jsonl" in z.namelist():
                for line in z.read("pages/pages.jsonl").decode("utf-8", "replace").splitlines():
                    try:
                        row = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(row, dict) and row.get("url"):
                        pages.add(str(row["url"]))
    except zipfile.BadZipFile:
        raise InputError(path, "not a WACZ (ZIP) file") from None
    if not names:
        raise InputError(path, "no archive/*.warc(.gz) inside: not a WACZ")
    return names, pages or None


def _warc_date(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None
