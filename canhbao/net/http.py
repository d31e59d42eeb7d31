"""A thin HTTP GET that obeys the fetch policy: every redirect hop is checked before it is requested,
the body is read up to the policy's size limit, the whole exchange has a time limit, and every request
and response is recorded as WARC records (warcio) for evidence.

Each connection goes to an address the policy vetted as it connected (`canhbao.net.vetted`), so a DNS
answer that changes after the check (rebinding) is refused, not followed. Proxies in the environment are
not used; the policy's `proxy`, if set, is (see `policy.upstream`). Its Basic credentials, if any, go in
each request's `Proxy-Authorization` header, which urllib sends to the proxy only: on the `CONNECT` of an
HTTPS tunnel (never inside it), or with a plain request in absolute form. The WARC leaves that header out,
and a 407 is one line naming the proxy, never the secret.

HTTP errors are answers (a 404 is a result); a refused URL, a network error, an oversized or too slow
response are not: they come back as `Fetched.error` with status 0, never as an exception.
"""

from __future__ import annotations

import io
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from urllib.parse import urljoin

from warcio.capture_http import RecordingHTTPConnection, capture_http  # noqa: I001 - patches http.client
from warcio.warcwriter import WARCWriter

from canhbao.net.policy import FetchPolicy, Refused, Upstream, check, upstream
from canhbao.net.tls import PeerChain, TLSRecordingHandler, recording
from canhbao.net.vetted import VettedHTTPHandler


@dataclass(frozen=True)
class Fetched:
    url: str  # the URL asked for
    status: int  # 0 = no usable HTTP answer (see `error`)
    content_type: str = ""
    body: bytes = b""
    warc: bytes = b""  # gzipped WARC request/response records of every hop
    error: str = ""
    final_url: str = ""  # where the redirects ended
    refused: bool = False  # the fetch policy refused the URL or a redirect hop
    tls: tuple[PeerChain, ...] = ()  # certificate chain of each HTTPS connection made (canhbao.net.tls)

    @property
    def reachable(self) -> bool:
        return self.status > 0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects come back as answers so that each hop is checked against the policy first."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, PLR0913
        return None


def _opener(proxy: Upstream | None, policy: FetchPolicy) -> urllib.request.OpenerDirector:
    """Hop-by-hop redirects; plain and TLS connections made only to addresses the policy vets as they connect.

    An explicit ProxyHandler replaces urllib's default one, which would take proxies from the environment:
    none, or the policy's pinned proxy."""
    proxies = {"http": proxy.url, "https": proxy.url} if proxy else {}
    return urllib.request.build_opener(
        urllib.request.ProxyHandler(proxies), _NoRedirect, VettedHTTPHandler(policy), TLSRecordingHandler(policy=policy)
    )


def get(
    url: str,
    policy: FetchPolicy,
    *,
    user_agent: str,
    max_bytes: int | None = None,
    accept: str = "*/*",
    record: bool = True,
) -> Fetched:
    """GET `url` under `policy`, following redirects hop by hop."""
    limit = min(max_bytes or policy.max_bytes, policy.max_bytes)
    deadline = time.monotonic() + policy.timeout_s
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    current, status, ctype, body, error, refused = url, 0, "", b"", "", False
    proxy: Upstream | None = None
    try:
        proxy = upstream(policy)  # raises OSError/Refused if it cannot be pinned
        opener = _opener(proxy, policy)
        with _recording_warc(writer) if record else nullcontext(), recording() as chains:
            for _hop in range(policy.max_redirects + 1):
                check(current, policy)
                status, ctype, body, location = _one(
                    opener, current, user_agent, accept, limit, deadline, policy, proxy
                )
                if status == 407 and proxy is not None:  # the proxy's answer, not the site's
                    status, ctype, body, error = 0, "", b"", f"{url}: {proxy.auth_failed()}"
                    break
                if location and 300 <= status < 400:
                    current = urljoin(current, location)
                    status, ctype, body = 0, "", b""
                    continue
                break
            else:
                error = f"more than {policy.max_redirects} redirects"
    except Refused as exc:
        status, body, error, refused = 0, b"", str(exc), True
    except _TooBig as exc:
        status, body, error = 0, b"", f"{url}: {exc}"
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError, ValueError) as exc:
        status, body = 0, b""
        why = getattr(exc, "reason", None) or exc or type(exc).__name__
        # http.client's words for a refused CONNECT: "Tunnel connection failed: 407 Proxy Authentication ..."
        tunnel_407 = proxy is not None and str(why).startswith("Tunnel connection failed: 407")
        error = f"{url}: {proxy.auth_failed() if proxy is not None and tunnel_407 else why}"
    return Fetched(url, status, ctype, body, buf.getvalue() if record else b"", error, current, refused, tuple(chains))


class _TooBig(Exception):
    pass


def _one(opener, url: str, user_agent: str, accept: str, limit: int, deadline: float, policy: FetchPolicy, proxy):  # noqa: PLR0913
    """One request: (status, content type, body, Location header)."""
    request = urllib.request.Request(url, headers={"User-Agent": user_agent, "Accept": accept})
    if proxy is not None and proxy.auth is not None:
        # urllib moves this header onto the CONNECT of an HTTPS tunnel (do_open), so the site never gets it
        request.add_unredirected_header("Proxy-Authorization", proxy.auth.header)
    timeout = max(0.5, min(policy.timeout_s, deadline - time.monotonic()))
    try:
        resp = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:  # 3xx (no redirect handler) and 4xx/5xx are answers
        resp = exc
    with resp:
        status = int(getattr(resp, "status", None) or resp.getcode() or 0)
        headers = resp.headers
        declared = headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise _TooBig(f"response of {declared} bytes is larger than the limit of {limit} bytes")
        chunks, size = [], 0
        while True:
            if time.monotonic() > deadline:
                raise _TooBig(f"response took longer than the limit of {policy.timeout_s:g} s")
            chunk = resp.read(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise _TooBig(f"response is larger than the limit of {limit} bytes")
            chunks.append(chunk)
        return status, headers.get("Content-Type", ""), b"".join(chunks), headers.get("Location", "")


@contextmanager
def _recording_warc(writer: WARCWriter) -> Iterator[None]:
    """warcio's `capture_http`, closing the recorder's spooled buffers at the end: warcio closes them only when a
    response completes, so a refused or failed connection would leave two temporary files open per request."""
    with capture_http(writer, filter_func=_without_proxy_credentials):
        recorder = RecordingHTTPConnection.local.recorder
        try:
            yield
        finally:
            for buf in (recorder.request_out, recorder.response_out):
                if buf is not None:
                    buf.close()


def _without_proxy_credentials(request, response, _recorder):  # noqa: ANN001, ANN202 - warcio's filter API
    """The WARC keeps what the site was sent: the proxy's credentials header is left out of the record."""
    if request.http_headers is not None:
        request.http_headers.remove_header("Proxy-Authorization")
    return request, response
