"""`canhbao capture URL [--fetch html|browser] [--note TEXT]`: an analyst captures one post or page."""

from __future__ import annotations

import argparse
import json

from canhbao.core.home import Home


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "capture",
        help="capture one post or page by URL (WARC, media, provenance), analyse it "
        "and raise alerts, including a manual_capture alert",
    )
    p.add_argument("url", metavar="URL")
    p.add_argument(
        "--fetch",
        choices=("html", "browser"),
        default="html",
        help="html: plain HTTP as the crawler fetches; browser: rendered by headless Chromium",
    )
    p.add_argument("--note", default="", help="why this was captured (kept with the capture and the alert)")
    p.add_argument("--timeout", type=float, default=120.0, help="give up after this many seconds")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from canhbao.capture.url import capture_url
    from canhbao.core.records import MANUAL_CAPTURE, to_dict

    home = Home.resolve(args.home)
    done = capture_url(home, args.url, fetch=args.fetch, note=args.note, timeout_s=args.timeout)
    post, alerts = done.post, done.result.alerts
    manual = next(a for a in alerts if a.type == MANUAL_CAPTURE and a.post_key == post.key)
    if args.json:
        print(
            json.dumps(
                {
                    "post": post.key,
                    "platform": post.platform,
                    "url": post.url,
                    "warc": post.warc,
                    "raw_html": post.raw_html,
                    "media": [to_dict(m) for m in post.media],
                    "posts": [
                        {"post": p.key, "platform": p.platform, "url": p.url, "published_at": _iso(p.published_at)}
                        for p in done.posts
                    ],
                    "provenance": to_dict(done.provenance),
                    "alerts": [{"id": a.id, "type": a.type, "score": a.score} for a in alerts],
                    "errors": list(done.result.errors),
                },
                ensure_ascii=False,
            )
        )
        return 0
    print(f"captured {args.url}: {len(done.posts)} {post.platform} post(s)")
    for p in done.posts:
        media_ok = sum(1 for m in p.media if m.sha256)
        print(f"  post {p.key} {p.url}, {len(p.text)} characters, media {media_ok}/{len(p.media)}")
    print(
        f"  WARC {post.warc}\n  by {done.provenance.actor} on {done.provenance.machine} at {done.provenance.at.isoformat()}"
    )
    for a in alerts:
        print(f"  alert {a.id}  {a.type:<14} {a.score:.2f}  {a.finding.summary[:100]}")
    for e in done.result.errors:
        print(f"  warning: {e}")
    print(f"next: canhbao evidence export {manual.id}")
    return 0


def _iso(when) -> str | None:
    return when.isoformat() if when is not None else None
