"""A WACZ (Web Archive Collection Zipped, 1.1.1) of the bundle's WARC files, so the capture opens
directly in ReplayWeb.page / pywb: archive/*.warc.gz, a CDXJ index, pages.jsonl, datapackage.json.

The CDXJ keys use SURT form (host labels reversed, `www.` dropped, lower case), the common case of
the `surt` package; offsets point at the records inside the archive files, which are stored
uncompressed in the ZIP so a replayer can seek into them.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Mapping
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from canhbao import __version__
from canhbao.core.records import sha256_hex
from canhbao.evidence.bundle import zip_time

VERSION = "1.1.1"


def surt(url: str) -> str:
    """'https://www.Facebook.com/a/b?x=1' -> 'com,facebook)/a/b?x=1'. IP addresses are not reversed."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if not host.replace(".", "").isdigit():
        host = ",".join(reversed(host.split(".")))
    default = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port and parts.port != default:
        host += f":{parts.port}"
    path = parts.path or "/"
    return f"{host}){path.lower()}" + (f"?{parts.query}" if parts.query else "")


def index(name: str, warc: bytes) -> list[str]:
    """CDXJ lines for the response/resource records of one WARC file."""
    rows, starts = [], []
    it = ArchiveIterator(io.BytesIO(warc))
    for record in it:
        starts.append(it.get_record_offset())
        if record.rec_type not in ("response", "resource", "revisit"):
            continue
        h, http = record.rec_headers, record.http_headers
        uri = h.get_header("WARC-Target-URI") or ""
        ts = "".join(c for c in (h.get_header("WARC-Date") or "") if c.isdigit())[:14]
        ctype = (http.get_header("Content-Type") if http else h.get_header("Content-Type")) or ""
        status = str(http.get_statuscode()) if http else "200"
        fields = {"url": uri, "mime": ctype.split(";")[0], "status": status,
                  "digest": h.get_header("WARC-Payload-Digest") or "", "filename": name}
        rows.append((len(starts) - 1, uri, ts, fields))
    ends = starts[1:] + [len(warc)]  # a record ends where the next begins (see collect._records)
    lines = []
    for i, uri, ts, fields in rows:
        fields.update(offset=str(starts[i]), length=str(ends[i] - starts[i]))
        lines.append(f"{surt(uri)} {ts} {json.dumps(fields, sort_keys=True)}")
    return sorted(lines)


def build(warcs: Mapping[str, bytes], *, main_url: str, main_ts: str, title: str, created: str,
          when: datetime) -> bytes:
    """`warcs`: archive file name -> WARC bytes. `main_ts`: ISO time of the main page capture."""
    files: dict[str, bytes] = {f"archive/{n}": d for n, d in warcs.items()}
    cdx = [line for n, d in sorted(warcs.items()) for line in index(n, d)]
    files["indexes/index.cdx"] = ("\n".join(sorted(cdx)) + "\n").encode()
    pages = [{"format": "json-pages-1.0", "id": "pages", "title": "All Pages"},
             {"id": sha256_hex(main_url)[:16], "url": main_url, "ts": main_ts, "title": title}]
    files["pages/pages.jsonl"] = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages).encode()
    package = {
        "profile": "data-package", "wacz_version": VERSION, "title": title, "created": created,
        "software": f"canhbao {__version__}", "mainPageURL": main_url, "mainPageDate": main_ts,
        "resources": [{"name": p.rsplit("/", 1)[-1], "path": p, "hash": f"sha256:{sha256_hex(d)}",
                       "bytes": len(d)} for p, d in sorted(files.items())],
    }
    files["datapackage.json"] = json.dumps(package, ensure_ascii=False, indent=2).encode()
    digest = {"path": "datapackage.json", "hash": f"sha256:{sha256_hex(files['datapackage.json'])}"}
    files["datapackage-digest.json"] = json.dumps(digest).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(files):  # stored, not deflated: replayers seek by offset inside archive/*
            zf.writestr(zipfile.ZipInfo(name, date_time=zip_time(when)), files[name])
    return buf.getvalue()
