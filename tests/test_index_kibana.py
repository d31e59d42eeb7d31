"""Kibana saved objects: validated structurally against the alert mapping, and imported through a small
HTTP server on 127.0.0.1 that checks the request as Kibana's saved objects API would."""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import re
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

import pytest

from canhbao.cli import main
from canhbao.index import documents, saved_objects
from canhbao.testing.local_http import LocalServer

PROPS = documents.resource("alerts.json")["template"]["mappings"]["properties"]
AGGREGATABLE = {"keyword", "date", "float", "integer", "boolean"}
JSON_STRINGS = (
    "searchSourceJSON",
    "visState",
    "panelsJSON",
    "fieldFormatMap",
    "uiStateJSON",
    "optionsJSON",
    "sourceFilters",
)


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
    assert {s["title"] for s in defs.values()} == {
        "canhbao: open leaks",
        "canhbao: PII exposures",
        "canhbao: fake news by score",
    }
    assert {o["attributes"]["title"] for o in searches.values()} == {
        "Lộ văn bản — đang mở",
        "Lộ thông tin bệnh nhân",
        "Tin giả — điểm cao trước",
    }  # Vietnamese in Kibana


def test_dashboard_visualizations_aggregate_on_aggregatable_fields():
    vis = {o["id"]: _json_strings(o)["visState"] for o in saved_objects.objects() if o["type"] == "visualization"}
    fields = {vid: [a["params"]["field"] for a in v["aggs"] if "field" in a["params"]] for vid, v in vis.items()}
    assert fields == {
        "canhbao-alerts-per-day-by-type": ["captured_at", "type"],
        "canhbao-alerts-by-platform-source": ["platform", "source"],
        "canhbao-top-matched-documents": ["document_number"],
        "canhbao-open-vs-closed": ["status"],
    }
    for used in fields.values():
        assert all(PROPS[f]["type"] in AGGREGATABLE for f in used)


class FakeKibana(BaseHTTPRequestHandler):
    """Answers like Kibana's POST /api/saved_objects/_import and records what it was sent."""

    seen: list[dict] = []
    answer: tuple[int, dict] = (200, {})

    def do_POST(self):  # noqa: N802 - http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body
        )
        parts = {p.get_param("name", header="content-disposition"): p for p in msg.iter_parts()}
        url = urlparse(self.path)
        FakeKibana.seen.append(
            {
                "path": url.path,
                "query": parse_qs(url.query),
                "xsrf": self.headers.get("kbn-xsrf"),
                "osd_xsrf": self.headers.get("osd-xsrf"),
                "auth": self.headers.get("Authorization"),
                "filename": parts["file"].get_filename(),
                "file": parts["file"].get_content(),
            }
        )
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
    with LocalServer(FakeKibana) as server:
        yield f"http://127.0.0.1:{server.port}"


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
    FakeKibana.answer = (
        200,
        {
            "success": False,
            "successCount": 8,
            "errors": [
                {
                    "id": "canhbao-overview",
                    "type": "dashboard",
                    "error": {"type": "missing_references", "references": [{"type": "visualization", "id": "x"}]},
                }
            ],
        },
    )
    assert main(["kibana", "import", "--url", kibana, "--no-overwrite"]) == 1
    out = capsys.readouterr()
    assert "canhbao: kibana: dashboard/canhbao-overview: missing references visualization/x" in out.err
    assert FakeKibana.seen[0]["auth"] == "ApiKey a2V5" and FakeKibana.seen[0]["query"] == {}


def test_import_errors_are_one_line(kibana, config_dir, capsys):
    FakeKibana.answer = (401, {"statusCode": 401, "error": "Unauthorized", "message": "missing authentication"})
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


# --- one definition, two products (issue 15) -------------------------------------------------------------

FLAVORS = ("kibana", "opensearch-dashboards")


@pytest.mark.parametrize("flavor", FLAVORS)
def test_objects_validate_against_each_products_schema(flavor):
    from canhbao.index.saved_object_schema import problems

    objs = saved_objects.objects("police", flavor=flavor, console_url="https://canhbao.unit.local")
    assert problems(objs, flavor, PROPS) == []
    assert [o["id"] for o in objs] == [o["id"] for o in saved_objects.objects(flavor="kibana")]  # one definition
    (daily,) = [_json_strings(o)["visState"] for o in objs if o["id"] == "canhbao-alerts-per-day-by-type"]
    (date,) = [a for a in daily["aggs"] if a["type"] == "date_histogram"]
    assert date["params"]["interval"] == "d" and "calendar_interval" not in date["params"]
    for o in objs:
        assert o["migrationVersion"] == {o["type"]: saved_objects.MIGRATION[o["type"]]}
        assert ("coreMigrationVersion" in o) == (flavor == "kibana")
        assert "typeMigrationVersion" not in o
    view = next(o for o in objs if o["type"] == "index-pattern")
    formats = json.loads(view["attributes"]["fieldFormatMap"])
    assert formats["id"]["params"]["urlTemplate"] == "https://canhbao.unit.local/alerts/{{value}}"
    assert formats["document_id"]["params"]["urlTemplate"] == "https://canhbao.unit.local/cases/doc-{{value}}"
    assert formats["claim_ids"]["params"]["urlTemplate"] == "https://canhbao.unit.local/cases/claim-{{value}}"
    assert ("name" in view["attributes"]) == (flavor == "kibana")  # OSD's index-pattern has no display name


def test_console_case_links_match_the_console_case_ids():
    """The dashboards' case links are built from document_id / claim_ids; the console names cases alike."""
    from _index_helpers import make_alert

    from canhbao.console.cases import auto_case

    leak, fake = make_alert(1, "leak"), make_alert(2, "fake_news")
    assert auto_case(leak).id == f"doc-{documents.alert_doc(leak)['document_id']}"
    assert auto_case(fake).id == f"claim-{documents.alert_doc(fake)['claim_ids'][0]}"


@pytest.mark.parametrize("flavor", FLAVORS)
def test_schema_check_catches_what_the_products_refuse(flavor):
    from canhbao.index.saved_object_schema import problems

    objs = saved_objects.objects(flavor=flavor)
    vis = next(o for o in objs if o["id"] == "canhbao-alerts-per-day-by-type")
    state = json.loads(vis["attributes"]["visState"])
    state["aggs"][1]["params"] = {"field": "captured_at", "calendar_interval": "1d"}  # the old, ignored spelling
    vis["attributes"]["visState"] = json.dumps(state)
    dash = next(o for o in objs if o["type"] == "dashboard")
    dash["attributes"]["controlGroupInput"] = {}  # Kibana knows it, OSD's strict mapping does not
    dash["typeMigrationVersion"] = "8.5.0"
    table = next(o for o in objs if o["id"] == "canhbao-open-vs-closed")
    table["attributes"]["visState"] = table["attributes"]["visState"].replace('"status"', '"masked_text"')
    found = "\n".join(problems(objs, flavor, PROPS))
    assert "calendar_interval" in found and "masked_text (text) is not aggregatable" in found
    assert ("controlGroupInput" in found) == (flavor == "opensearch-dashboards")
    assert ("typeMigrationVersion" in found) == (flavor == "opensearch-dashboards")


def test_import_into_opensearch_dashboards_uses_its_header(kibana, config_dir, capsys):
    n = len(saved_objects.objects(flavor="opensearch-dashboards"))
    FakeKibana.answer = (200, {"success": True, "successCount": n})
    assert (
        main(
            [
                "kibana",
                "import",
                "--flavor",
                "opensearch-dashboards",
                "--url",
                kibana,
                "--console-url",
                "https://canhbao.unit.local",
            ]
        )
        == 0
    )
    (req,) = FakeKibana.seen
    assert req["osd_xsrf"] and req["xsrf"] is None and req["path"] == "/api/saved_objects/_import"
    sent = [json.loads(line) for line in req["file"].splitlines()]
    assert sent == saved_objects.objects(flavor="opensearch-dashboards", console_url="https://canhbao.unit.local")
    assert main(["kibana", "import", "--flavor", "opensearch-dashboards", "--url", kibana, "--space", "x"]) == 2
    assert main(["kibana", "objects", "--check", "--flavor", "opensearch-dashboards"]) == 0
