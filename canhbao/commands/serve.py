"""`canhbao serve`: the analysts' web console (alert queue, alert pages, cases, evidence)."""

from __future__ import annotations

import argparse

from canhbao.core.home import Home


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the web console (log in with accounts from `canhbao users add`)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; put TLS in front)")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument(
        "--proxy-headers",
        action="store_true",
        help="trust X-Forwarded-For/-Proto from the addresses in config/console.yaml trusted_proxies",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from canhbao.console import create_app, settings

    cfg = settings.load()
    app = create_app(Home.resolve(args.home), cfg)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips=",".join(cfg.trusted_proxies),
        server_header=False,
    )
    return 0
