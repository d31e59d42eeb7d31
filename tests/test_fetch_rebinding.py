"""DNS rebinding: a real DNS server on 127.0.0.1 (canhbao.testing.dns_server, the policy's `dns_server`)
answers a public address when a name is checked and loopback afterwards. Every outbound path must then
refuse, or go to the address it checked, and never reach the internal server on 127.0.0.1:
the thin HTTP client (evidence live view, takedown checks, import media), Scrapy downloads and Chromium.

A public address cannot be connected to here, so where a fetch must *succeed* on the checked address, the
"outside" server is 127.0.0.2 (allowed by a CIDR setting) and the internal one 127.0.0.1, on the same port.
"""

from __future__ import annotations

import io
import json

import pytest
from warcio.archiveiterator import ArchiveIterator

from canhbao.net.http import get
from canhbao.net.policy import FetchPolicy, Refused, vet
from canhbao.testing.dns_server import dns_server
from canhbao.testing.sample_server import two_machines as machines

PUBLIC = "93.184.215.14"  # a globally routed address: what the hostile DNS answers first
SECRET = "INTERNAL-ONLY-4471"


@pytest.fixture
def two_machines(tmp_path):
    """`inner` on 127.0.0.1:P plays an internal service; `outside` on 127.0.0.2:P a permitted one."""
    with machines(tmp_path, SECRET, "trang ngoài") as pair:
        yield pair


def test_vet_resolves_through_the_configured_server():
    with dns_server({"a.test": [PUBLIC, "127.0.0.1"]}) as dns:
        policy = FetchPolicy(dns_server=dns.address)
        assert [str(ip) for ip in vet("a.test", 80, policy)] == [PUBLIC]
        with pytest.raises(Refused) as err:
            vet("a.test", 80, policy)
        assert "a.test resolves to 127.0.0.1, a loopback address" in str(err.value)
        assert dns.asked["a.test"] == [PUBLIC, "127.0.0.1"]


def test_thin_client_refuses_a_name_that_rebinds_to_loopback(two_machines):
    inner, _outside, port = two_machines
    with dns_server({"rebind.test": [PUBLIC, "127.0.0.1"]}) as dns:
        got = get(f"http://rebind.test:{port}/page.html", FetchPolicy(dns_server=dns.address), user_agent="t")
        assert dns.asked["rebind.test"] == [PUBLIC, "127.0.0.1"]  # checked public, loopback at connect
    assert got.status == 0 and got.refused and "resolves to 127.0.0.1, a loopback address" in got.error
    assert inner.requests == [] and SECRET.encode() not in got.body + got.warc


def test_thin_client_connects_to_the_address_it_vetted(two_machines):
    inner, outside, port = two_machines
    policy_of = lambda dns: FetchPolicy(dns_server=dns.address, allow=("127.0.0.2/32",))  # noqa: E731
    with dns_server({"mirror.test": ["127.0.0.2"]}) as dns:
        got = get(f"http://mirror.test:{port}/page.html", policy_of(dns), user_agent="t")
    assert got.status == 200 and "trang ngoài" in got.body.decode(), got.error
    assert outside.hosts == [f"mirror.test:{port}"] and inner.requests == []  # Host is the name, not the IP
    ips = {r.rec_headers.get_header("WARC-IP-Address") for r in ArchiveIterator(io.BytesIO(got.warc))}
    assert ips == {"127.0.0.2"}
    with dns_server({"mirror.test": ["127.0.0.2", "127.0.0.1"]}) as dns:  # allowed at the check, then not
        again = get(f"http://mirror.test:{port}/page.html", policy_of(dns), user_agent="t")
    assert again.refused and "127.0.0.1, a loopback address" in again.error and inner.requests == []


def test_a_name_that_only_resolves_at_connect_time_is_not_followed(two_machines):
    """Unresolvable at the check (nothing to refuse), loopback at the connection: refused there."""
    inner, _outside, port = two_machines
    with dns_server({"late.test": ["", "127.0.0.1"]}) as dns:
        got = get(f"http://late.test:{port}/page.html", FetchPolicy(dns_server=dns.address), user_agent="t")
        assert dns.asked["late.test"] == ["", "127.0.0.1"]
    assert got.status == 0 and got.refused and "loopback" in got.error and inner.requests == []


FAST = {"download_delay": 0, "autothrottle": False, "retry_times": 0, "obey_robots": False}
FEED = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
    "<item><title>{title}</title><link>http://{host}/a.html</link><description>{title}</description>"
    "<pubDate>Mon, 30 Nov 2026 08:00:00 +0700</pubDate></item></channel></rss>"
)


def _crawl_feed(home, monkeypatch, dns, host: str, allow: tuple[str, ...] = ()):
    from canhbao.crawlers.runner import run_crawl
    from canhbao.crawlers.settings import from_mapping

    monkeypatch.setenv("CANHBAO_FETCH__ALLOW_PRIVATE", "false")
    monkeypatch.setenv("CANHBAO_FETCH__ALLOW", json.dumps(list(allow)))
    monkeypatch.setenv("CANHBAO_FETCH__DNS_SERVER", dns.address)
    source = {"type": "news", "url": f"http://{host}/feed.xml", "follow_articles": False}
    cfg = from_mapping({"sources": {"feed": source}, **FAST})
    return run_crawl(home, ["feed"], settings=cfg, timeout_s=120)


def test_scrapy_refuses_the_loopback_answer_at_connect_time(two_machines, home, monkeypatch):
    inner, _outside, port = two_machines
    inner.route("/feed.xml", body=FEED.format(title=SECRET, host="x"), content_type="application/rss+xml")
    with dns_server({"rebind.test": [PUBLIC, "127.0.0.1"]}) as dns:
        report = _crawl_feed(home, monkeypatch, dns, f"rebind.test:{port}")
        assert dns.asked["rebind.test"][:2] == [PUBLIC, "127.0.0.1"]  # the check, then the connection
    assert inner.requests == []
    (health,) = report.sources
    assert health.posts_new == 0
    assert any("refused by the fetch policy at connection" in e and "loopback" in e for e in health.errors), (
        health.errors
    )


def test_scrapy_connects_to_the_vetted_address_with_the_name_as_host(two_machines, home, monkeypatch):
    inner, outside, port = two_machines
    outside.route("/feed.xml", body=FEED.format(title="Tin bên ngoài", host="x"), content_type="application/rss+xml")
    with dns_server({"mirror.test": ["127.0.0.2"]}) as dns:
        report = _crawl_feed(home, monkeypatch, dns, f"mirror.test:{port}", allow=("127.0.0.2/32",))
    (health,) = report.sources
    assert health.posts_new == 1, health.errors
    assert outside.hits("/feed.xml") and set(outside.hosts) == {f"mirror.test:{port}"} and inner.requests == []


def test_chromium_live_view_never_reaches_the_rebound_address(two_machines):
    """The route guard checks the name (public), the guard proxy Chromium connects through resolves it
    again (loopback) and refuses: no screenshot, the internal server never asked."""
    from canhbao.core.errors import CanhbaoError
    from canhbao.evidence.browser import Renderer

    inner, outside, port = two_machines
    with dns_server({"rebind.test": [PUBLIC, PUBLIC, "127.0.0.1"]}) as dns, Renderer() as renderer:
        with pytest.raises(CanhbaoError) as err:
            renderer.live(
                f"http://rebind.test:{port}/page.html", timeout_s=10, policy=FetchPolicy(dns_server=dns.address)
            )
        assert dns.asked["rebind.test"] == [PUBLIC, PUBLIC, "127.0.0.1"]  # check, route guard, proxy
        assert "refused by the fetch policy" in str(err.value) and "loopback" in str(err.value)
        # the same browser, a name that stays on the permitted address: rendered, from 127.0.0.2
        allowed = FetchPolicy(dns_server=dns.address, allow=("127.0.0.2/32",))
        dns.script["mirror.test"] = ["127.0.0.2"]
        png = renderer.live(f"http://mirror.test:{port}/page.html", timeout_s=10, policy=allowed)
    assert png.startswith(b"\x89PNG") and outside.hits("/page.html") and f"mirror.test:{port}" in outside.hosts
    assert inner.requests == []


def test_browser_capture_never_reaches_the_rebound_address(two_machines, home, monkeypatch, capsys):
    """`capture --fetch browser` (scrapy-playwright): every check before the connection sees the public
    address; Chromium's connection, through the guard proxy, sees loopback and is refused."""
    from canhbao.cli import main

    inner, _outside, port = two_machines
    checks = 3  # capture's own check, the downloader middleware, the browser's route guard
    with dns_server({"rebind.test": [PUBLIC] * checks + ["127.0.0.1"]}) as dns:
        monkeypatch.setenv("CANHBAO_FETCH__ALLOW_PRIVATE", "false")
        monkeypatch.setenv("CANHBAO_FETCH__DNS_SERVER", dns.address)
        monkeypatch.setenv("CANHBAO_SOURCES__OBEY_ROBOTS", "false")
        code = main(["--home", str(home.root), "capture", f"http://rebind.test:{port}/page.html", "--fetch", "browser"])
        asked = dns.asked["rebind.test"]
    err = capsys.readouterr().err
    assert code != 0 and inner.requests == []
    assert asked[: checks + 1] == [PUBLIC] * checks + ["127.0.0.1"]
    assert "refused by the fetch policy at connection" in err and "loopback" in err, err


def test_https_to_the_vetted_address_still_checks_the_certificate_against_the_name(tmp_path, monkeypatch):
    """The connection goes to the vetted IP; SNI and the certificate check use the name: a certificate for
    `tls.rebind.test` is accepted under that name and refused under another name on the same address."""
    from canhbao.testing.sample_server import serve as serve_site
    from canhbao.testing.tls_ca import make_ca

    ca = make_ca(tmp_path / "ca", "rebinding test root")
    ctx = ca.server_context("tls.rebind.test")
    seen_sni: list[str] = []
    ctx.sni_callback = lambda sock, server_name, _ctx: seen_sni.append(server_name or "")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<p>qua TLS</p>")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file))
    with serve_site(tmp_path / "site", host="127.0.0.2", tls=ctx) as server:
        port = server.server_address[1]
        with dns_server({"tls.rebind.test": ["127.0.0.2"], "other.test": ["127.0.0.2"]}) as dns:
            policy = FetchPolicy(dns_server=dns.address, allow=("127.0.0.2/32",), timeout_s=5)
            ok = get(f"https://tls.rebind.test:{port}/", policy, user_agent="t")
            wrong = get(f"https://other.test:{port}/", policy, user_agent="t")
    assert ok.status == 200 and ok.body == b"<p>qua TLS</p>", ok.error
    assert ok.tls and ok.tls[0].host == "tls.rebind.test" and "tls.rebind.test" in seen_sni
    assert wrong.status == 0 and "CERTIFICATE_VERIFY_FAILED" in wrong.error  # the name, not the IP, is checked
