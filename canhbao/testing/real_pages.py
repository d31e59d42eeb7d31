"""Score the crawlers' parsers on real pages saved from the platforms, against hand-written annotations.

A page lives in `tests/fixtures/pages/<platform>/<name>/`: `expected.json` (written by reading the page,
before the parser was tuned on it) and the page itself, either `page.html` next to it or, when the page
may not be copied into this repository, a VCR cassette of a public project named by repository, commit,
path and interaction (read from a local checkout given at run time; `SOURCE.md` says how to get it).

Per post the score is: found (its id parsed), and each field right: text (starts and ends as annotated,
whitespace ignored, never showing the collapsed "… More"), time (within the annotated tolerance),
permalink (exact, tracking parameters removed) and media (the annotated pictures, no more, no fewer).
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

FIELDS = ("text", "time", "permalink", "media")
PAGES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "pages"


@dataclass(frozen=True)
class PageScore:
    platform: str
    page: str
    expected: int
    split: str = "dev"  # dev: looked at while the parser was written; test: annotated, never used to change it
    parsed: int = 0  # expected posts found among the parsed ones
    right: dict[str, int] = field(default_factory=dict)
    next_ok: bool | None = None  # the "see more" link found (None: the page has none to find)
    missing: str = ""  # why the page could not be read (not available here)
    misses: tuple[str, ...] = ()  # "<post id>: <field>" for every wrong field


def load_page(page_dir: Path, cassettes: Path | None = None) -> tuple[dict, str | None, str]:
    """(annotation, page text or None, why it is missing)."""
    expected = json.loads((page_dir / "expected.json").read_text(encoding="utf-8"))
    if expected.get("page"):
        return expected, (page_dir / expected["page"]).read_text(encoding="utf-8"), ""
    cas = expected.get("cassette")
    if not cas:
        return expected, None, "no page and no cassette named"
    if cassettes is None:
        return expected, None, f"needs a checkout of {cas['repo']} at {cas['commit'][:10]} (--cassettes)"
    raw = _cassette_text(Path(cassettes), cas["commit"], cas["path"])
    if raw is None:
        return expected, None, f"{cas['path']} at {cas['commit'][:10]} not found under {cassettes}"
    return expected, cassette_body(raw, cas.get("interaction", 0)), ""


def _cassette_text(root: Path, commit: str, path: str) -> str | None:
    """The cassette as of `commit`: from `root/<commit>/<path>`, or through git when `root` is a clone."""
    for cand in (root / commit / path, root / commit[:10] / path):
        if cand.is_file():
            return cand.read_text(encoding="utf-8")
    if (root / ".git").exists() or (root / "objects").is_dir():  # a clone, or a bare repository
        import subprocess

        done = subprocess.run(["git", "-C", str(root), "show", f"{commit}:{path}"], capture_output=True, timeout=60)
        if done.returncode == 0:
            return done.stdout.decode("utf-8")
    return None


def cassette_body(text: str, interaction: int) -> str:
    """The response body of one interaction of a VCR (vcrpy) cassette, gzip undone."""
    import yaml

    doc = yaml.safe_load(text)
    body = doc["interactions"][interaction]["response"]["body"]["string"]
    if isinstance(body, bytes):
        body = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
        body = body.decode("utf-8", "replace")
    return body


def parse(platform: str, text: str, url: str, via: str = "spider") -> tuple[list, str]:
    """(posts as Found, next-page URL) with the crawler's own parsing for the platform (`via="spider"`), or
    as `canhbao capture URL` reads the page, choosing the parser from the page itself (`via="capture"`:
    no next page; a page it does not take for `platform` gives no posts)."""
    if via == "capture":
        from scrapy.http import HtmlResponse

        from canhbao.crawlers.spiders.capture import platform_posts

        got = platform_posts(HtmlResponse(url=url, body=text.encode("utf-8"), encoding="utf-8"))
        return (list(got.posts) if got.platform == platform else []), ""
    if platform == "facebook":
        from canhbao.crawlers.spiders.fb_markup import read_page as read_fb

        page = read_fb(text, url)
        return list(page.posts), page.next_url
    if platform == "telegram":
        from canhbao.crawlers.spiders.telegram_channel import read_page as read_tg

        return read_tg(text, url), ""
    raise ValueError(f"no parser for platform {platform!r}")


def score_page(page_dir: Path, cassettes: Path | None = None, via: str = "spider") -> PageScore:
    from canhbao.crawlers.reltime import parse_time

    expected, text, missing = load_page(page_dir, cassettes)
    platform, name, want = expected["platform"], page_dir.name, expected["posts"]
    if text is None:
        return PageScore(platform, name, len(want), expected.get("split", "dev"), missing=missing)
    found, next_url = parse(platform, text, expected["url"], via)
    by_id = {f.post_id: f for f in found}
    tz = ZoneInfo(expected.get("timezone", "Asia/Ho_Chi_Minh"))
    captured = datetime.fromisoformat(expected["captured_at"].replace("Z", "+00:00"))
    right = dict.fromkeys(FIELDS, 0)
    misses = []
    for post in want:
        got = by_id.get(post["id"])
        if got is None:
            misses.append(f"{post['id']}: not parsed")
            continue
        checks = {
            "text": _text_ok(got.text, post, expected.get("text_never", [])),
            "time": _time_ok(parse_time(got.time_text, captured, tz), post),
            "permalink": got.url == post["permalink"],
            "media": _media_ok(got.images, post["media"]),
        }
        for key, ok in checks.items():
            right[key] += ok
            if not ok:
                misses.append(f"{post['id']}: {key}")
    parsed = sum(1 for p in want if p["id"] in by_id)
    next_ok = None
    if expected.get("next_url"):
        next_ok = next_url == expected["next_url"]
    elif expected.get("next_url_contains"):
        next_ok = expected["next_url_contains"] in next_url
    if via == "capture":  # one page captured: there is no next page to follow
        next_ok = None
    return PageScore(platform, name, len(want), expected.get("split", "dev"), parsed, right, next_ok, "", tuple(misses))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def _text_ok(text: str, post: dict, never: list[str]) -> bool:
    got = _squash(text)
    start, end = _squash(post["text_start"]), _squash(post["text_end"])
    if not start and not end:
        ok = got == ""
    else:
        ok = got.startswith(start) and got.endswith(end)
    ok &= all(_squash(s) in got for s in post.get("text_contains", []))
    ok &= all(got.count(_squash(s)) == 1 for s in post.get("text_once", []))
    return ok and not any(_squash(n) in got for n in never)


def _time_ok(got: datetime | None, post: dict) -> bool:
    if got is None:
        return False
    want = datetime.fromisoformat(post["time"].replace("Z", "+00:00"))
    return abs((got - want).total_seconds()) <= post.get("time_tolerance_s", 60)


def _media_ok(images: tuple[str, ...], fragments: list[str]) -> bool:
    return len(images) == len(fragments) and all(any(f in u for u in images) for f in fragments)


def score_all(root: Path = PAGES, cassettes: Path | None = None, via: str = "spider") -> list[PageScore]:
    return [score_page(d, cassettes, via) for d in sorted(root.glob("*/*")) if (d / "expected.json").is_file()]
