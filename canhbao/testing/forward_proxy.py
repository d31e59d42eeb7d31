"""A small real HTTP forward proxy on 127.0.0.1 for tests, written apart from the product's guard proxy:
`GET http://…` (absolute URI) and `CONNECT host:port` tunnels, with a log of every request it got, so a
test can tell whether a client went through it. Names are looked up in `hosts` (like /etc/hosts: the
test decides where the proxy sends a name), else by the system resolver.

With `credentials` ("user:password") it is an authenticating proxy: a request without the matching Basic
`Proxy-Authorization` is answered 407, and `authorized` records, per request, whether it carried them.
The header is not passed on to the site (as proxies do), so a test can see the site never got it."""

from __future__ import annotations

import base64
import select
import socket
import socketserver
from contextlib import contextmanager
from typing import Iterator, Mapping
from urllib.parse import urlsplit

from canhbao.testing.local_http import served


class ForwardProxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, hosts: Mapping[str, str] | None = None, credentials: str | None = None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hosts = {k.lower(): v for k, v in (hosts or {}).items()}
        self.credentials = credentials
        self.requests: list[str] = []  # "CONNECT host:port" or "GET http://…", in order
        self.authorized: list[bool] = []  # per request: did it carry the right credentials
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def address_of(self, host: str) -> str:
        return self.hosts.get(host.lower(), host)


class _Handler(socketserver.StreamRequestHandler):
    server: ForwardProxy

    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            head += chunk
        head, _, rest = head.partition(b"\r\n\r\n")
        request_line, *headers = head.decode("latin-1").split("\r\n")
        method, target, version = request_line.split(" ", 2)
        self.server.requests.append(f"{method} {target}")
        given = [h.split(":", 1)[1].strip() for h in headers if h.lower().startswith("proxy-authorization:")]
        scheme, _, token = (given[0] if given else "").partition(" ")
        try:
            decoded = base64.b64decode(token, validate=True).decode() if scheme.lower() == "basic" else None
        except ValueError:
            decoded = None
        self.server.authorized.append(self.server.credentials is not None and decoded == self.server.credentials)
        if self.server.credentials is not None and not self.server.authorized[-1]:
            self.request.sendall(
                b'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n'
                b"Content-Length: 0\r\nConnection: close\r\n\r\n"
            )
            return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            upstream = self._connect(host.strip("[]"), int(port))
            if upstream is None:
                return
            self.request.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
        else:
            parts = urlsplit(target)
            upstream = self._connect(parts.hostname or "", parts.port or 80)
            if upstream is None:
                return
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            hop = ("proxy-connection", "connection", "proxy-authorization")
            kept = [h for h in headers if h.split(":", 1)[0].strip().lower() not in hop]
            upstream.sendall(
                f"{method} {path} {version}\r\n".encode("latin-1")
                + "\r\n".join([*kept, "Connection: close"]).encode("latin-1")
                + b"\r\n\r\n"
                + rest
            )
        with upstream:
            _relay(self.request, upstream)

    def _connect(self, host: str, port: int) -> socket.socket | None:
        try:
            return socket.create_connection((self.server.address_of(host), port), timeout=10)
        except OSError:
            self.request.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return None


def _relay(a: socket.socket, b: socket.socket) -> None:
    """Copy bytes both ways until one side closes."""
    a.settimeout(None)
    b.settimeout(None)
    while True:
        ready, _, _ = select.select([a, b], [], [], 10)
        if not ready:
            return
        for src in ready:
            data = src.recv(65536)
            if not data:
                return
            (b if src is a else a).sendall(data)


@contextmanager
def forward_proxy(hosts: Mapping[str, str] | None = None, credentials: str | None = None) -> Iterator[ForwardProxy]:
    proxy = ForwardProxy(hosts, credentials)
    with served(proxy, "test-forward-proxy") as running:
        yield running
