"""The one fetch policy (canhbao.net.policy): what it refuses, and the thin HTTP client obeying it
against real servers on 127.0.0.1 (redirect to loopback, huge and slow responses)."""

from __future__ import annotations

import pytest

from canhbao.net.http import get
from canhbao.net.policy import FetchPolicy, Refused, check
from canhbao.testing.sample_server import serve

DENY = FetchPolicy()


@pytest.mark.parametrize(
    "url, why",
    [
        ("file:///etc/passwd", "scheme 'file'"),
        ("ftp://example.org/x", "scheme 'ftp'"),
        ("data:text/html,<p>x</p>", "scheme 'data'"),
        ("s3://bucket/key", "scheme 's3'"),
        ("http://127.0.0.1:8080/admin", "loopback"),
        ("http://localhost/", "localhost resolves to 127.0.0.1, a loopback"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://10.1.2.3/", "private"),
        ("http://192.168.0.1/router", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://224.0.0.251/", "multicast"),
        ("http://0.0.0.0:9200/", "unspecified"),
        ("http:///nohost", "no host"),
    ],
)
def test_refused(url, why):
    with pytest.raises(Refused) as err:
        check(url, DENY)
    assert why in str(err.value) and "refused by the fetch policy" in str(err.value)
    assert "\n" not in str(err.value)


def test_allowed_by_setting():
    check("http://127.0.0.1:8080/x", FetchPolicy(allow_private=True))
    check("http://127.0.0.1:8080/x", FetchPolicy(allow=("127.0.0.1:8080",)))
    check("http://10.20.3.4/x", FetchPolicy(allow=("10.20.0.0/16",)))
    with pytest.raises(Refused):  # the exception names one port, not the whole host
        check("http://127.0.0.1:8081/x", FetchPolicy(allow=("127.0.0.1:8080",)))
    with pytest.raises(Refused):  # allowing private addresses never allows other schemes
        check("file:///etc/passwd", FetchPolicy(allow_private=True))


def test_bad_allow_entry_is_a_config_error(config_dir):
    from canhbao.core.errors import ConfigError
    from canhbao.net.policy import load

    (config_dir / "fetch.yaml").write_text("allow: ['10.0.0.0/33']\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load()
    assert "fetch.yaml" in str(err.value) and "10.0.0.0/33" in str(err.value)


@pytest.fixture
def two_servers(tmp_path):
    """`site` is allowed by the policy; `inner` plays an internal service that must never be reached."""
    (tmp_path / "site").mkdir()
    (tmp_path / "inner").mkdir()
    (tmp_path / "site" / "ok.html").write_text("<p>bình thường</p>", encoding="utf-8")
    (tmp_path / "inner" / "secret.html").write_text("<p>INTERNAL-SECRET</p>", encoding="utf-8")
    with serve(tmp_path / "site") as site, serve(tmp_path / "inner") as inner:
        policy = FetchPolicy(allow=(f"127.0.0.1:{site.server_address[1]}",), max_bytes=100_000, timeout_s=1)
        yield site, inner, policy


def test_redirect_to_loopback_is_refused_before_it_is_requested(two_servers):
    site, inner, policy = two_servers
    site.route("/go", status=302, headers={"Location": f"{inner.base_url}/secret.html"})
    site.route("/go-name", status=301, headers={"Location": f"http://localhost:{inner.server_address[1]}/secret.html"})
    for path in ("/go", "/go-name"):
        got = get(site.base_url + path, policy, user_agent="t")
        assert got.status == 0 and got.refused and "loopback" in got.error
        assert b"INTERNAL-SECRET" not in got.body and b"INTERNAL-SECRET" not in got.warc
    assert inner.requests == []  # never reached
    ok = get(site.base_url + "/ok.html", policy, user_agent="t")
    assert ok.status == 200 and "bình thường" in ok.body.decode() and ok.warc[:2] == b"\x1f\x8b"


def test_huge_and_slow_responses_are_cut_off(two_servers):
    site, _inner, policy = two_servers
    site.route("/huge", body=b"x" * 300_000)  # declared Content-Length over the limit
    huge = get(site.base_url + "/huge", policy, user_agent="t")
    assert huge.status == 0 and "larger than the limit of 100000 bytes" in huge.error and huge.body == b""
    site.route("/slow", body=b"late", delay_s=2.5)
    slow = get(site.base_url + "/slow", policy, user_agent="t")
    assert slow.status == 0 and slow.error  # timed out after timeout_s, not 5 s


def test_file_url_is_an_answer_not_a_crash():
    got = get("file:///etc/passwd", DENY, user_agent="t")
    assert got.status == 0 and got.refused and got.body == b"" and "scheme 'file'" in got.error
