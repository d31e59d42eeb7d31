"""A forward proxy on 127.0.0.1 that Chromium is started with, so the fetch policy holds for the browser
at connection time too.

Chromium resolves names itself, after the page's route guard has checked them: a DNS answer that changes
in between (rebinding) would take the browser to an internal address. Behind this proxy the browser
resolves nothing: every request (plain `GET http://…` or `CONNECT host:443`) names its host, and the proxy
resolves it once with `policy.vet` and connects only to an address it just vetted. TLS stays end to end
between Chromium and the site (a CONNECT tunnel), so the certificate is checked against the name. Playwright
starts Chromium with `<-loopback>`, so loopback addresses go through the proxy as well.

Chromium's own background services (`browser_background_hosts` of the policy: update checks, the account
list, Safe Browsing ...) are refused first, before their names are resolved, and each such host is logged
once: the launch flags (canhbao/net/chromium.py) keep Chromium from asking for most of them, and this
backstop keeps anything a flag does not stop (or no longer stops, in a later build) from going out.

A refused request is answered `403` with an `X-Canhbao-Refused` header naming the reason (a refused
CONNECT makes Chromium fail the request). Responses are relayed up to the policy's `max_bytes`.

Chromium is given this proxy explicitly, so it never uses one from the environment. When the policy names
a `proxy`, requests that pass the check are handed to it (a CONNECT to it, or the absolute-URI request)
at its pinned address, and it resolves the target: the policy trusts it to (see `policy.upstream`). If
that proxy wants Basic credentials (`proxy_auth_env`), this proxy adds `Proxy-Authorization` itself, on the
CONNECT it opens or on the request it forwards: Chromium never sees them, and whatever Chromium sends as
`Proxy-Authorization` is dropped. A 407 from that proxy is answered 502 and recorded in `proxy_errors` as
one line naming the proxy (no secret), which the caller reports as the page's error.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict
from urllib.parse import urlsplit

from canhbao.net.policy import IP, FetchPolicy, Refused, Upstream, background_service, check, upstream, vet

log = logging.getLogger(__name__)

REFUSED_HEADER = "X-Canhbao-Refused"
PROXY_ERROR_HEADER = "X-Canhbao-Proxy-Error"  # on the 502 standing for a 407 of the configured proxy
# host:port -> the 407 line of the latest tunnel to it the configured proxy turned down, for every guard
# proxy in this process: a browser-mode crawl's errback reads it when Chromium only says its tunnel failed
# (the crawl's guard proxies live in the runner's child process). Bounded; an open tunnel clears its entry.
TURNED_DOWN: OrderedDict[str, str] = OrderedDict()
_TURNED_DOWN_MAX = 64
_HOP_HEADERS = {"proxy-connection", "connection", "keep-alive", "proxy-authorization", "te", "upgrade"}


class GuardProxy:
    """Start with `start()` (or as a context manager); `url` is what Chromium's `--proxy-server` takes.
    `policy` may be replaced between pages (the evidence renderer does, per live view)."""

    def __init__(self, policy: FetchPolicy):
        self.policy = policy
        self.refused: list[str] = []  # one line per refused request, for the caller's error
        self.background: dict[str, int] = {}  # browser background host -> requests to it refused
        self.proxy_errors: list[str] = []  # one line per request the configured proxy turned down (407)
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "GuardProxy":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> "GuardProxy":
        ready = threading.Event()
        loop = asyncio.new_event_loop()

        async def listen() -> None:
            server = await asyncio.start_server(self._client, "127.0.0.1", 0)
            self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
            ready.set()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(listen())
            loop.run_forever()
            loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="fetch-guard-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fetch guard proxy did not start")
        return self

    def close(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        self._loop = self._thread = None

    # --- one client connection: one request (plain HTTP) or one tunnel (CONNECT) --------------------------

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.policy.timeout_s)
            await self._serve(head, reader, writer)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError, ConnectionError):
            pass
        except Exception:  # noqa: BLE001 - one broken request must not stop the proxy
            pass
        finally:
            writer.close()

    async def _serve(self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request_line, *lines = head.decode("latin-1").split("\r\n")
        method, target, version = request_line.split(" ", 2)
        if method.upper() == "CONNECT":
            host, _, port_text = target.rpartition(":")
            host, port, url = host.strip("[]"), int(port_text), f"https://{target}/"
        else:
            url = target
            parts = urlsplit(url)
            host, port = parts.hostname or "", parts.port or 80
        policy = self.policy
        service = background_service(host, policy)
        if service:  # the browser's own request: refused before its name is even resolved
            self._background(host.lower(), service)
            return await _deny(writer, f"{host} is a browser background service ({service})")
        ips: tuple[IP, ...] = ()
        try:
            check(url, policy)  # scheme and the early check; `vet` below is the one that connects
            proxy = upstream(policy)
            if proxy is None:
                ips = await asyncio.get_running_loop().run_in_executor(None, vet, host, port, policy, url)
        except Refused as exc:
            self.refused.append(str(exc))
            return await _deny(writer, exc.reason)
        except OSError as exc:
            return await _answer(writer, 502, f"{host}: {exc}")
        connect = method.upper() == "CONNECT"
        if proxy is not None:  # the operator's proxy connects (and resolves) for us
            upstream_io = await self._open((proxy.ip,), proxy.port)
            if upstream_io is not None and connect:
                error = await self._tunnel_through(proxy, upstream_io, target, url)
                if error:
                    upstream_io[1].close()
                    return await _answer(writer, 502, error)
        else:
            upstream_io = await self._open(ips, port)
        if upstream_io is None:
            return await _answer(writer, 502, f"{host}:{port}: cannot connect")
        up_reader, up_writer = upstream_io
        try:
            if connect:
                writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                await writer.drain()
                await asyncio.gather(_pipe(reader, up_writer, None), _pipe(up_reader, writer, policy.max_bytes))
                return
            parts = urlsplit(url)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            kept = [ln for ln in lines if ln and ln.split(":", 1)[0].strip().lower() not in _HOP_HEADERS]
            if proxy is not None and proxy.auth is not None:  # for the proxy; it does not pass it on
                kept.append(f"Proxy-Authorization: {proxy.auth.header}")
            line = f"{method} {url if proxy else path} {version}\r\n"  # a proxy takes the absolute URI
            up_writer.write(line.encode("latin-1"))
            up_writer.write(("\r\n".join([*kept, "Connection: close"]) + "\r\n\r\n").encode("latin-1"))
            length = next((ln.split(":", 1)[1].strip() for ln in kept if ln.lower().startswith("content-length:")), "")
            if length.isdigit() and int(length):
                up_writer.write(await reader.readexactly(int(length)))
            await up_writer.drain()
            if proxy is not None:  # a 407 is the proxy's answer, not the page: a clear error instead
                status_line = await asyncio.wait_for(up_reader.readuntil(b"\r\n"), policy.timeout_s)
                if status_line.split(b" ", 2)[1:2] == [b"407"]:
                    message = self._proxy_error(proxy, url)
                    return await _answer(writer, 502, message, {PROXY_ERROR_HEADER: message})
                writer.write(status_line)
            await _pipe(up_reader, writer, policy.max_bytes)  # until the site closes (Connection: close)
        finally:
            up_writer.close()

    async def _tunnel_through(self, proxy: Upstream, upstream_io, target: str, url: str) -> str:
        """Open the tunnel to `target` through the configured proxy: '' when open, else the one-line error
        (a 407's is also kept in TURNED_DOWN for the tunnel's host:port)."""
        auth = proxy.auth.header if proxy.auth else ""
        status, error = await _tunnel(upstream_io, target, self.policy.timeout_s, auth)
        TURNED_DOWN.pop(target.lower(), None)
        if not error:
            return ""
        if status != "407":
            return f"fetch proxy {proxy.name}: {error}"
        message = TURNED_DOWN[target.lower()] = self._proxy_error(proxy, url)
        while len(TURNED_DOWN) > _TURNED_DOWN_MAX:
            TURNED_DOWN.popitem(last=False)
        return message

    def _proxy_error(self, proxy: Upstream, url: str) -> str:
        message = proxy.auth_failed()
        if message not in self.proxy_errors:
            log.warning("%s (for %s)", message, url)
        self.proxy_errors.append(message)
        return message

    def _background(self, host: str, service: str) -> None:
        if host not in self.background:
            log.info(
                "refused Chromium's own request to %s (browser_background_hosts: %s); later ones are refused "
                "without a word",
                host,
                service,
            )
        self.background[host] = self.background.get(host, 0) + 1

    async def _open(self, ips, port: int):
        for ip in ips:
            try:
                return await asyncio.wait_for(asyncio.open_connection(str(ip), port), self.policy.timeout_s)
            except (OSError, asyncio.TimeoutError):
                continue
        return None


async def _tunnel(upstream_io, target: str, timeout_s: float, auth: str = "") -> tuple[str, str]:
    """Ask the operator's proxy for a tunnel to `target` (with `auth` as its Proxy-Authorization): its
    status code, and '' when the tunnel is open, else what went wrong."""
    up_reader, up_writer = upstream_io
    credentials = f"Proxy-Authorization: {auth}\r\n" if auth else ""
    up_writer.write(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n{credentials}\r\n".encode("latin-1"))
    try:
        await up_writer.drain()
        head = await asyncio.wait_for(up_reader.readuntil(b"\r\n\r\n"), timeout_s)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError, ConnectionError) as exc:
        return "", f"no answer to CONNECT ({type(exc).__name__})"
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    fields = status_line.split(" ", 2)
    status = fields[1] if len(fields) > 1 else ""
    return status, "" if status == "200" else f"answered {status_line!r}"


async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, limit: int | None) -> None:
    sent = 0
    try:
        while True:
            chunk = await src.read(65536)
            if not chunk:
                break
            sent += len(chunk)
            if limit is not None and sent > limit:
                break  # larger than the policy allows: cut off
            dst.write(chunk)
            await dst.drain()
    except ConnectionError:
        pass
    finally:
        try:
            dst.write_eof() if dst.can_write_eof() else dst.close()
        except (OSError, RuntimeError):
            pass


async def _deny(writer: asyncio.StreamWriter, reason: str) -> None:
    await _answer(writer, 403, f"refused by the fetch policy ({reason})", {REFUSED_HEADER: reason})


async def _answer(writer: asyncio.StreamWriter, status: int, text: str, headers: dict[str, str] | None = None) -> None:
    body = text.encode("utf-8")
    extra = "".join(f"{k}: {v.replace(chr(13), ' ').replace(chr(10), ' ')}\r\n" for k, v in (headers or {}).items())
    writer.write(
        f"HTTP/1.1 {status} {'Forbidden' if status == 403 else 'Bad Gateway'}\r\nContent-Type: text/plain; "
        f"charset=utf-8\r\nContent-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n".encode("latin-1", "replace")
        + body
    )
    await writer.drain()
