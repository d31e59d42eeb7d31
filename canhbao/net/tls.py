"""The TLS certificate chain of each HTTPS connection, captured as the connection is made, so evidence
can show which certificate the live server presented (origin), not only what it sent.

`TLSRecordingHandler` replaces urllib's HTTPS handler. Its connection class derives from
`http.client.HTTPConnection` as it is once warcio is imported (warcio swaps in a recording subclass)
and wraps the socket itself, so HTTPS exchanges are written to the WARC like HTTP ones (urllib's own
HTTPSConnection derives from the unpatched class and is never recorded).
"""

from __future__ import annotations

import hashlib
import http.client
import ssl
import threading
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import warcio.capture_http  # noqa: F401 - must patch http.client.HTTPConnection before the class below
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding


@dataclass(frozen=True)
class PeerChain:
    host: str
    port: int
    version: str  # TLS version negotiated
    cipher: str
    certificates: tuple[bytes, ...]  # DER, leaf first, as verified up to a trusted root

    def pem(self) -> bytes:
        return b"".join(x509.load_der_x509_certificate(c).public_bytes(Encoding.PEM) for c in self.certificates)

    def summary(self) -> list[dict[str, str]]:
        out = []
        for der in self.certificates:
            cert = x509.load_der_x509_certificate(der)
            out.append(
                {
                    "subject": cert.subject.rfc4514_string(),
                    "issuer": cert.issuer.rfc4514_string(),
                    "not_before": cert.not_valid_before_utc.isoformat(),
                    "not_after": cert.not_valid_after_utc.isoformat(),
                    "sha256": hashlib.sha256(der).hexdigest(),
                }
            )
        return out


_local = threading.local()


@contextmanager
def recording() -> Iterator[list[PeerChain]]:
    """Collect the chains of the HTTPS connections this thread makes inside the block."""
    chains: list[PeerChain] = []
    previous = getattr(_local, "chains", None)
    _local.chains = chains
    try:
        yield chains
    finally:
        _local.chains = previous


def _chain(sock: ssl.SSLSocket) -> tuple[bytes, ...]:
    getter = getattr(sock, "get_verified_chain", None)  # public from Python 3.13
    if getter is None:  # the same method, private before 3.13
        getter = getattr(sock, "_sslobj").get_verified_chain  # noqa: B009
    der = getattr(ssl, "_ssl").ENCODING_DER  # noqa: B009
    return tuple(c.public_bytes(der) for c in getter())


class _RecordedTLSConnection(http.client.HTTPConnection):
    default_port = http.client.HTTPS_PORT

    def __init__(self, host: str, port: int | None = None, *, context: ssl.SSLContext | None = None, **kwargs: Any):
        super().__init__(host, port, **kwargs)
        self._context = context or ssl.create_default_context()

    def connect(self) -> None:
        super().connect()  # TCP, and a proxy tunnel if any
        tunnel_host, tunnel_port = getattr(self, "_tunnel_host", None), getattr(self, "_tunnel_port", None)
        server = tunnel_host or self.host
        self.sock = self._context.wrap_socket(self.sock, server_hostname=server)
        chains = getattr(_local, "chains", None)
        if chains is not None:
            chains.append(
                PeerChain(
                    server,
                    tunnel_port or self.port,
                    self.sock.version() or "",
                    (self.sock.cipher() or ("",))[0],
                    _chain(self.sock),
                )
            )


class TLSRecordingHandler(urllib.request.HTTPSHandler):
    """HTTPS with the chain recorded; with a fetch policy, connecting only to addresses it vets (`vetted`)."""

    def __init__(self, *args: Any, policy: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.policy = policy

    def https_open(self, req: urllib.request.Request):  # noqa: ANN201 - urllib API
        conn: Any = _RecordedTLSConnection
        if self.policy is not None:
            from canhbao.net.vetted import factory

            conn = factory(_RecordedTLSConnection, self.policy, req)
        return self.do_open(conn, req, context=getattr(self, "_context", None))
