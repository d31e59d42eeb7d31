"""The fetch policy inside Scrapy (see `canhbao.net.policy`).

`FetchPolicyMiddleware` checks every request the downloader is about to make: start pages, followed
links (articles, next pages), media, and each redirect hop (Scrapy's redirect middleware sends the new
request back through the whole chain). A refused request is dropped with `IgnoreRequest`, which the
spider's errback records as that one item's error. In browser mode `abort_predicate` does the same for
every request Chromium makes for the page. Name resolution is cached per host and port for the crawl.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest

from canhbao.net.policy import FetchPolicy, Refused, check
from canhbao.net.policy import load as load_policy

# Scrapy's own handlers for these schemes read local files, inline data and cloud storage: never in a crawl.
DISABLED_HANDLERS = {"file": None, "data": None, "s3": None, "ftp": None}


class _Checker:
    def __init__(self, policy: FetchPolicy):
        self.policy = policy
        self._verdicts: dict[str, str] = {}  # scheme://host:port -> "" (allowed) or the refusal

    def __call__(self, url: str) -> None:
        key = "/".join(url.split("/", 3)[:3]) if "://" in url else url
        if key not in self._verdicts:
            try:
                check(url, self.policy)
                self._verdicts[key] = ""
            except Refused as exc:
                if exc.reason.startswith(("scheme", "malformed", "no host")):
                    raise  # about this URL itself, not its host: never cached
                self._verdicts[key] = exc.reason
        if self._verdicts[key]:
            raise Refused(url, self._verdicts[key])


class FetchPolicyMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self._check: _Checker | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def checker(self) -> _Checker:
        if self._check is None:
            source = getattr(self.crawler.spider, "source", None)
            self._check = _Checker(load_policy().with_private(bool(getattr(source, "allow_private", False))))
        return self._check

    def process_request(self, request, spider=None):
        try:
            self.checker()(request.url)
        except Refused as exc:
            raise IgnoreRequest(f"refused by the fetch policy ({exc.reason})") from None
        return None


def abort_predicate(allow_private: bool = False):
    """For `PLAYWRIGHT_ABORT_REQUEST`: True for every request of the rendered page the policy refuses."""
    checker = _Checker(load_policy().with_private(allow_private))

    def abort(request) -> bool:
        try:
            checker(request.url)
        except Refused:
            return True
        return False

    return abort
