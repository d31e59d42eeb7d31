"""Run crawls: `run_crawl(home, names)` is what the CLI, the scan pipeline and Airflow tasks call.

Twisted's reactor cannot be restarted inside one process, so every call runs the crawl in a child
process (`python -m canhbao.crawlers.runner`), all requested sources concurrently in one Scrapy
CrawlerProcess, and reads back one health file per source. A crashed child still leaves what it had
stored (posts, media, state are written as they come); its report says so.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from canhbao.core.home import Home
from canhbao.core.procs import die_with_parent, reaped_on_exit
from canhbao.core.records import to_dict
from canhbao.crawlers import settings as crawl_settings
from canhbao.crawlers.health import ERROR, CrawlReport, SourceHealth, read_health
from canhbao.crawlers.settings import CrawlSettings, SourceConfig
from canhbao.net.chromium import ARGS

log = logging.getLogger(__name__)


def run_crawl(
    home: Home, source_names: Sequence[str], *, settings: CrawlSettings | None = None, timeout_s: float | None = None
) -> CrawlReport:
    """Crawl the named sources (a child process; two when only some may reach private addresses) and return
    their health; never raises for a bad source."""
    cfg = settings or crawl_settings.load()
    cfg.select(list(source_names))  # unknown names: ConfigError now, not in the child
    started = datetime.now(timezone.utc)
    run_id = started.strftime("%Y%m%dT%H%M%SZ") + f"-{os.getpid()}"
    # The fetch policy's connect-time resolver is process-wide: sources allowed to reach private addresses
    # (a local mirror, the sample site) never share a process with those that are not.
    groups: dict[bool, list[str]] = {}
    for name in source_names:
        groups.setdefault(bool(cfg.sources[name].allow_private), []).append(name)
    with tempfile.TemporaryDirectory(prefix="canhbao-crawl-") as tmp:
        log_path = home.crawl_state / "runs" / f"{run_id}.log"  # Scrapy's own log of the run, for operators
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "wb") as log_fh, ExitStack() as stack:
            procs = []
            for private, names in sorted(groups.items()):
                procs.append(_start_child(home, names, private, cfg, Path(tmp), log_fh))
                stack.enter_context(reaped_on_exit(procs[-1]))
            deadline = None if timeout_s is None else time.monotonic() + timeout_s
            codes = [_wait_child(proc, deadline) for proc in procs]
        code = next((c for c in codes if c == 124), next((c for c in codes if c), 0))
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-8000:]
        if code == 124:
            tail += f"\ncrawl killed after {timeout_s} s (what it stored is kept)"
        healths = []
        for name in source_names:
            path = Path(tmp) / f"{name}.health.json"
            if path.exists():
                healths.append(read_health(path))
            else:
                healths.append(
                    SourceHealth(
                        name,
                        cfg.sources[name].platform,
                        ERROR,
                        errors=(f"crawl process ended (exit {code}) before reporting",),
                    )
                )
    error = "" if code == 0 else _last_line(tail) or f"exit status {code}"
    report = CrawlReport(
        run_id, started, datetime.now(timezone.utc), tuple(healths), code, error, str(log_path.relative_to(home.root))
    )
    report.write(home.crawl_state / "runs" / f"{run_id}.json")
    if code != 0:
        log.error("crawl process failed (%s), log %s:\n%s", code, log_path, tail[-4000:])
    return report


def _start_child(home: Home, names: list[str], allow_private: bool, cfg: CrawlSettings, tmp: Path, log_fh):
    spec = tmp / f"run-{'private' if allow_private else 'public'}.json"
    spec.write_text(
        json.dumps(
            {
                "home": str(home.root),
                "sources": names,
                "out": str(tmp),
                "allow_private": allow_private,
                "settings": to_dict(cfg),
            },
            default=str,
        ),
        encoding="utf-8",
    )
    # Own process group: on timeout the child and anything it started (Chromium) are killed together.
    # It also dies with this process: SIGKILL on our death (pdeathsig), its group killed when we are
    # terminated (an Airflow task stopped or timed out), so no crawl outlives its task.
    parent = os.getpid()
    return subprocess.Popen(
        [sys.executable, "-m", "canhbao.crawlers.runner", str(spec)],
        stdout=subprocess.DEVNULL,
        stderr=log_fh,
        start_new_session=True,
        preexec_fn=lambda: die_with_parent(signal.SIGKILL, parent),
    )


def _wait_child(proc: subprocess.Popen, deadline: float | None) -> int:
    try:
        return proc.wait(timeout=None if deadline is None else max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return 124


def _last_line(text: str) -> str:
    lines = [ln for ln in (text or "").strip().splitlines() if ln.strip()]
    return lines[-1][:300] if lines else ""


# --- inside the child process -----------------------------------------------------------------------


def scrapy_settings(home: Home, name: str, src: SourceConfig, cfg: CrawlSettings, health_out: Path) -> dict:
    """Scrapy settings of one source's crawler: politeness from the config, our middlewares/pipelines."""
    from canhbao.crawlers.fetch_guard import DISABLED_HANDLERS, abort_predicate
    from canhbao.net.policy import load as load_policy

    policy = load_policy().with_private(src.allow_private)
    concurrency = src.concurrency or cfg.concurrency_per_domain
    delay = cfg.download_delay if src.download_delay is None else src.download_delay
    s = {
        "CANHBAO_HOME": home,
        "CANHBAO_SOURCE": name,
        "CANHBAO_HEALTH_OUT": str(health_out),
        "CANHBAO_DOWNLOAD_MEDIA": cfg.download_media,
        "CANHBAO_STORE_BATCH": cfg.store_batch,
        "CANHBAO_MEDIA_MAX_BYTES": cfg.media_max_bytes,
        "CANHBAO_MEDIA_MAX_PIXELS": cfg.media_max_pixels,
        "CANHBAO_MEDIA_TYPES": list(cfg.media_types),
        "CANHBAO_BACKOFF_BASE": cfg.backoff_base_s,
        "CANHBAO_BACKOFF_MAX": cfg.backoff_max_s,
        "USER_AGENT": cfg.user_agent,
        "ROBOTSTXT_OBEY": cfg.obey_robots if src.obey_robots is None else src.obey_robots,
        "CONCURRENT_REQUESTS": max(8, concurrency * 2),
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_DELAY": delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if delay > 0 else 0,
        "AUTOTHROTTLE_ENABLED": cfg.autothrottle,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": cfg.autothrottle_target,
        "AUTOTHROTTLE_START_DELAY": max(delay, 0.1),
        "RETRY_ENABLED": True,
        "RETRY_TIMES": cfg.retry_times,
        "RETRY_HTTP_CODES": [429, 500, 502, 503, 504, 522, 524, 408],
        "DOWNLOAD_TIMEOUT": min(cfg.timeout_s, policy.timeout_s),
        "CLOSESPIDER_TIMEOUT": cfg.max_run_s,
        "DOWNLOAD_MAXSIZE": policy.max_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "DOWNLOAD_HANDLERS": dict(DISABLED_HANDLERS),
        # No proxy from the environment: FetchPolicyMiddleware sets each request's proxy (the policy's or none).
        # Scrapy's HttpProxyMiddleware only turns an authenticating proxy's credentials into its header (never
        # in browser mode: there the guard proxy adds them, see fetch_guard)
        "HTTPPROXY_ENABLED": bool(policy.proxy and policy.proxy_auth_env) and src.fetch != "browser",
        "HTTPPROXY_AUTH_ENCODING": "utf-8",
        "REDIRECT_MAX_TIMES": policy.max_redirects,
        "HTTPCACHE_ENABLED": cfg.http_cache,
        "HTTPCACHE_DIR": str(home.cache / "http"),
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "canhbao.crawlers.fetch_guard.FetchPolicyMiddleware": 50,  # before robots.txt, redirects, cache
            "canhbao.crawlers.politeness.BackoffRetryMiddleware": 550,
            "canhbao.crawlers.capture.WarcCaptureMiddleware": 585,
            "canhbao.crawlers.fetch_guard.ProxyCredentialsScrubber": 950,  # answers reach it first (before the cache)
        },
        "ITEM_PIPELINES": {
            "canhbao.crawlers.pipelines.MediaPipeline": 100,
            "canhbao.crawlers.pipelines.StorePipeline": 900,
        },
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    }
    if src.fetch == "browser":
        handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
        s["DOWNLOAD_HANDLERS"] = {**DISABLED_HANDLERS, "http": handler, "https": handler}
        s["PLAYWRIGHT_ABORT_REQUEST"] = abort_predicate(src.allow_private)
        s["PLAYWRIGHT_BROWSER_TYPE"] = "chromium"
        s["PLAYWRIGHT_LAUNCH_OPTIONS"] = {
            "executable_path": cfg.browser_path,
            "headless": True,
            "args": ARGS,
            # Chromium reaches the web only through the guard proxy, which vets each address as it connects
            "proxy": {"server": _guard_proxy(policy).url},
        }
        s["PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT"] = cfg.browser_timeout_s * 1000
        if src.cookies_file:
            s["PLAYWRIGHT_CONTEXTS"] = {
                "default": {"storage_state": {"cookies": _cookies(src.cookies_file), "origins": []}}
            }
    return s


_PROXIES: dict = {}  # one guard proxy per fetch policy for this (child) process, kept for its lifetime


def _guard_proxy(policy):
    from canhbao.net.guard_proxy import GuardProxy

    if policy not in _PROXIES:
        _PROXIES[policy] = GuardProxy(policy).start()
    return _PROXIES[policy]


def _cookies(path: Path) -> list[dict]:
    from canhbao.core.errors import InputError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(path, f"cannot read cookies ({exc})") from None
    cookies = data.get("cookies", data) if isinstance(data, dict) else data
    if not isinstance(cookies, list) or not all(isinstance(c, dict) and "name" in c and "value" in c for c in cookies):
        raise InputError(path, "expected a JSON list of cookies with name, value, domain, path")
    return [{"path": "/", **c} for c in cookies]


def child_main(spec_path: str) -> int:
    from scrapy.crawler import CrawlerProcess

    from canhbao.crawlers.spiders import spider_class

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    home = Home.resolve(spec["home"])
    cfg = crawl_settings.from_mapping(spec["settings"], where=spec_path)
    out = Path(spec["out"])
    process = CrawlerProcess(
        {
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
            "LOG_LEVEL": "INFO",
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
            # every connection's name resolution goes through the fetch policy (see fetch_guard)
            "TWISTED_DNS_RESOLVER": "canhbao.crawlers.fetch_guard.PolicyResolver",
            "CANHBAO_ALLOW_PRIVATE": bool(spec.get("allow_private", False)),
        }
    )
    # A refused media file is one warning line from our pipeline; Scrapy would add a traceback per file.
    logging.getLogger("scrapy.pipelines.media").setLevel(logging.CRITICAL)
    locks = []
    for name in spec["sources"]:
        src = cfg.sources[name]
        lock = _lock(home, name)
        if lock is None:  # another process (an overlapping scheduled run) is crawling it: leave it be
            from canhbao.core.atomic import write_json

            write_json(
                out / f"{name}.health.json",
                to_dict(
                    SourceHealth(
                        name, src.platform, ERROR, errors=("already being crawled by another process; skipped",)
                    )
                ),
            )
            continue
        locks.append(lock)
        base = spider_class(src.type)
        # One subclass per source carries that source's settings (politeness, browser) to its crawler.
        spider = type(
            f"{base.__name__}_{name}",
            (base,),
            {"custom_settings": scrapy_settings(home, name, src, cfg, out / f"{name}.health.json")},
        )
        process.crawl(spider, source_name=name, source=src, settings_obj=cfg, home=home)
    if locks:
        process.start()
    return 0


def _lock(home: Home, name: str):
    """An exclusive, non-blocking lock per source, released when the process ends (even when killed)."""
    import fcntl

    fh = open(home.crawl_state / f"{name}.lock", "a")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        return None
    return fh


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="internal: run one crawl (see run_crawl)")
    parser.add_argument("spec")
    sys.exit(child_main(parser.parse_args().spec))
