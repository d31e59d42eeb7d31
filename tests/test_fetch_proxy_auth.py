"""An authenticating forward proxy (`proxy_auth_env`): Basic credentials from an environment variable reach
the configured proxy on every path (the thin client, plain and through a CONNECT tunnel; Scrapy, plain and
HTTPS; Chromium through the guard proxy), a wrong password is one clear line naming the proxy, and the
password (nor its Base64 form) is never in an error, a log, a WARC, the HTTP cache or a stored post.

A real authenticating forward proxy on 127.0.0.1 (canhbao.testing.forward_proxy with `credentials`) answers
407 to anything without the right `Proxy-Authorization` and records, per request, whether it had them.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import logging
import shutil

import pytest
from test_fetch_proxy import FAST, FEED, SECRET, two_machines  # noqa: F401 - the shared fixture
from warcio.archiveiterator import ArchiveIterator

from canhbao.core.config import build
from canhbao.core.errors import CanhbaoError, ConfigError
from canhbao.net.http import get
from canhbao.net.policy import FetchPolicy
from canhbao.testing.dns_server import dns_server
from canhbao.testing.forward_proxy import forward_proxy
from canhbao.testing.sample_server import serve
from canhbao.testing.tls_ca import CERTUTIL, make_ca, nss_trust

USER, PASSWORD = "donvi.pa05", "Mật-khẩu:Ś3cr€t"  # non-ASCII and a colon: encoded as UTF-8, split at the first
WRONG = "sai-mat-khau"
VAR = "CANHBAO_TEST_PROXY_AUTH"


def secrets(password: str = PASSWORD) -> tuple[str, ...]:
    """The password as it could leak: itself, and inside the Base64 Basic token."""
    token = base64.b64encode(f"{USER}:{password}".encode()).decode("ascii")
    return password, token


def leaks(text: str | bytes, password: str = PASSWORD) -> list[str]:
    if isinstance(text, bytes) and text[:2] == b"\x1f\x8b":  # WARC files are gzip members: look inside
        text = gzip.decompress(text)
    blob = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return [s for s in secrets(password) if s in blob]


@pytest.fixture
def auth_proxy():
    """The unit's authenticating proxy; it resolves mirror.test to the permitted machine (127.0.0.2)."""
    with forward_proxy({"mirror.test": "127.0.0.2"}, credentials=f"{USER}:{PASSWORD}") as proxy:
        yield proxy


@pytest.fixture
def tls_site(tmp_path, monkeypatch):
    """HTTPS on 127.0.0.2 for mirror.test, from a root the thin client (SSL_CERT_FILE) and Chromium (an NSS
    database under a temporary HOME) trust; the feed and a page."""
    ca = make_ca(tmp_path / "ca")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file))
    if shutil.which(CERTUTIL):
        nss_trust(tmp_path / "home", ca)
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "tls").mkdir()
    (tmp_path / "tls" / "page.html").write_text("<html><body><article><p>qua proxy TLS</p></article></body></html>")
    (tmp_path / "tls" / "feed.xml").write_text(FEED.format(title="Tin qua đường hầm", host="x"))
    with serve(tmp_path / "tls", host="127.0.0.2", tls=ca.server_context("mirror.test")) as site:
        yield site


def _policy(dns, proxy, password: str | None, monkeypatch) -> FetchPolicy:
    monkeypatch.setenv(VAR, f"{USER}:{password}")
    return FetchPolicy(
        dns_server=dns.address, allow=("127.0.0.2/32",), proxy=proxy.url, proxy_auth_env=VAR, timeout_s=10
    )


# --- the setting ------------------------------------------------------------------------------------------


def test_proxy_auth_env_is_validated_without_showing_the_secret(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    base = {"proxy": "http://127.0.0.1:3128", "proxy_auth_env": VAR}
    with pytest.raises(ConfigError) as missing:
        build(FetchPolicy, base, where="fetch.yaml")
    assert VAR in str(missing.value) and "not set" in str(missing.value)
    monkeypatch.setenv(VAR, "no-colon-" + PASSWORD.replace(":", ""))
    with pytest.raises(ConfigError) as no_colon:
        build(FetchPolicy, base, where="fetch.yaml")
    assert VAR in str(no_colon.value) and "user:password" in str(no_colon.value)
    assert "no-colon" not in str(no_colon.value)  # the value is never echoed
    monkeypatch.setenv(VAR, f"{USER}:{PASSWORD}")
    with pytest.raises(ConfigError) as no_proxy:
        build(FetchPolicy, {"proxy_auth_env": VAR}, where="fetch.yaml")
    assert "proxy is not" in str(no_proxy.value)
    with pytest.raises(ConfigError) as bad_name:
        build(FetchPolicy, {**base, "proxy_auth_env": "NOT A NAME"}, where="fetch.yaml")
    assert "not an environment variable name" in str(bad_name.value)
    with pytest.raises(ConfigError) as in_url:  # credentials in the proxy URL: refused, and not repeated
        build(FetchPolicy, {"proxy": f"http://{USER}:{PASSWORD}@127.0.0.1:3128"}, where="fetch.yaml")
    assert "proxy_auth_env" in str(in_url.value) and not leaks(str(in_url.value))
    policy = build(FetchPolicy, base, where="fetch.yaml")
    assert policy.proxy_auth_env == VAR and not leaks(repr(policy))
    from canhbao.net.policy import upstream

    pinned = upstream(policy)
    assert pinned is not None and pinned.auth is not None and not leaks(repr(pinned)) and not leaks(repr(pinned.auth))


# --- the thin client --------------------------------------------------------------------------------------


def test_thin_client_authenticates_to_the_proxy_plain_and_through_a_tunnel(
    two_machines,  # noqa: F811
    auth_proxy,
    tls_site,
    monkeypatch,
):
    inner, outside, port = two_machines
    tls_port = tls_site.server_address[1]
    with dns_server({"mirror.test": ["127.0.0.2"]}) as dns:
        policy = _policy(dns, auth_proxy, PASSWORD, monkeypatch)
        plain = get(f"http://mirror.test:{port}/page.html", policy, user_agent="t")
        secure = get(f"https://mirror.test:{tls_port}/page.html", policy, user_agent="t")
    assert plain.status == 200 and "trang ngoài" in plain.body.decode(), plain.error
    assert secure.status == 200 and b"qua proxy TLS" in secure.body, secure.error
    assert auth_proxy.requests == [f"GET http://mirror.test:{port}/page.html", f"CONNECT mirror.test:{tls_port}"]
    assert auth_proxy.authorized == [True, True]
    # the site never gets the proxy's secret: the proxy drops it, and urllib keeps it out of the tunnel
    assert outside.proxy_credentials == 0 and tls_site.proxy_credentials == 0 and inner.requests == []
    assert not leaks(plain.warc) and not leaks(secure.warc)
    heads = [r.http_headers for r in ArchiveIterator(io.BytesIO(plain.warc)) if r.rec_type == "request"]
    assert heads and all(h.get_header("Proxy-Authorization") is None for h in heads)
    assert heads[0].get_header("User-Agent") == "t"  # the rest of the request is recorded as sent


def test_thin_client_with_a_wrong_password_gets_one_clear_line(two_machines, auth_proxy, tls_site, monkeypatch):  # noqa: F811
    _inner, outside, port = two_machines
    tls_port = tls_site.server_address[1]
    with dns_server({"mirror.test": ["127.0.0.2"]}) as dns:
        policy = _policy(dns, auth_proxy, WRONG, monkeypatch)
        plain = get(f"http://mirror.test:{port}/page.html", policy, user_agent="t")
        secure = get(f"https://mirror.test:{tls_port}/page.html", policy, user_agent="t")
    name = auth_proxy.url.removeprefix("http://")
    for got in (plain, secure):
        assert got.status == 0 and got.body == b"" and "\n" not in got.error
        assert f"fetch proxy {name}: authentication failed (407)" in got.error and f"${VAR}" in got.error, got.error
        assert not leaks(got.error, WRONG) and not leaks(got.warc, WRONG)
    assert auth_proxy.authorized == [False, False] and outside.requests == [] and tls_site.requests == []


# --- Scrapy -----------------------------------------------------------------------------------------------


def _crawl(home, monkeypatch, dns, proxy, password: str, urls: dict[str, str]):
    from canhbao.crawlers.runner import run_crawl
    from canhbao.crawlers.settings import from_mapping

    monkeypatch.setenv("CANHBAO_FETCH__ALLOW_PRIVATE", "false")
    monkeypatch.setenv("CANHBAO_FETCH__ALLOW", json.dumps(["127.0.0.2/32"]))
    monkeypatch.setenv("CANHBAO_FETCH__DNS_SERVER", dns.address)
    monkeypatch.setenv("CANHBAO_FETCH__PROXY", proxy.url)
    monkeypatch.setenv("CANHBAO_FETCH__PROXY_AUTH_ENV", VAR)
    monkeypatch.setenv(VAR, f"{USER}:{password}")
    sources = {name: {"type": "news", "url": url, "follow_articles": False} for name, url in urls.items()}
    # the HTTP cache on: it stores request headers, so it must never see the proxy's
    cfg = from_mapping({"sources": sources, **FAST, "http_cache": True})
    report = run_crawl(home, list(urls), settings=cfg, timeout_s=120)
    return report, (home.root / report.log).read_text(encoding="utf-8")


def _files_leak(root, password: str) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and leaks(p.read_bytes(), password)]


def test_scrapy_authenticates_to_the_proxy_plain_and_https(two_machines, auth_proxy, tls_site, home, monkeypatch):  # noqa: F811
    from canhbao.core.posts import PostStore

    inner, outside, port = two_machines
    outside.route("/feed.xml", body=FEED.format(title="Tin bên ngoài", host="x"), content_type="application/rss+xml")
    tls_port = tls_site.server_address[1]
    urls = {"plain": f"http://mirror.test:{port}/feed.xml", "tls": f"https://mirror.test:{tls_port}/feed.xml"}
    with dns_server({"mirror.test": ["127.0.0.2"]}) as dns:
        report, log = _crawl(home, monkeypatch, dns, auth_proxy, PASSWORD, urls)
    by_name = {s.source: s for s in report.sources}
    assert by_name["plain"].posts_new == 1, by_name["plain"].errors
    assert by_name["tls"].posts_new == 1, by_name["tls"].errors
    assert f"GET http://mirror.test:{port}/feed.xml" in auth_proxy.requests
    assert f"CONNECT mirror.test:{tls_port}" in auth_proxy.requests
    assert auth_proxy.authorized and all(auth_proxy.authorized), auth_proxy.requests
    assert outside.hits("/feed.xml") and tls_site.hits("/feed.xml") and inner.requests == []
    assert outside.proxy_credentials == 0 and tls_site.proxy_credentials == 0  # not inside the tunnel either
    assert not leaks(log)
    assert _files_leak(home.root, PASSWORD) == []  # WARC, HTTP cache, raw store, post store, logs
    texts = [json.dumps(post.__dict__, default=str, ensure_ascii=False) for post in PostStore(home.posts_db).iter()]
    assert "Tin qua đường hầm" in " ".join(texts) and not any(leaks(t) for t in texts)


def test_scrapy_with_a_wrong_password_reports_the_request_not_a_crash(
    two_machines,  # noqa: F811
    auth_proxy,
    tls_site,
    home,
    monkeypatch,
):
    _inner, outside, port = two_machines
    tls_port = tls_site.server_address[1]
    urls = {"plain": f"http://mirror.test:{port}/feed.xml", "tls": f"https://mirror.test:{tls_port}/feed.xml"}
    with dns_server({"mirror.test": ["127.0.0.2"]}) as dns:
        report, log = _crawl(home, monkeypatch, dns, auth_proxy, WRONG, urls)
    name = auth_proxy.url.removeprefix("http://")
    for source in report.sources:
        assert source.posts_new == 0
        line = (
            f"{urls[source.source]}: fetch proxy {name}: authentication failed (407); check the credentials in ${VAR}"
        )
        assert line in source.errors, source.errors
    assert not any(auth_proxy.authorized) and outside.requests == [] and tls_site.requests == []
    assert not leaks(log, WRONG) and _files_leak(home.root, WRONG) == []


# --- Chromium through the guard proxy ---------------------------------------------------------------------


@pytest.mark.skipif(shutil.which(CERTUTIL) is None, reason="certutil (libnss3-tools) not installed")
def test_chromium_authenticates_through_the_guard_proxy(two_machines, auth_proxy, tls_site, monkeypatch, caplog):  # noqa: F811
    from canhbao.evidence.browser import Renderer

    inner, outside, port = two_machines
    tls_port = tls_site.server_address[1]
    with dns_server({"mirror.test": ["127.0.0.2"]}) as dns, caplog.at_level(logging.DEBUG):
        good = _policy(dns, auth_proxy, PASSWORD, monkeypatch)
        with Renderer() as renderer:
            plain = renderer.live(f"http://mirror.test:{port}/page.html", timeout_s=15, policy=good)
            secure = renderer.live(f"https://mirror.test:{tls_port}/page.html", timeout_s=15, policy=good)
            accepted = list(zip(auth_proxy.requests, auth_proxy.authorized, strict=False))
            bad = _policy(dns, auth_proxy, WRONG, monkeypatch)
            with pytest.raises(CanhbaoError) as plain_err:
                renderer.live(f"http://mirror.test:{port}/page.html?again", timeout_s=15, policy=bad)
            with pytest.raises(CanhbaoError) as tunnel_err:
                renderer.live(f"https://mirror.test:{tls_port}/page.html?again", timeout_s=15, policy=bad)
    assert plain.startswith(b"\x89PNG") and secure.startswith(b"\x89PNG")
    assert (f"GET http://mirror.test:{port}/page.html", True) in accepted
    assert (f"CONNECT mirror.test:{tls_port}", True) in accepted
    assert all(ok for _r, ok in accepted), accepted
    assert outside.hits("/page.html") and tls_site.hits("/page.html") and inner.requests == []
    assert outside.proxy_credentials == 0 and tls_site.proxy_credentials == 0  # Chromium never had them
    name = auth_proxy.url.removeprefix("http://")
    for err in (plain_err, tunnel_err):
        assert f"fetch proxy {name}: authentication failed (407)" in str(err.value), str(err.value)
        assert "\n" not in str(err.value) and not leaks(str(err.value), WRONG)
    assert not outside.hits("/page.html?again") and not tls_site.hits("/page.html?again")
    said = "\n".join(r.getMessage() for r in caplog.records)
    assert not leaks(said) and not leaks(said, WRONG)


def test_browser_capture_authenticates_through_the_guard_proxy(two_machines, auth_proxy, tls_site, home, monkeypatch):  # noqa: F811
    """Browser-mode collection (scrapy-playwright, as `capture --fetch browser` and `fetch: browser` sources
    run): the guard proxy authenticates; a 407 is the capture's one clear line, plain or tunnelled."""
    from canhbao.capture.url import capture_url
    from canhbao.core.errors import InputError

    _inner, outside, port = two_machines
    tls_port = tls_site.server_address[1]
    with dns_server({"mirror.test": ["127.0.0.2"]}) as dns:
        monkeypatch.setenv("CANHBAO_FETCH__ALLOW_PRIVATE", "false")
        monkeypatch.setenv("CANHBAO_FETCH__ALLOW", json.dumps(["127.0.0.2/32"]))
        monkeypatch.setenv("CANHBAO_FETCH__DNS_SERVER", dns.address)
        monkeypatch.setenv("CANHBAO_FETCH__PROXY", auth_proxy.url)
        monkeypatch.setenv("CANHBAO_FETCH__PROXY_AUTH_ENV", VAR)
        monkeypatch.setenv("CANHBAO_SOURCES__OBEY_ROBOTS", "false")
        monkeypatch.setenv(VAR, f"{USER}:{PASSWORD}")
        done = capture_url(home, f"http://mirror.test:{port}/page.html", fetch="browser", timeout_s=120)
        accepted = list(zip(auth_proxy.requests, auth_proxy.authorized, strict=False))
        monkeypatch.setenv(VAR, f"{USER}:{WRONG}")
        failed = []
        for url in (f"http://mirror.test:{port}/page.html?again", f"https://mirror.test:{tls_port}/page.html"):
            with pytest.raises(InputError) as err:
                capture_url(home, url, fetch="browser", timeout_s=120)
            failed.append(str(err.value))
    assert done.posts and (f"GET http://mirror.test:{port}/page.html", True) in accepted
    assert all(ok for r, ok in accepted if "mirror.test" in r), accepted
    assert outside.proxy_credentials == 0 and not outside.hits("/page.html?again") and not tls_site.hits("/page.html")
    name = auth_proxy.url.removeprefix("http://")
    for line in failed:
        assert f"fetch proxy {name}: authentication failed (407)" in line and "\n" not in line, line
        assert not leaks(line, WRONG)
    assert _files_leak(home.root, PASSWORD) == [] and _files_leak(home.root, WRONG) == []
