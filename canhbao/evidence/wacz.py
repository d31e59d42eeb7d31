"""A WACZ (Web Archive Collection Zipped, 1.1.1) of the bundle's WARC files, so the capture opens
directly in ReplayWeb.page / pywb: archive/*.warc.gz, a CDXJ index, pages.jsonl, datapackage.json.

The CDXJ index is made by cdxj-indexer (Webrecorder's, as py-wacz makes it), keys in the `surt`
package's SURT form; offsets point at the records inside the archive files, which are stored
uncompressed in the ZIP so a replayer can seek into them. `wacz validate` accepts the result.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Mapping

import surt as _surt
from cdxj_indexer.main import CDXJIndexer

from canhbao import __version__
from canhbao.core.records import sha256_hex
from canhbao.evidence.bundle import zip_time

VERSION = "1.1.1"


def surt(url: str) -> str:
    """The CDXJ key of `url`, computed by the `surt` package exactly as cdxj-indexer, pywb and
    ReplayWeb.page compute it (host reversed, `www.` dropped, query sorted, path percent-encoded and
    lower-cased), so a replayer's lookup finds the capture."""
    return _surt.surt(url)


def index(name: str, warc: bytes) -> list[str]:
    """CDXJ lines for the records of one WARC file, written by Webrecorder's cdxj-indexer (the indexer
    py-wacz uses): response/resource/revisit/metadata records, POST bodies appended to the key."""
    out = io.StringIO()
    CDXJIndexer(out, [io.BytesIO(warc)], filename=name, post_append=True, sort=True).process_all()
    return [line for line in out.getvalue().splitlines() if line and not line.startswith("!")]


def build(
    warcs: Mapping[str, bytes], *, main_url: str, main_ts: str, title: str, created: str, when: datetime
) -> bytes:
    """`warcs`: archive file name -> WARC bytes. `main_ts`: ISO time of the main page capture."""
    files: dict[str, bytes] = {f"archive/{n}": d for n, d in warcs.items()}
    cdx = [line for n, d in sorted(warcs.items()) for line in index(n, d)]
    files["indexes/index.cdx"] = ("\n".join(sorted(cdx)) + "\n").encode()
    pages = [
        {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"},
        {"id": sha256_hex(main_url)[:16], "url": main_url, "ts": main_ts, "title": title},
    ]
    files["pages/pages.jsonl"] = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages).encode()
    package = {
        "profile": "data-package",
        "wacz_version": VERSION,
        "title": title,
        "created": created,
        "software": f"canhbao {__version__}",
        "mainPageURL": main_url,
        "mainPageDate": main_ts,
        "resources": [
            {"name": p.rsplit("/", 1)[-1], "path": p, "hash": f"sha256:{sha256_hex(d)}", "bytes": len(d)}
            for p, d in sorted(files.items())
        ],
    }
    files["datapackage.json"] = json.dumps(package, ensure_ascii=False, indent=2).encode()
    digest = {"path": "datapackage.json", "hash": f"sha256:{sha256_hex(files['datapackage.json'])}"}
    files["datapackage-digest.json"] = json.dumps(digest).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(files):  # stored, not deflated: replayers seek by offset inside archive/*
            zf.writestr(zipfile.ZipInfo(name, date_time=zip_time(when)), files[name])
    return buf.getvalue()
