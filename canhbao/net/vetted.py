"""urllib connections that connect only to an address the fetch policy vetted at that moment.

http.client resolves the host name again when it connects, after `policy.check` resolved it: a DNS answer
that changes in between (DNS rebinding) would reach whatever the second answer names. Here the connection's
`_create_connection` is `policy.vetted_connection`, which resolves once, vets and connects to that address;
the Host header, SNI and certificate check keep using the name. A connection to the policy's proxy is left
alone: the opener names it by its pinned address, and the proxy resolves the target (see docs/sources.md).
"""

from __future__ import annotations

import http.client
import urllib.request
from functools import partial

from canhbao.net.policy import FetchPolicy, vetted_connection


def factory(cls: type[http.client.HTTPConnection], policy: FetchPolicy, req: urllib.request.Request):
    """For `AbstractHTTPHandler.do_open`: builds `cls` connections that connect through the policy."""
    proxied = bool(getattr(req, "_tunnel_host", None)) or req.has_proxy()

    def build(host: str, **kwargs) -> http.client.HTTPConnection:
        conn = cls(host, **kwargs)
        if not proxied:
            conn._create_connection = partial(vetted_connection, policy=policy)  # type: ignore[attr-defined]
        return conn

    return build


class VettedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, policy: FetchPolicy):
        super().__init__()
        self.policy = policy

    def http_open(self, req: urllib.request.Request):  # noqa: ANN201 - urllib API
        # http.client.HTTPConnection as it is now: warcio's recording subclass once warcio is imported
        return self.do_open(factory(http.client.HTTPConnection, self.policy, req), req)
