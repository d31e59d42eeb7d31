"""Kibana saved objects: validated structurally against the alert mapping, and imported through a small
HTTP server on 127.0.0.1 that checks the request as Kibana's saved objects API would."""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from canhbao.cli import main
from canhbao.index import documents, saved_objects

PROPS = documents.resource("alerts.json")["template"]["mappings"]["properties"]
AGGREGATABLE = {"keyword", "date", "float", "integer", "boolean"}
JSON_STRINGS = ("searchSourceJSON", "visState", "panelsJSON", "fieldFormatMap", "uiStateJSON", "optionsJSON",
                "sourceFilters")


def _json_strings(obj):
    """Every JSON-in-a-string attribute of a saved object, parsed."""
    out = {}
    attrs = obj["attributes"]
    for key in JSON_STRINGS:
        if key in attrs:
            out[key] = json.loads(attrs[key])
    meta = attrs.get("kibanaSavedObjectMeta", {})
    if "searchSourceJSON" in meta:
        out["searchSourceJSON"] = json.loads(meta["searchSourceJSON"])
    return out


def test_saved_objects_are_well_formed_and_references_resolve():
    objs = saved_objects.objects()
    ids = {(o["type"], o["id"]) for o in objs}
    assert len(ids) == len(objs)
    for o in objs:
        assert set(o) >= {"type", "id", "attributes", "references"} and o["attributes"]["title"]
        parsed = _json_strings(o)
        for ref in o["references"]:
            assert (ref["type"], ref["id"]) in ids, (o["id"], ref)
        source = parsed.get("searchSourceJSON", {})
        if "indexRefName" in source:
            assert source["indexRefName"] in {r["name"] for r in o["references"]}
        if "panelsJSON" in parsed:
            assert {p["panelRefName"] for p in parsed["panelsJSON"]} == {r["name"] for r in o["references"]}
    types = sorted(o["type"] for o in objs)
    assert types == ["dashboard", "index-pattern"] + ["search"] * 3 + ["visualization"] * 4


def test_data_view_formats_url_fields_as_links_and_uses_mapped_fields():
    (view,) = [o for o in saved_objects.objects(prefix="police") if o["type"] == "index-pattern"]
    assert view["attributes"]["title"] == "police-alerts-*"
    assert PROPS[view["attributes"]["timeFieldName"]]["type"] == "date"
    formats = json.loads(view["attributes"]["fieldFormatMap"])
    assert formats["post_url"]["id"] == "url" and formats["evidence_url"]["id"] == "url"
    assert set(formats) <= set(PROPS)


def test_saved_searches_match_the_shared_definitions():
    defs = {s["id"]: s for s in documents.resource("saved_searches.json")["searches"]}
    searches = {o["id"]: o for o in saved_objects.objects() if o["type"] == "search"}
    assert set(searches) == set(defs)
    for sid, obj in searches.items():
        kql = _json_strings(obj)["searchSourceJSON"]["query"]["query"]
        assert kql == defs[sid]["kql"]
        fields = dict(re.findall(r"(\w+):(\w+)", kql))
        for field, value in fields.items():
            assert PROPS[field]["type"] == "keyword" and value in defs[sid]["query"][field]
        sort = defs[sid]["query"]["sort"]
        assert obj["attributes"]["sort"] == [[sort.lstrip("-"), "desc" if sort.startswith("-") else "asc"]]
        assert set(obj["attributes"]["columns"]) <= set(PROPS)
    assert {s["title"] for s in defs.values()} == {"canhbao: open leaks", "canhbao: PII exposures",
                                                   "canhbao: fake news by score"}


def test_dashboard_visualizations_aggregate_on_aggregatable_fields():
    vis = {o["id"]: _json_strings(o)["visState"] for o in saved_objects.objects()
           if o["type"] == "visualization"}
    fields = {vid: [a["params"]["field"] for a in v["aggs"] if "field" in a["params"]]
              for vid, v in vis.items()}
    assert fields == {"canhbao-alerts-per-day-by-type": ["captured_at", "type"],
                      "canhbao-alerts-by-platform-source": ["platform", "source"],
                      "canhbao-top-matched-documents": ["document_number"],
                      "canhbao-open-vs-closed": ["status"]}
    for used in fields.values():
        assert all(PROPS[f]["type"] in AGGREGATABLE for f in used)


class FakeKibana(BaseHTTPRequestHandler):
    """Answers like Kibana's POST /api/saved_objects/_import and records what it was sent."""

    seen: list[dict] = []
    answer: tuple[int, dict] = (200, {})

    def do_POST(self):  # noqa: N802 - http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body)
        parts = {p.get_param("name", header="content-disposition"): p for p in msg.iter_parts()}
        url = urlparse(self.path)
        FakeKibana.seen.append({"path": url.path, "query": parse_qs(url.query),
                                "xsrf": self.headers.get("kbn-xsrf"),
                                "auth": self.headers.get("Authorization"),
                                "filename": parts["file"].get_filename(),
                                "file": parts["file"].get_content()})
        status, answer = FakeKibana.answer
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def kibana():
    FakeKibana.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeKibana)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_import_posts_the_ndjson_as_kibana_expects(kibana, config_dir, capsys, monkeypatch):
    n = len(saved_objects.objects())
    FakeKibana.answer = (200, {"success": True, "successCount": n})
    monkeypatch.setenv("CANHBAO_KIBANA_PASSWORD", "s3cret")
    assert main(["kibana", "import", "--url", kibana + "/", "--space", "police", "--username", "an"]) == 0
    assert f"imported {n} saved object(s)" in capsys.readouterr().out
    (req,) = FakeKibana.seen
    assert req["path"] == "/s/police/api/saved_objects/_import" and req["query"] == {"overwrite": ["true"]}
    assert req["xsrf"] and req["auth"] == "Basic " + base64.b64encode(b"an:s3cret").decode()
    assert req["filename"].endswith(".ndjson")
    sent = [json.loads(line) for line in req["file"].splitlines()]
    assert sent == saved_objects.objects()


def test_import_reports_refused_objects(kibana, config_dir, capsys, monkeypatch):
    monkeypatch.setenv("CANHBAO_KIBANA_API_KEY", "a2V5")
    FakeKibana.answer = (200, {"success": False, "successCount": 8, "errors": [
        {"id": "canhbao-overview", "type": "dashboard",
         "error": {"type": "missing_references", "references": [{"type": "visualization", "id": "x"}]}}]})
    assert main(["kibana", "import", "--url", kibana, "--no-overwrite"]) == 1
    out = capsys.readouterr()
    assert "canhbao: kibana: dashboard/canhbao-overview: missing references visualization/x" in out.err
    assert FakeKibana.seen[0]["auth"] == "ApiKey a2V5" and FakeKibana.seen[0]["query"] == {}


def test_import_errors_are_one_line(kibana, config_dir, capsys):
    FakeKibana.answer = (401, {"statusCode": 401, "error": "Unauthorized",
                               "message": "missing authentication"})
    assert main(["kibana", "import", "--url", kibana]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "HTTP 401 missing authentication" in err
    assert main(["kibana", "import", "--url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unreachable" in err


def test_objects_prints_the_bundle(config_dir, capsysbinary):
    assert main(["kibana", "objects"]) == 0
    lines = capsysbinary.readouterr().out.decode().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [o["id"] for o in saved_objects.objects()]
