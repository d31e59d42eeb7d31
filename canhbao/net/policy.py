"""The one fetch policy every outbound request obeys: the crawler (Scrapy and Chromium), analyst capture,
media of imported captures, the evidence live view and takedown checks.

- only `http` and `https` (no `file:`, `ftp:`, `data:`, `s3:` ...);
- no loopback, private, link-local, multicast or otherwise non-public address, checked on the address
  the host name resolves to, and again for every redirect hop, unless `allow_private` is set (tests and
  the demo, which serve pages on 127.0.0.1) or the host is listed in `allow` (`host`, `host:port` or a
  CIDR range such as `10.20.0.0/16` for an internal mirror);
- a response size limit and a time limit;
- the check holds at connection time: every connection (the thin HTTP client, Scrapy's resolver, the
  proxy Chromium goes through) resolves the name once with `vet` and connects only to an address it just
  vetted, so a DNS answer that changes between the check and the connection (DNS rebinding) never
  reaches an internal address. Names are resolved by the system, or by `dns_server` when set;
- the guard proxy Chromium goes through refuses the browser vendor's background services
  (`browser_background_hosts`: update checks, the account list, Safe Browsing ...) before resolving them,
  so Chromium sends nothing the page did not cause, whatever a future build makes of its launch flags;
- proxies named in the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`) are never used: a proxy
  resolves the target itself, past the connect-time check. An operator who needs one sets `proxy`; its
  name is resolved once and pinned (`upstream`), and the target's connect-time vetting is then the
  proxy's job (the early check still refuses internal targets and unsafe schemes).

Settings: `config/fetch.yaml` (`CANHBAO_FETCH__<KEY>` overrides). A refused URL raises `Refused`, which
callers turn into that one item's error; nothing here stops a whole run.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import socket
from base64 import b64encode
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from canhbao.core import config
from canhbao.core.errors import CanhbaoError

log = logging.getLogger(__name__)

SCHEMES = ("http", "https")
IP = ipaddress.IPv4Address | ipaddress.IPv6Address
_DEFAULT_PORTS = {"http": 80, "https": 443}

# Hosts of Chromium's own background services (Google's, for Chromium and Chrome), which no page we fetch
# needs: the guard proxy refuses them (see guard_proxy.py). The same list is in config/fetch.yaml, where
# each entry says what asks for it; this default keeps the backstop for policies built in code.
BROWSER_BACKGROUND_HOSTS: tuple[str, ...] = (
    "accounts.google.com",
    "update.googleapis.com",
    "clients2.google.com",
    "clients2.googleusercontent.com",
    "redirector.gvt1.com",
    "*.gvt2.com",
    "safebrowsing.googleapis.com",
    "optimizationguide-pa.googleapis.com",
    "content-autofill.googleapis.com",
    "clientservices.googleapis.com",
)


@dataclass(frozen=True)
class FetchPolicy:
    allow_private: bool = False  # true only where pages are served on private addresses on purpose
    allow: tuple[str, ...] = ()  # hosts, host:port or CIDR ranges allowed although non-public
    max_bytes: int = 32 * 1024 * 1024  # largest response body read (pages; media have their own limit)
    timeout_s: float = 30.0  # connect/read timeout, and the whole-fetch limit of the thin HTTP client
    max_redirects: int = 10
    dns_server: str = ""  # "ip" or "ip:port" of a DNS server to ask instead of the system resolver ("": system)
    proxy: str = ""  # "http://host:port" of a forward proxy all collection goes through ("": none, direct)
    # name of the environment variable holding the proxy's Basic credentials, "user:password" ("": none)
    proxy_auth_env: str = ""
    # names ("host" or "*.domain") the guard proxy refuses to Chromium: its own background services
    browser_background_hosts: tuple[str, ...] = BROWSER_BACKGROUND_HOSTS

    def validate(self) -> None:
        if self.max_bytes < 1024:
            raise ValueError("max_bytes must be at least 1024")
        if self.timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        if self.max_redirects < 0:
            raise ValueError("max_redirects must not be negative")
        for entry in self.allow:
            _parse_allow(entry)  # raises ValueError naming the bad entry
        if self.dns_server:
            _dns_server(self.dns_server)  # raises ValueError naming it
        if self.proxy:
            _proxy_parts(self.proxy)  # raises ValueError naming it
        if self.proxy_auth_env:
            if not self.proxy:
                raise ValueError("proxy_auth_env is set but proxy is not: name the proxy the credentials are for")
            proxy_auth(self.proxy_auth_env)  # raises ValueError naming the variable, never its value
        for entry in self.browser_background_hosts:
            _background_entry(entry)  # raises ValueError naming the bad entry

    def with_private(self, allowed: bool) -> "FetchPolicy":
        """This policy, with private addresses allowed when a source says so (never disallowing)."""
        return replace(self, allow_private=True) if allowed and not self.allow_private else self


class Refused(CanhbaoError, ValueError):
    """A URL the fetch policy does not allow; one line naming the URL and why."""

    def __init__(self, url: str, reason: str):
        self.url, self.reason = url, reason
        super().__init__(f"{_short(url)}: refused by the fetch policy ({reason})")


def load(path: Path | None = None) -> FetchPolicy:
    policy = config.load("fetch", FetchPolicy, path=path)
    _warn_environment_proxies(policy)
    return policy


ENV_PROXIES = ("http_proxy", "https_proxy", "all_proxy")


def environment_proxies() -> tuple[str, ...]:
    """Names of the proxy variables set in the environment (either case), which collection ignores."""
    return tuple(k for k in sorted(os.environ) if k.lower() in ENV_PROXIES and os.environ[k].strip())


_warned: set[tuple[str, ...]] = set()


def _warn_environment_proxies(policy: FetchPolicy) -> None:
    """Say once per process that an environment proxy is not used, so nobody relies on it unknowingly."""
    names = environment_proxies()
    if names and names not in _warned:
        _warned.add(names)
        log.warning(
            "%s set in the environment: ignored for collection (the fetch policy connects %s); set `proxy` in "
            "config/fetch.yaml to collect through a proxy",
            ", ".join(names),
            f"through {policy.proxy}" if policy.proxy else "directly",
        )


@dataclass(frozen=True)
class ProxyAuth:
    """Basic credentials for the configured proxy, read from the environment (`proxy_auth_env`). Kept out
    of every repr, so a logged or raised object never carries the password."""

    env: str  # the variable's name: what messages may say
    user: str = field(repr=False)
    password: str = field(repr=False)

    @property
    def header(self) -> str:
        """The `Proxy-Authorization` value (RFC 7617, UTF-8 as urllib and the guard proxy encode it)."""
        return "Basic " + b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def proxy_auth(env: str) -> ProxyAuth:
    """The credentials in environment variable `env` ("user:password"); a ValueError naming the variable
    (never its value) when it is not a variable name, is not set or holds no colon."""
    if not _ENV_NAME.match(env):
        raise ValueError(f"proxy_auth_env: {env!r} is not an environment variable name")
    value = os.environ.get(env)
    if value is None:
        raise ValueError(f"proxy_auth_env: environment variable {env} is not set (it must hold user:password)")
    user, colon, password = value.partition(":")
    if not colon or not user:
        raise ValueError(f"proxy_auth_env: environment variable {env} must hold user:password (it has no user: part)")
    return ProxyAuth(env, user, password)


@dataclass(frozen=True)
class Upstream:
    """The configured forward proxy: its name resolved once and pinned to one address (`url` names the
    address, so no client resolves the proxy's name again). The proxy is trusted to resolve targets."""

    host: str
    port: int
    ip: IP
    auth: ProxyAuth | None = field(default=None, repr=False, compare=False)  # Basic credentials, if any

    @property
    def url(self) -> str:
        host = f"[{self.ip}]" if self.ip.version == 6 else str(self.ip)
        return f"http://{host}:{self.port}"

    @property
    def name(self) -> str:
        """host:port as configured: how messages name the proxy."""
        return f"{self.host}:{self.port}"

    def auth_failed(self) -> str:
        """The one-line error for a 407 from this proxy (no secret in it)."""
        if self.auth is None:
            return f"fetch proxy {self.name}: authentication required (407); set proxy_auth_env in config/fetch.yaml"
        return f"fetch proxy {self.name}: authentication failed (407); check the credentials in ${self.auth.env}"


def upstream(policy: FetchPolicy) -> Upstream | None:
    """The pinned forward proxy of `policy`, or None (connect directly). Raises `Unresolved` (an OSError)
    when its name does not resolve and `Refused` when it resolves to an address no proxy can be on; a
    missing credentials variable is a `ProxyAuthMissing` (an OSError), naming the variable."""
    if not policy.proxy:
        return None
    pinned = _pin(policy.proxy, policy.dns_server, policy.timeout_s)
    if not policy.proxy_auth_env:
        return pinned
    try:
        auth = proxy_auth(policy.proxy_auth_env)
    except ValueError as exc:
        raise ProxyAuthMissing(str(exc)) from None
    return replace(pinned, auth=auth)


class ProxyAuthMissing(OSError):
    """The proxy's credentials variable vanished after the policy was loaded (one line, naming it)."""


@lru_cache(maxsize=8)
def _pin(proxy: str, dns_server: str, timeout_s: float) -> Upstream:
    host, port = _proxy_parts(proxy)
    ips = addresses(host, port, FetchPolicy(dns_server=dns_server, timeout_s=timeout_s))
    if not ips:
        raise Unresolved(f"fetch proxy {host}: name does not resolve")
    # An operator's proxy is usually on a private address, which is allowed; these never hold one, and
    # link-local is where cloud metadata services answer.
    for ip in ips:
        kind = non_public(ip)
        if kind in ("unspecified", "multicast", "link-local"):
            raise Refused(proxy, f"the fetch proxy {host} resolves to {ip}, a {kind} address")
    return Upstream(host, port, ips[0])


def _proxy_parts(text: str) -> tuple[str, int]:
    """'http://host:port' -> (host, port); anything else is a ValueError naming the setting (never echoing
    a URL with credentials in it)."""
    if "@" in text:
        raise ValueError("proxy: no credentials in the URL; name an environment variable with proxy_auth_env instead")
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"proxy: {text!r} is not a URL ({exc})") from None
    if parts.scheme.lower() != "http" or not parts.hostname or not port:
        raise ValueError(f"proxy: {text!r} must be http://host:port (an HTTP forward proxy)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"proxy: {text!r} must be http://host:port, without a path")
    return parts.hostname.lower(), port


_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _background_entry(entry: str) -> str:
    """A `browser_background_hosts` entry: a lowercase host name with a dot, or `*.` and a domain."""
    name = entry[2:] if entry.startswith("*.") else entry
    labels = name.split(".")
    if entry != entry.strip().lower() or len(labels) < 2 or not all(_HOST_LABEL.match(x) for x in labels):
        raise ValueError(f"browser_background_hosts: {entry!r} is not a lowercase host name or *.domain")
    if _ip(name) is not None:
        raise ValueError(f"browser_background_hosts: {entry!r} is an address; list host names")
    return entry


def background_service(host: str, policy: FetchPolicy) -> str:
    """The `browser_background_hosts` entry `host` falls under ('' for none): one of the browser's own
    background services, which no fetched page needs."""
    host = host.strip("[]").rstrip(".").lower()
    for entry in policy.browser_background_hosts:
        if host == entry or (entry.startswith("*.") and host.endswith(entry[1:])):
            return entry
    return ""


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
    _refuse_non_public(url, host, port, addresses(host, port, policy), policy)


def vet(host: str, port: int, policy: FetchPolicy, url: str = "") -> tuple[IP, ...]:
    """Resolve `host` once and return the addresses a connection to it may use now, or raise `Refused`.

    This is the check at connection time: callers connect to these addresses (never by name again), so
    what was vetted is what is reached. A name that does not resolve raises `Unresolved` (an OSError).
    """
    host = host.strip().lower()
    ips = addresses(host, port, policy)
    if not ips:
        raise Unresolved(f"{host}: name does not resolve")
    if not policy.allow_private:
        _refuse_non_public(url or f"{host}:{port}", host, port, ips, policy)
    return ips


class Unresolved(OSError):
    """A host name without addresses at connection time (a DNS error, not a refusal)."""


def vetted_connection(
    address: tuple[str, int], timeout=None, source_address=None, *, policy: FetchPolicy
) -> socket.socket:
    """`socket.create_connection` through the policy: resolve once, vet, connect to a vetted address."""
    host, port = address
    last: OSError | None = None
    for ip in vet(host, port, policy):
        try:
            return socket.create_connection((str(ip), port), timeout, source_address)
        except OSError as exc:
            last = exc
    raise last or Unresolved(f"{host}: no address to connect to")


def _refuse_non_public(url: str, host: str, port: int, ips, policy: FetchPolicy) -> None:
    allowed_hosts, allowed_nets = _allow_sets(policy.allow)
    if host in allowed_hosts or f"{host}:{port}" in allowed_hosts:
        return
    for ip in ips:
        if any(ip in net for net in allowed_nets):
            continue
        kind = non_public(ip)
        if kind:
            where = f"{host} is" if _ip(host.strip("[]")) is not None else f"{host} resolves to {ip},"
            raise Refused(url, f"{where} a {kind} address")


def addresses(host: str, port: int, policy: FetchPolicy | None = None) -> tuple[IP, ...]:
    """The addresses `host` stands for: itself if it is an IP literal, else what DNS answers (the system
    resolver, or the policy's `dns_server`).

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
    if policy is not None and policy.dns_server:
        return _ask_dns_server(ascii_host, policy)
    try:
        infos = socket.getaddrinfo(ascii_host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return ()
    return tuple(dict.fromkeys(ip for ip in (_ip(str(i[4][0])) for i in infos) if ip is not None))


def _ask_dns_server(name: str, policy: FetchPolicy) -> tuple[IP, ...]:
    """A and AAAA records of `name` from the configured DNS server (dnspython), as a stub resolver would."""
    import dns.exception
    import dns.resolver

    server, port = _dns_server(policy.dns_server)
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers, resolver.port = [server], port
    resolver.lifetime = min(policy.timeout_s, 10.0)
    found: list[IP] = []
    for rdtype in ("A", "AAAA"):
        try:
            answer = resolver.resolve(name, rdtype, search=False)
        except (dns.exception.DNSException, OSError):
            continue
        found += [ip for ip in (_ip(r.to_text()) for r in answer) if ip is not None]
    return tuple(dict.fromkeys(found))


def _dns_server(text: str) -> tuple[str, int]:
    """'ip', 'ip:port', '[ipv6]:port' or a bare IPv6 address -> (ip, port)."""
    text = text.strip()
    host, port = text, ""
    if text.startswith("[") and "]:" in text:
        host, port = text[1:].split("]:", 1)
    elif text.count(":") == 1:
        host, port = text.split(":")
    if _ip(host.strip("[]")) is None or (port and not port.isdigit()):
        raise ValueError(f"dns_server: {text!r} is not an IP address with an optional :port")
    return host.strip("[]"), int(port or 53)


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
