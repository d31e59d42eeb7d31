"""The fetch policy inside Scrapy (see `canhbao.net.policy`).

`FetchPolicyMiddleware` checks every request the downloader is about to make: start pages, followed
links (articles, next pages), media, and each redirect hop (Scrapy's redirect middleware sends the new
request back through the whole chain). A refused request is dropped with `IgnoreRequest`, which the
spider's errback records as that one item's error. In browser mode `abort_predicate` does the same for
every request Chromium makes for the page. Name resolution is cached per host and port for the crawl.

That early check is not what keeps a crawl off internal addresses on its own: the downloader resolves the
name again to connect. `PolicyResolver` (Scrapy's `TWISTED_DNS_RESOLVER`) is that second resolution: it
resolves each name once per connection through the policy (`policy.vet`) and hands Twisted only the
addresses it just vetted, so a DNS answer that changes after the check (rebinding) is refused at connect
time. It is process-wide, so the runner starts sources that allow private addresses in a process of their
own. Chromium resolves nothing itself: it goes through `canhbao.net.guard_proxy`.

Proxies: the middleware sets every request's `proxy` meta itself, to None or to the policy's pinned proxy
(`policy.upstream`), and the runner switches Scrapy's HttpProxyMiddleware off, so `HTTP_PROXY` and the
like in the environment are never used. The resolver hands out the pinned proxy address as it is (the
operator configured it; it may be private); the proxy then resolves the targets.

An authenticating proxy (`proxy_auth_env`) is given its Basic credentials the way Scrapy documents: the
`proxy` meta carries `http://user:password@address:port`, and Scrapy's HttpProxyMiddleware (switched on
for this case only; every request's `proxy` meta is already set, so it never reads the environment)
turns them into `Proxy-Authorization`, which the download handler sends on the CONNECT of an HTTPS tunnel
and not inside it. `ProxyCredentialsScrubber` takes the header off the request as the response comes back,
before the HTTP cache or the WARC capture could store it. In browser mode Chromium goes through the guard
proxy, which adds the credentials itself: the request never carries them (scrapy-playwright would hand
its headers to Chromium, and so to the site).
"""

from __future__ import annotations

import ipaddress
import logging
import time
from urllib.parse import quote, urlsplit

from scrapy.exceptions import IgnoreRequest
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver, IHostResolution
from twisted.internet.threads import deferToThreadPool
from zope.interface import implementer

from canhbao.net.policy import FetchPolicy, Refused, Upstream, check, upstream, vet
from canhbao.net.policy import load as load_policy

log = logging.getLogger(__name__)

# host -> why the policy refused it at connection time, for the spider's one-line error (DNSLookupError
# alone would only say "no results")
REFUSED_AT_CONNECT: dict[str, str] = {}

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
        checker = self.checker()
        try:
            checker(request.url)
            proxy = upstream(checker.policy)
        except Refused as exc:
            raise IgnoreRequest(f"refused by the fetch policy ({exc.reason})") from None
        except OSError as exc:
            raise IgnoreRequest(f"fetch proxy unusable ({exc})") from None
        request.meta["proxy"] = _proxy_meta(proxy, self.crawler.settings.getbool("HTTPPROXY_ENABLED"))
        return None


def _proxy_meta(proxy: Upstream | None, credentials: bool) -> str | None:
    """The request's `proxy` meta: none (never one from the environment), the pinned proxy, or the pinned
    proxy with its credentials for Scrapy's HttpProxyMiddleware to turn into `Proxy-Authorization`."""
    if proxy is None:
        return None
    if proxy.auth is None or not credentials:
        return proxy.url
    user, password = quote(proxy.auth.user, safe=""), quote(proxy.auth.password, safe="")
    return proxy.url.replace("http://", f"http://{user}:{password}@", 1)


class ProxyCredentialsScrubber:
    """Takes `Proxy-Authorization` off a request once its answer (or failure) is back, before the HTTP
    cache and the WARC capture see the request: the proxy's secret is never stored. A retry or redirect
    goes through the middlewares again and gets it back."""

    def process_response(self, request, response, spider=None):
        request.headers.pop(b"Proxy-Authorization", None)
        return response

    def process_exception(self, request, exception, spider=None):
        request.headers.pop(b"Proxy-Authorization", None)
        return None


def proxy_turned_down(failure) -> str:
    """The one-line error when the configured proxy answered 407 (to a plain request or to the CONNECT
    of a tunnel), else ''. Names the proxy, never the secret."""
    from scrapy.core.downloader.handlers.http11 import TunnelError
    from scrapy.spidermiddlewares.httperror import HttpError

    if failure.check(HttpError):
        hit = failure.value.response.status == 407
    else:
        hit = bool(failure.check(TunnelError)) and "'status': 407" in str(failure.value)
    if not hit and "ERR_TUNNEL_CONNECTION_FAILED" in str(failure.value):  # browser mode: ask the guard proxy
        from canhbao.net.guard_proxy import TURNED_DOWN

        parts = urlsplit(failure.request.url)
        return TURNED_DOWN.get(f"{(parts.hostname or '').lower()}:{parts.port or 443}", "")
    if not hit:
        return ""
    try:
        proxy = upstream(load_policy())
    except (OSError, Refused):
        proxy = None
    return proxy.auth_failed() if proxy is not None else "fetch proxy: authentication failed (407)"


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


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str):
        self.name = name

    def cancel(self) -> None:  # a lookup in a thread cannot be taken back; its answer is just not used
        pass


@implementer(IHostnameResolver)
class PolicyResolver:
    """`TWISTED_DNS_RESOLVER`: every connection's name resolution, vetted by the fetch policy (see above)."""

    CACHE_S = 60.0  # vetted answers are reused this long (they were vetted: reusing them pins, never widens)

    def __init__(self, reactor, policy: FetchPolicy):
        self.reactor, self.policy = reactor, policy
        self._cache: dict[tuple[str, int], tuple[float, tuple]] = {}
        self._proxy: Upstream | None = None  # the pinned proxy, once a connection to it has been asked for

    @classmethod
    def from_crawler(cls, crawler, reactor):  # crawler: the CrawlerProcess (see Scrapy's _setup_reactor)
        return cls(reactor, load_policy().with_private(crawler.settings.getbool("CANHBAO_ALLOW_PRIVATE")))

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(  # noqa: N802, PLR0913 - Twisted's interface
        self, receiver, hostName: str, portNumber: int = 0, addressTypes=None, transportSemantics: str = "TCP"
    ):
        resolution = _Resolution(hostName)
        receiver.resolutionBegan(resolution)
        wanted = tuple(addressTypes or (IPv4Address, IPv6Address))

        def deliver(ips) -> None:
            for ip in ips:
                kind = IPv4Address if isinstance(ip, ipaddress.IPv4Address) else IPv6Address
                if kind in wanted:
                    receiver.addressResolved(kind("TCP", str(ip), portNumber))
            receiver.resolutionComplete()

        def refused(failure) -> None:
            if failure.check(Refused):
                REFUSED_AT_CONNECT[hostName.lower()] = failure.value.reason
                log.warning(
                    "%s:%s refused by the fetch policy at connection (%s)", hostName, portNumber, failure.value.reason
                )
            receiver.resolutionComplete()  # no address: Twisted fails the connection with a DNS error

        key = (hostName.lower(), portNumber)
        proxy = self._pinned_proxy(*key) if self.policy.proxy else None
        if proxy is not None:
            deliver((proxy.ip,))
            return resolution
        hit = self._cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            deliver(hit[1])
            return resolution

        def remember(ips):
            self._cache[key] = (time.monotonic() + self.CACHE_S, ips)
            return ips

        pool = self.reactor.getThreadPool()
        d = deferToThreadPool(self.reactor, pool, vet, hostName, portNumber, self.policy)
        d.addCallback(remember).addCallbacks(deliver, refused)
        return resolution

    def _pinned_proxy(self, host: str, port: int) -> Upstream | None:
        """The pinned proxy if this is the connection to it (the middleware names it by its address)."""
        if self._proxy is None:
            try:
                self._proxy = upstream(self.policy)
            except (OSError, Refused):
                return None
        proxy = self._proxy
        return proxy if proxy is not None and host.strip("[]") == str(proxy.ip) and port == proxy.port else None


def refused_at_connect(url: str) -> str:
    """Why the policy refused `url`'s host when the downloader connected ("" if it did not)."""
    return REFUSED_AT_CONNECT.get((urlsplit(url).hostname or "").lower(), "")
