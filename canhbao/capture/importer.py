"""`canhbao import PATH`: captures made in the analyst's own (logged-in) browser into the data home, then
analysed and alerted like a scan. Formats, by file name: Zeeschuimer / 4CAT NDJSON (`.ndjson`,
`.jsonl`), a saved page (`.html`, `.htm`), a WARC (`.warc`, `.warc.gz`) or a WACZ (`.wacz`).

A bad line or page is one error naming the file and line (or URL); the rest is imported. Posts are
stored and analysed in batches, so a large export is never held in memory at once.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import urljoin

from warcio.warcwriter import WARCWriter

from canhbao.capture.ingest import ingest
from canhbao.capture.media import download, from_data_uri, store_bytes
from canhbao.capture.provenance import Provenance, provenance
from canhbao.capture.saved import SavedPage, read_html, read_warc, record_body, wacz_members
from canhbao.capture.zeeschuimer import Unsupported, read_item
from canhbao.core.atomic import write_bytes
from canhbao.core.errors import InputError
from canhbao.core.home import Home
from canhbao.core.posts import PostStore
from canhbao.core.records import Alert, Media, Post, sha256_hex, utcnow

SOURCE = "import"
BATCH = 100
MAX_MEDIA = 20  # per post
KINDS = {".ndjson": "ndjson", ".jsonl": "ndjson", ".html": "html", ".htm": "html", ".warc": "warc", ".wacz": "wacz"}


@dataclass(frozen=True)
class ImportResult:
    kind: str
    posts: tuple[str, ...]
    alerts: tuple[Alert, ...]
    errors: tuple[str, ...]


@dataclass(frozen=True)
class _Env:
    home: Home
    prov: Provenance
    media: bool
    policy: Any
    user_agent: str
    max_bytes: int
    types: tuple[str, ...]


def kind_of(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".warc.gz"):
        return "warc"
    kind = KINDS.get(Path(name).suffix)
    if kind is None:
        raise InputError(
            path,
            "unknown capture format; expected .ndjson/.jsonl (Zeeschuimer, 4CAT), .html/.htm, .warc/.warc.gz or .wacz",
        )
    return kind


def import_path(
    home: Home,
    path: Path,
    *,
    note: str = "",
    alert: bool = False,
    media: bool = True,
    url: str = "",
    actor: str | None = None,
    store: Any = None,
    analyzer: Any = None,
) -> ImportResult:
    from canhbao.crawlers import settings as crawl_settings
    from canhbao.net.policy import load as load_policy

    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such file" if not path.exists() else "not a regular file")
    kind = kind_of(path)
    prov = provenance(
        f"import:{kind}", note=note, source=str(path.resolve()), source_sha256=_sha256_file(path), actor=actor
    )
    crawl = crawl_settings.load()
    env = _Env(home, prov, media, load_policy(), crawl.user_agent, crawl.media_max_bytes, crawl.media_types)
    if analyzer is None:
        from canhbao.pipeline.analyze import Analyzer

        analyzer = Analyzer.from_home(home)
    errors: list[str] = []
    if kind == "ndjson":
        posts = _ndjson(env, path, errors)
    elif kind == "html":
        posts = _pages(env, [read_html(path, url)], errors, local_dir=path.parent, into_warc=True)
    elif kind == "warc":
        posts = _pages(env, read_warc(_copy_in(home, path, path.name)), errors)
    else:
        posts = _pages(env, _wacz_pages(home, path), errors)
    keys: list[str] = []
    alerts: list[Alert] = []
    store_posts = PostStore(home.posts_db)
    for batch in _batches(posts, BATCH):
        store_posts.put_many([p for p, _ in batch])
        done = ingest(
            home, [p for p, _ in batch], {p.key: pv for p, pv in batch}, manual=alert, store=store, analyzer=analyzer
        )
        keys += done.posts
        alerts += done.alerts
        errors += done.errors
    return ImportResult(kind, tuple(keys), tuple(alerts), tuple(errors))


# --- NDJSON ---------------------------------------------------------------------------------------


def _ndjson(env: _Env, path: Path, errors: list[str]) -> Iterator[tuple[Post, Provenance]]:
    warc_path = env.home.warc / SOURCE / f"{utcnow().strftime('%Y%m%dT%H%M%SZ')}-{os.getpid()}-ndjson.warc.gz"
    warc_path.parent.mkdir(parents=True, exist_ok=True)
    rel = str(warc_path.relative_to(env.home.root))
    with open(path, "rb") as src, open(warc_path, "ab") as out:
        writer = WARCWriter(out, gzip=True)
        for lineno, raw in enumerate(src, 1):
            if not raw.strip():
                continue
            try:
                item = read_item(json.loads(raw))
            except (ValueError, Unsupported) as exc:
                errors.append(f"{path}:{lineno}: {exc}")
                continue
            line = raw.rstrip(b"\r\n")
            # The line as exported is the evidence of what the analyst's browser received.
            writer.write_record(
                writer.create_warc_record(
                    item.url,
                    "resource",
                    payload=io.BytesIO(line),
                    length=len(line),
                    warc_content_type="application/json",
                    warc_headers_dict={"WARC-Source-URI": item.api_url} if item.api_url.startswith("http") else None,
                )
            )
            out.flush()
            media = [_media_from_url(env, u) for u in item.images[:MAX_MEDIA]]
            post = Post(
                source=SOURCE,
                platform=item.platform,
                post_id=f"{item.platform}-{item.post_id}",
                url=item.url,
                captured_at=item.collected_at or env.prov.at,
                text=item.text,
                author=item.author,
                author_url=item.author_url,
                published_at=item.published,
                media=tuple(media),
                engagement=dict(item.engagement),
                warc=rel,
            )
            prov = env.prov.with_collected(
                line=lineno,
                collected_at=item.collected_at and item.collected_at.isoformat(),
                seen_on=item.seen_on,
                api_url=item.api_url,
                user_agent=item.user_agent,
            )
            yield post, prov


def _media_from_url(env: _Env, url: str) -> Media:
    if not env.media:
        return Media(url)
    return download(
        env.home, url, policy=env.policy, user_agent=env.user_agent, max_bytes=env.max_bytes, types=env.types
    )


# --- saved pages ----------------------------------------------------------------------------------


def _pages(
    env: _Env, pages: Iterable[SavedPage], errors: list[str], *, local_dir: Path | None = None, into_warc: bool = False
) -> Iterator[tuple[Post, Provenance]]:
    from canhbao.crawlers.pageinfo import read_page
    from canhbao.crawlers.spiders.capture import platform_of

    try:
        for page in pages:
            try:
                info = read_page(page.html, page.url)
                raw = env.home.blob_path(env.home.raw, sha256_hex(page.html), ".html")
                if not raw.exists():
                    write_bytes(raw, page.html)
                warc = page.warc if page.warc is not None else (_html_warc(env, page) if into_warc else None)
                media = [_page_media(env, page, src, local_dir) for src in _image_refs(page)][:MAX_MEDIA]
                post = Post(
                    source=SOURCE,
                    platform=platform_of(page.url),
                    post_id=f"{sha256_hex(page.url)[:16]}-{sha256_hex(page.html)[:8]}",
                    url=page.url,
                    captured_at=page.saved_at or env.prov.at,
                    text=info.text,
                    author=info.author,
                    author_url=info.author_url,
                    published_at=info.published,
                    media=tuple(media),
                    raw_html=str(raw.relative_to(env.home.root)),
                    warc=str(warc.relative_to(env.home.root)) if warc else "",
                )
                yield post, env.prov.with_collected(page=page.url, saved_at=page.saved_at and page.saved_at.isoformat())
            except (OSError, ValueError) as exc:
                errors.append(f"{page.url}: {type(exc).__name__}: {exc}")
    except InputError as exc:
        errors.append(str(exc))


def _image_refs(page: SavedPage) -> list[str]:
    from parsel import Selector

    sel = Selector(text=page.html.decode("utf-8", "replace"))
    refs = sel.css("meta[property='og:image']::attr(content)").getall()
    refs += sel.css("article img::attr(src), main img::attr(src)").getall() or sel.css("img::attr(src)").getall()
    return list(dict.fromkeys(r.strip() for r in refs if r and r.strip()))


def _page_media(env: _Env, page: SavedPage, src: str, local_dir: Path | None) -> Media:
    if src.startswith("data:"):
        return from_data_uri(env.home, src, max_bytes=env.max_bytes)
    absolute = urljoin(page.url, src)
    if local_dir is not None and "://" not in src:  # "Save page as, complete" keeps images beside the file
        local = (local_dir / src.split("?")[0]).resolve()
        if local.is_file() and local_dir.resolve() in local.parents:
            return store_bytes(env.home, absolute, local.read_bytes(), max_bytes=env.max_bytes)
    if page.warc is not None and absolute in page.resources:
        ctype, offset = page.resources[absolute]
        return store_bytes(env.home, absolute, record_body(page.warc, offset), ctype, max_bytes=env.max_bytes)
    return _media_from_url(env, absolute)


def _html_warc(env: _Env, page: SavedPage) -> Path:
    """A saved HTML file goes into the data home as a WARC `resource` record of the page's URL."""
    path = env.home.warc / SOURCE / f"{sha256_hex(page.html)[:16]}-html.warc.gz"
    if not path.exists():
        buf = io.BytesIO()
        writer = WARCWriter(buf, gzip=True)
        writer.write_record(
            writer.create_warc_record(
                page.url,
                "resource",
                payload=io.BytesIO(page.html),
                length=len(page.html),
                warc_content_type="text/html; charset=utf-8",
            )
        )
        write_bytes(path, buf.getvalue())
    return path


def _copy_in(home: Home, path: Path, name: str) -> Path:
    """An archive is kept byte for byte in the data home; its records are what evidence bundles copy."""
    dest = home.warc / SOURCE / f"{_sha256_file(path)[:16]}-{name}"
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_suffix(dest.suffix + ".part")
        shutil.copyfile(path, tmp)
        os.replace(tmp, dest)
    return dest


def _wacz_pages(home: Home, path: Path) -> Iterator[SavedPage]:
    import zipfile

    names, only = wacz_members(path)
    digest = _sha256_file(path)[:16]
    with zipfile.ZipFile(path) as z:
        for name in names:
            dest = home.warc / SOURCE / f"{digest}-{Path(name).name}"
            if not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                with z.open(name) as src, open(dest.with_suffix(dest.suffix + ".part"), "wb") as out:
                    shutil.copyfileobj(src, out)
                os.replace(dest.with_suffix(dest.suffix + ".part"), dest)
            yield from read_warc(dest, only)


# --- helpers --------------------------------------------------------------------------------------


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


__all__ = ["ImportResult", "import_path", "kind_of"]
