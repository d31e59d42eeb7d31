"""Proxies and the fetch policy: a proxy resolves the target itself, past the connect-time check, so
collection never uses one from the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY) and uses only the one
set as `proxy` in config/fetch.yaml, at the address its name had when it was pinned. On every path (the
thin urllib client, Scrapy, Chromium for live views and browser crawls) with a real forward proxy on
127.0.0.1 (canhbao.testing.forward_proxy) that logs what it is asked:

- with proxies in the environment, the proxy is asked nothing, the fetch goes direct and is vetted at
  connect time (a rebinding name is still refused, the internal server never asked);
- with `proxy` set, the fetch goes through it, and an internal target is refused before it is asked;
- a configured proxy is trusted to resolve: whatever it makes of a name is what is reached (documented).
"""

from __future__ import annotations

import io
import json
import logging

import pytest
from test_fetch_rebinding import FAST, FEED, PUBLIC, SECRET
from warcio.archiveiterator import ArchiveIterator

from canhbao.net import policy as policy_mod
from canhbao.net.http import get
from canhbao.net.policy import FetchPolicy
from canhbao.testing.dns_server import dns_server
from canhbao.testing.forward_proxy import forward_proxy
from canhbao.testing.sample_server import two_machines as machines

ENV_NAMES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture
def two_machines(tmp_path):
    with machines(tmp_path, SECRET, "trang ngoài") as pair:
        yield pair


@pytest.fixture
def env_proxy(monkeypatch):
    """A real forward proxy named in every proxy variable of the environment. It sends the test names
    where the hostile DNS finally points (loopback), so a client that used it would reach the inner server."""
    with forward_proxy({"rebind.test": "127.0.0.1", "mirror.test": "127.0.0.2"}) as proxy:
        for name in ENV_NAMES:
            monkeypatch.setenv(name, proxy.url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        yield proxy


@pytest.fixture
def site_proxy():
    """The operator's proxy (`proxy` in the policy); it resolves mirror.test to the permitted machine."""
    with forward_proxy({"mirror.test": "127.0.0.2"}) as proxy:
        yield proxy


# --- the thin client (evidence live view, takedown checks, media of imports) ------------------------------


def test_thin_client_ignores_environment_proxies(two_machines, env_proxy):
    inner, outside, port = two_machines
    with dns_server({"rebind.test": [PUBLIC, "127.0.0.1"], "mirror.test": ["127.0.0.2"]}) as dns:
        refused = get(f"http://rebind.test:{port}/page.html", FetchPolicy(dns_server=dns.address), user_agent="t")
        allowed = FetchPolicy(dns_server=dns.address, allow=("127.0.0.2/32",))
        direct = get(f"http://mirror.test:{port}/page.html", allowed, user_agent="t")
        assert dns.asked["rebind.test"] == [PUBLIC, "127.0.0.1"]  # vetted at connect time, not left to a proxy
    assert refused.refused and "resolves to 127.0.0.1, a loopback address" in refused.error
    assert direct.status == 200 and "trang ngoài" in direct.body.decode(), direct.error
    assert env_proxy.requests == [] and inner.requests == [] and outside.hosts == [f"mirror.test:{port}"]
    ips = {r.rec_headers.get_header("WARC-IP-Address") for r in ArchiveIterator(io.BytesIO(direct.warc))}
    assert ips == {"127.0.0.2"}  # connected to the site, not to a proxy


def test_loading_the_policy_says_an_environment_proxy_is_ignored(env_proxy, monkeypatch, caplog):
    monkeypatch.setattr(policy_mod, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="canhbao.net.policy"):
        policy_mod.load()
        policy_mod.load()
    said = [r.getMessage() for r in caplog.records if "ignored for collection" in r.getMessage()]
    assert len(said) == 1 and "HTTPS_PROXY" in said[0] and "directly" in said[0], said


def test_thin_client_goes_through_the_configured_proxy(two_machines, site_proxy, tmp_path, monkeypatch):
    from canhbao.testing.sample_server import serve
    from canhbao.testing.tls_ca import make_ca

    inner, outside, port = two_machines
    ca = make_ca(tmp_path / "ca")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file))
    (tmp_path / "tls").mkdir()
    (tmp_path / "tls" / "page.html").write_text("<p>qua proxy TLS</p>")
    with (
        dns_server({"mirror.test": ["127.0.0.2"]}) as dns,
        serve(tmp_path / "tls", host="127.0.0.2", tls=ca.server_context("mirror.test")) as tls_site,
    ):
        policy = FetchPolicy(dns_server=dns.address, allow=("127.0.0.2/32",), proxy=site_proxy.url, timeout_s=10)
        plain = get(f"http://mirror.test:{port}/page.html", policy, user_agent="t")
        tls_port = tls_site.server_address[1]
        secure = get(f"https://mirror.test:{tls_port}/page.html", policy, user_agent="t")
    assert plain.status == 200 and "trang ngoài" in plain.body.decode(), plain.error
    assert secure.status == 200 and secure.body == b"<p>qua proxy TLS</p>", secure.error
    assert site_proxy.requests == [f"GET http://mirror.test:{port}/page.html", f"CONNECT mirror.test:{tls_port}"]
    assert secure.tls and secure.tls[0].host == "mirror.test"  # TLS end to end, checked against the name
    assert outside.hosts == [f"mirror.test:{port}"] and tls_site.hits("/page.html") and inner.requests == []
    proxy_hosts = {r.rec_headers.get_header("WARC-Proxy-Host") for r in ArchiveIterator(io.BytesIO(plain.warc))}
    assert proxy_hosts == {site_proxy.url}  # the WARC says the exchange went through the proxy


def test_an_internal_target_is_refused_before_the_configured_proxy_is_asked(two_machines, site_proxy):
    inner, _outside, port = two_machines
    with dns_server({"inner.test": ["127.0.0.1"]}) as dns:
        policy = FetchPolicy(dns_server=dns.address, proxy=site_proxy.url)
        by_ip = get(f"http://127.0.0.1:{port}/page.html", policy, user_agent="t")
        by_name = get(f"http://inner.test:{port}/page.html", policy, user_agent="t")
        by_scheme = get("file:///etc/passwd", policy, user_agent="t")
    assert by_ip.refused and "127.0.0.1 is a loopback address" in by_ip.error
    assert by_name.refused and "inner.test resolves to 127.0.0.1" in by_name.error
    assert by_scheme.refused and "scheme 'file'" in by_scheme.error
    assert site_proxy.requests == [] and inner.requests == []


def test_a_configured_proxy_is_trusted_to_resolve_the_target(two_machines):
    """The documented limit: with `proxy` set, the early check sees the name public and the proxy decides
    where it goes. A proxy that resolves it to an internal address takes the request there."""
    inner, _outside, port = two_machines
    with forward_proxy({"rebind.test": "127.0.0.1"}) as proxy, dns_server({"rebind.test": [PUBLIC]}) as dns:
        got = get(
            f"http://rebind.test:{port}/page.html", FetchPolicy(dns_server=dns.address, proxy=proxy.url), user_agent="t"
        )
    assert proxy.requests == [f"GET http://rebind.test:{port}/page.html"]
    assert got.status == 200 and SECRET in got.body.decode() and inner.hits("/page.html")


def test_the_proxy_setting_is_validated_and_pinned():
    from canhbao.core.config import build
    from canhbao.core.errors import ConfigError

    for bad in ("socks5://127.0.0.1:1080", "http://user:pw@127.0.0.1:3128", "http://127.0.0.1", "http://p:3128/x"):
        with pytest.raises(ConfigError):
            build(FetchPolicy, {"proxy": bad}, where="fetch.yaml")
    with dns_server({"proxy.test": ["10.1.2.3", "127.0.0.1"], "meta.test": ["169.254.169.254"]}) as dns:
        pinned = policy_mod.upstream(FetchPolicy(dns_server=dns.address, proxy="http://proxy.test:3128"))
        again = policy_mod.upstream(FetchPolicy(dns_server=dns.address, proxy="http://proxy.test:3128"))
        assert pinned is not None and pinned.url == "http://10.1.2.3:3128" and again == pinned
        assert dns.asked["proxy.test"] == ["10.1.2.3"]  # resolved once, then the pinned address is used
        with pytest.raises(policy_mod.Refused) as err:
            policy_mod.upstream(FetchPolicy(dns_server=dns.address, proxy="http://meta.test:80"))
    assert "169.254.169.254, a link-local address" in str(err.value)


# --- Scrapy --------------------------------------------------------------------------------------------


def _crawl_feed(home, monkeypatch, dns, host: str, allow: tuple[str, ...] = (), proxy: str = ""):
    from canhbao.crawlers.runner import run_crawl
    from canhbao.crawlers.settings import from_mapping

    monkeypatch.setenv("CANHBAO_FETCH__ALLOW_PRIVATE", "false")
    monkeypatch.setenv("CANHBAO_FETCH__ALLOW", json.dumps(list(allow)))
    monkeypatch.setenv("CANHBAO_FETCH__DNS_SERVER", dns.address)
    monkeypatch.setenv("CANHBAO_FETCH__PROXY", proxy)
    source = {"type": "news", "url": f"http://{host}/feed.xml", "follow_articles": False}
    cfg = from_mapping({"sources": {"feed": source}, **FAST})
    report = run_crawl(home, ["feed"], settings=cfg, timeout_s=120)
    return report, (home.root / report.log).read_text(encoding="utf-8")


def test_scrapy_ignores_environment_proxies(two_machines, env_proxy, home, monkeypatch):
    inner, outside, port = two_machines
    inner.route("/feed.xml", body=FEED.format(title=SECRET, host="x"), content_type="application/rss+xml")
    outside.route("/feed.xml", body=FEED.format(title="Tin bên ngoài", host="x"), content_type="application/rss+xml")
    with dns_server({"rebind.test": [PUBLIC, "127.0.0.1"], "mirror.test": ["127.0.0.2"]}) as dns:
        rebound, log = _crawl_feed(home, monkeypatch, dns, f"rebind.test:{port}")
        assert dns.asked["rebind.test"][:2] == [PUBLIC, "127.0.0.1"]  # the check, then the connection
        direct, _ = _crawl_feed(home, monkeypatch, dns, f"mirror.test:{port}", allow=("127.0.0.2/32",))
    assert env_proxy.requests == [] and inner.requests == []
    assert any("refused by the fetch policy at connection" in e for e in rebound.sources[0].errors)
    assert direct.sources[0].posts_new == 1, direct.sources[0].errors
    assert outside.hits("/feed.xml") and set(outside.hosts) == {f"mirror.test:{port}"}
    assert "ignored for collection" in log  # the operator is told, in the crawl's log


def test_scrapy_goes_through_the_configured_proxy_only(two_machines, env_proxy, site_proxy, home, monkeypatch):
    inner, outside, port = two_machines
    inner.route("/feed.xml", body=FEED.format(title=SECRET, host="x"), content_type="application/rss+xml")
    outside.route("/feed.xml", body=FEED.format(title="Tin bên ngoài", host="x"), content_type="application/rss+xml")
    with dns_server({"mirror.test": ["127.0.0.2"], "inner.test": ["127.0.0.1"]}) as dns:
        through, _ = _crawl_feed(home, monkeypatch, dns, f"mirror.test:{port}", ("127.0.0.2/32",), site_proxy.url)
        internal, _ = _crawl_feed(home, monkeypatch, dns, f"inner.test:{port}", (), site_proxy.url)
    assert through.sources[0].posts_new == 1, through.sources[0].errors
    assert site_proxy.requests == [f"GET http://mirror.test:{port}/feed.xml"] and env_proxy.requests == []
    assert outside.hits("/feed.xml") and inner.requests == []
    assert internal.sources[0].posts_new == 0
    assert any("inner.test resolves to 127.0.0.1" in e for e in internal.sources[0].errors), internal.sources[0].errors


# --- Chromium (evidence live view; browser-mode crawls and captures) ---------------------------------------


def test_chromium_live_view_uses_the_guard_proxy_and_the_configured_one_only(two_machines, env_proxy, site_proxy):
    from canhbao.core.errors import CanhbaoError
    from canhbao.evidence.browser import Renderer

    inner, outside, port = two_machines
    with dns_server({"mirror.test": ["127.0.0.2"], "rebind.test": [PUBLIC, PUBLIC, "127.0.0.1"]}) as dns:
        direct = FetchPolicy(dns_server=dns.address, allow=("127.0.0.2/32",))
        with Renderer() as renderer:
            png = renderer.live(f"http://mirror.test:{port}/page.html", timeout_s=15, policy=direct)
            assert env_proxy.requests == [] and site_proxy.requests == []
            with pytest.raises(CanhbaoError) as err:  # still vetted where Chromium connects
                renderer.live(f"http://rebind.test:{port}/page.html", timeout_s=15, policy=direct)
            proxied = FetchPolicy(dns_server=dns.address, allow=("127.0.0.2/32",), proxy=site_proxy.url)
            png2 = renderer.live(f"http://mirror.test:{port}/page.html?via=proxy", timeout_s=15, policy=proxied)
            with pytest.raises(CanhbaoError) as internal:
                renderer.live(f"http://127.0.0.1:{port}/page.html", timeout_s=15, policy=proxied)
    assert png.startswith(b"\x89PNG") and png2.startswith(b"\x89PNG")
    assert "loopback" in str(err.value) and "loopback" in str(internal.value)
    assert env_proxy.requests == [] and inner.requests == []
    assert f"GET http://mirror.test:{port}/page.html?via=proxy" in site_proxy.requests
    # the pages only: Chromium's own background requests never leave the guard proxy (docs/sources.md)
    assert all("mirror.test" in r for r in site_proxy.requests), site_proxy.requests
    assert outside.hits("/page.html?via=proxy")


def test_browser_capture_uses_the_configured_proxy_never_the_environment(
    two_machines, env_proxy, site_proxy, home, monkeypatch, capsys
):
    from canhbao.cli import main

    inner, outside, port = two_machines
    with dns_server({"mirror.test": ["127.0.0.2"]}) as dns:
        monkeypatch.setenv("CANHBAO_FETCH__ALLOW_PRIVATE", "false")
        monkeypatch.setenv("CANHBAO_FETCH__ALLOW", json.dumps(["127.0.0.2/32"]))
        monkeypatch.setenv("CANHBAO_FETCH__DNS_SERVER", dns.address)
        monkeypatch.setenv("CANHBAO_FETCH__PROXY", site_proxy.url)
        monkeypatch.setenv("CANHBAO_SOURCES__OBEY_ROBOTS", "false")
        url = f"http://mirror.test:{port}/page.html"
        code = main(["--home", str(home.root), "capture", url, "--fetch", "browser"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert f"GET {url}" in site_proxy.requests and env_proxy.requests == []
    assert outside.hits("/page.html") and inner.requests == []
