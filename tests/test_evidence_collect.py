"""Copying a post's records out of a crawler's WARC (gzipped or not), byte for byte, and indexing them."""

from __future__ import annotations

import io
import json

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from canhbao.evidence import wacz
from canhbao.evidence.collect import _records

FEED3 = b"<html>feed three: the post</html>"
PAGES = [
    ("http://site/feed?page=1", b"<html>feed one</html>"),
    ("http://site/p/2", b"<html>post two</html>"),
    ("http://site/feed?page=3", FEED3),
    ("http://site/img/4.png", b"\x89PNG4"),
]
GET = b"GET / HTTP/1.1\r\n\r\n"


def write(path, gz):
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=gz)
        for url, body in PAGES:
            ctype = "image/png" if url.endswith(".png") else "text/html"
            http = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "request", payload=io.BytesIO(GET), length=len(GET)))
            w.write_record(
                w.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http)
            )


@pytest.mark.parametrize("gz", [False, True])
def test_records_by_url_and_by_captured_html(tmp_path, gz):
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    write(path, gz)
    # The post's own URL was never fetched: its raw HTML is the feed page 3, found by content.
    data, uris, resources, page = _records(path, {"http://site/img/4.png"}, FEED3)
    assert set(uris) == {"http://site/feed?page=3", "http://site/img/4.png"}
    assert page == ("http://site/feed?page=3", FEED3)
    got = [
        (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
        for r in ArchiveIterator(io.BytesIO(data))
    ]
    feed, img = "http://site/feed?page=3", "http://site/img/4.png"
    assert [g[:2] for g in got] == [("request", feed), ("response", feed), ("request", img), ("response", img)]
    assert got[3][2] == b"\x89PNG4" and resources["http://site/img/4.png"] == ("image/png", b"\x89PNG4")
    for line in wacz.index("data.warc", data):  # every CDXJ offset/length frames exactly one record
        fields = json.loads(line.split(" ", 2)[2])
        start, length = int(fields["offset"]), int(fields["length"])
        records = list(ArchiveIterator(io.BytesIO(data[start : start + length])))
        assert [r.rec_headers.get_header("WARC-Target-URI") for r in records] == [fields["url"]]


@pytest.mark.parametrize(
    "url, key",
    [
        # The keys cdxj-indexer / pywb / ReplayWeb.page use (the `surt` package's rules), written out here
        # by hand: query arguments sorted and lower-cased, non-ASCII paths percent-encoded, IPs reversed too.
        ("https://www.Facebook.com/Page/posts/1?x=1", "com,facebook)/page/posts/1?x=1"),
        ("http://127.0.0.1:8080/p", "1,0,0,127:8080)/p"),
        ("https://t.me/s/kenh", "me,t)/s/kenh"),
        ("https://m.facebook.com/story.php?story_fbid=1&id=2", "com,facebook,m)/story.php?id=2&story_fbid=1"),
        ("https://example.com/a?B=2&a=1", "com,example)/a?a=1&b=2"),
        ("https://vnexpress.net/tin-giả/bài-viết", "net,vnexpress)/tin-gi%e1%ba%a3/b%c3%a0i-vi%e1%ba%bft"),
        ("https://zalo.me/oa/123#frag", "me,zalo)/oa/123"),
    ],
)
def test_surt_keys_are_the_reference_ones(url, key):
    assert wacz.surt(url) == key
