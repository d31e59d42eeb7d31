"""The one fetch policy every outbound request obeys: the crawler (Scrapy and Chromium), analyst capture,
media of imported captures, the evidence live view and takedown checks.

- only `http` and `https` (no `file:`, `ftp:`, `data:`, `s3:` ...);
- no loopback, private, link-local, multicast or otherwise non-public address, checked on the address
  the host name resolves to, and again for every redirect hop, unless `allow_private` is set (tests and
  the demo, which serve pages on 127.0.0.1) or the host is listed in `allow` (`host`, `host:port` or a
  CIDR range such as `10.20.0.0/16` for an internal mirror);
- a response size limit and a time limit.

Settings: `config/fetch.yaml` (`CANHBAO_FETCH__<KEY>` overrides). A refused URL raises `Refused`, which
callers turn into that one item's error; nothing here stops a whole run.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from canhbao.core import config
from canhbao.core.errors import CanhbaoError

SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class FetchPolicy:
    allow_private: bool = False  # true only where pages are served on private addresses on purpose
    allow: tuple[str, ...] = ()  # hosts, host:port or CIDR ranges allowed although non-public
    max_bytes: int = 32 * 1024 * 1024  # largest response body read (pages; media have their own limit)
    timeout_s: float = 30.0  # connect/read timeout, and the whole-fetch limit of the thin HTTP client
    max_redirects: int = 10

    def validate(self) -> None:
        if self.max_bytes < 1024:
            raise ValueError("max_bytes must be at least 1024")
        if self.timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        if self.max_redirects < 0:
            raise ValueError("max_redirects must not be negative")
        for entry in self.allow:
            _parse_allow(entry)  # raises ValueError naming the bad entry

    def with_private(self, allowed: bool) -> "FetchPolicy":
        """This policy, with private addresses allowed when a source says so (never disallowing)."""
        from dataclasses import replace

        return replace(self, allow_private=True) if allowed and not self.allow_private else self


class Refused(CanhbaoError, ValueError):
    """A URL the fetch policy does not allow; one line naming the URL and why."""

    def __init__(self, url: str, reason: str):
        self.url, self.reason = url, reason
        super().__init__(f"{_short(url)}: refused by the fetch policy ({reason})")


def load(path: Path | None = None) -> FetchPolicy:
    return config.load("fetch", FetchPolicy, path=path)


def check(url: str, policy: FetchPolicy) -> None:
    """Raise `Refused` unless `policy` allows fetching `url`. Resolves the host name (DNS)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused(url, f"malformed URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise Refused(url, f"scheme {scheme or '(none)'!r} is not allowed, only http and https")
    host = (parts.hostname or "").lower()
    if not host:
        raise Refused(url, "no host")
    port = port or _DEFAULT_PORTS[scheme]
    if policy.allow_private:
        return
    allowed_hosts, allowed_nets = _allow_sets(policy.allow)
    if host in allowed_hosts or f"{host}:{port}" in allowed_hosts:
        return
    for ip in addresses(host, port):
        if any(ip in net for net in allowed_nets):
            continue
        kind = non_public(ip)
        if kind:
            where = f"{host} is" if _ip(host.strip("[]")) is not None else f"{host} resolves to {ip},"
            raise Refused(url, f"{where} a {kind} address")


def addresses(host: str, port: int) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, ...]:
    """The addresses `host` stands for: itself if it is an IP literal, else what DNS answers.

    A name that does not resolve yields nothing: the fetch itself then fails with a DNS error, and no
    internal address can be reached through it.
    """
    literal = _ip(host.strip("[]"))
    if literal is not None:
        return (literal,)
    try:
        ascii_host = host.encode("idna").decode("ascii")  # as HTTP clients resolve internationalised names
    except UnicodeError:
        return ()
    try:
        infos = socket.getaddrinfo(ascii_host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return ()
    return tuple(dict.fromkeys(ip for ip in (_ip(str(i[4][0])) for i in infos) if ip is not None))


def non_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """'' for a public (globally routed) address, else what kind of address it is."""
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    for kind in ("unspecified", "loopback", "link-local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{kind.replace('-', '_')}"):
            return kind
    return "" if ip.is_global else "non-public"


def _ip(text: str):
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def _parse_allow(entry: str):
    entry = str(entry).strip().lower()
    if not entry:
        raise ValueError("allow: empty entry")
    if "/" in entry:
        try:
            return ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"allow: {entry!r} is not a CIDR range") from None
    return entry


@lru_cache(maxsize=64)
def _allow_sets(allow: tuple[str, ...]):
    hosts, nets = set(), []
    for entry in allow:
        parsed = _parse_allow(entry)
        if isinstance(parsed, str):
            hosts.add(parsed)
            ip = _ip(parsed)
            if ip is not None:
                nets.append(ipaddress.ip_network(ip))
        else:
            nets.append(parsed)
    return frozenset(hosts), tuple(nets)


def _short(url: str) -> str:
    return url if len(url) <= 200 else url[:197] + "..."
