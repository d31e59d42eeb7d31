"""The HTTP side of the sample sites: a threaded server on 127.0.0.1 serving a built site's files, with
per-path overrides to simulate what real platforms do to crawlers (429s, login walls, hanging pages,
huge or fake images) and a log of every request, so tests can check what was (not) fetched."""

from __future__ import annotations

import json
import ssl
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator, Mapping
from urllib.parse import parse_qs, urlsplit

from canhbao.testing.local_http import served

GRAPH_TOKEN = "sample-token"  # the only access_token the sample Graph API accepts


@dataclass
class Route:
    status: int = 200
    body: bytes | Callable[[], bytes] = b""
    content_type: str = "text/html; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)
    times: int | None = None  # answer like this this many times, then fall back to the files (None: always)
    delay_s: float = 0.0  # wait before answering (a hanging server)


class SampleServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None):
        super().__init__((host, port), _Handler)
        self.tls = tls
        if tls is not None:  # HTTPS; the handshake happens in the request's thread, not in accept()
            self.socket = tls.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
        self.connections = 0  # TCP connections accepted (a refused client never opens one)
        self.root = Path(root).resolve()
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []  # every path+query asked for, in order
        self.cookies: list[str] = []  # Cookie headers received
        self.hosts: list[str] = []  # Host headers received (the name asked for, whatever address was connected)
        self.proxy_credentials = 0  # requests that arrived with a Proxy-Authorization header (a proxy's secret)
        self.graph_token = GRAPH_TOKEN
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host!s}:{port}"

    def get_request(self):  # noqa: ANN201 - socketserver API
        accepted = super().get_request()
        with self._lock:
            self.connections += 1
        return accepted

    def route(
        self,
        path: str,
        *,
        status: int = 200,
        body: bytes | str | Callable[[], bytes] = b"",
        content_type: str = "text/html; charset=utf-8",
        headers: Mapping[str, str] | None = None,
        times: int | None = None,
        delay_s: float = 0.0,
    ) -> None:
        """Answer `path` specially: a 429 (`times=2` then normal), a login wall, a huge or fake image."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(status, data, content_type, headers or {}, times, delay_s)

    def hits(self, prefix: str) -> list[str]:
        return [r for r in self.requests if r.startswith(prefix)]

    def take_route(self, path: str) -> Route | None:
        with self._lock:
            route = self.routes.get(path)
            if route is None:
                return None
            if route.times is not None:
                if route.times <= 0:
                    return None
                route.times -= 1
            return route


_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".json": "application/json",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


class _Handler(BaseHTTPRequestHandler):
    server: SampleServer

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        self.server.requests.append(self.path)
        self.server.hosts.append(self.headers.get("Host", ""))
        if self.headers.get("Cookie"):
            self.server.cookies.append(self.headers["Cookie"])
        if self.headers.get("Proxy-Authorization"):
            self.server.proxy_credentials += 1
        route = self.server.take_route(parts.path) or self.server.take_route(self.path)
        if route is not None:
            if route.delay_s:
                time.sleep(route.delay_s)
            body = route.body() if callable(route.body) else route.body
            return self._send(route.status, body, route.content_type, route.headers)
        query = parse_qs(parts.query)
        if parts.path.startswith("/graph/") and query.get("access_token", [""])[0] != self.server.graph_token:
            err = {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}
            return self._send(400, json.dumps(err).encode(), "application/json")
        path = self._file(parts.path, query)
        if path is None:
            return self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html; charset=utf-8")
        body = path.read_bytes()
        if path.suffix == ".xml":
            body = body.replace(b"{BASE}", self.server.base_url.encode())
        self._send(200, body, _TYPES.get(path.suffix.lower(), "application/octet-stream"))

    def _file(self, path: str, query: dict) -> Path | None:
        base = (self.server.root / path.lstrip("/")).resolve()
        if not str(base).startswith(str(self.server.root)):
            return None
        for key in ("before", "after", "page"):
            if key in query:
                for ext in (".html", ".json", ".xml"):
                    cand = base / f"q_{key}-{query[key][0]}{ext}"
                    if cand.is_file():
                        return cand
                return None
        if base.is_file():
            return base
        for index in ("index.html", "index.json"):
            if (base / index).is_file():
                return base / index
        return None

    def _send(self, status: int, body: bytes, ctype: str, headers: Mapping[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the crawler gave up on a large body: fine
            pass


@contextmanager
def serve(
    root: Path, *, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None
) -> Iterator[SampleServer]:
    """Serve `root` on `host` (127.0.0.1; another loopback address such as 127.0.0.2 plays a second machine),
    over HTTPS with `tls` (a server context holding the site's certificate)."""
    server = SampleServer(root, host, port, tls)
    with served(server, "sample-site") as running:
        yield running


@contextmanager
def two_machines(root: Path, inner_text: str, outside_text: str) -> Iterator[tuple[SampleServer, SampleServer, int]]:
    """`inner` on 127.0.0.1:P plays an internal service, `outside` on 127.0.0.2:P a permitted one, each serving
    `/page.html` with its text: the fetch-policy tests' two machines (same port, so only the address differs)."""
    for name, text in (("inner", inner_text), ("outside", outside_text)):
        (root / name).mkdir(parents=True, exist_ok=True)
        (root / name / "page.html").write_text(
            f"<html><body><article><p>{text}</p></article></body></html>", encoding="utf-8"
        )
    with serve(root / "inner") as inner:
        port = inner.server_address[1]
        with serve(root / "outside", host="127.0.0.2", port=port) as outside:
            yield inner, outside, port
