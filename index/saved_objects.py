"""Dashboards for Kibana 8.x and OpenSearch Dashboards 2.x, generated from one definition
(`index/kibana/definition.yaml`), and a thin client for each product's saved objects import API.

Neither product can run here, so the client stays thin: one multipart POST to `/api/saved_objects/_import`
with the product's XSRF header (`kbn-xsrf` / `osd-xsrf`). The objects are written in the legacy
(aggregation-based) visualization shape both products share, and they declare the *oldest* migration
level of each type (`migrationVersion`), so each product migrates them forward on import: Kibana 8.0 and
every later 8.x, OpenSearch Dashboards 2.x. `index/saved_object_schema.py` checks them against what each
product accepts.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from canhbao.core.errors import CanhbaoError

FLAVORS = ("kibana", "opensearch-dashboards")
# Migration levels both products know how to migrate from (OpenSearch Dashboards forked Kibana 7.10.2).
MIGRATION = {"index-pattern": "7.6.0", "search": "7.9.3", "visualization": "7.10.0", "dashboard": "7.9.3"}
KIBANA_CORE_MIGRATION = "8.0.0"  # the oldest Kibana 8 accepts without re-keying objects
XSRF = {"kibana": "kbn-xsrf", "opensearch-dashboards": "osd-xsrf"}
SEARCH_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"


def definition() -> dict[str, Any]:
    text = resources.files("canhbao.index").joinpath("kibana", "definition.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _search_source(query: str = "", with_index: bool = True) -> dict[str, Any]:
    source: dict[str, Any] = {"query": {"query": query, "language": "kuery"}, "filter": []}
    if with_index:
        source["indexRefName"] = SEARCH_REF
    return {"searchSourceJSON": _dumps(source)}


def _index_ref(view_id: str) -> list[dict[str, str]]:
    return [{"name": SEARCH_REF, "type": "index-pattern", "id": view_id}]


def _data_view(d: dict[str, Any], prefix: str, console: str, flavor: str) -> dict[str, Any]:
    formats: dict[str, Any] = {}
    for field, link in d["links"].items():
        url = link["url"].replace("{console}", console.rstrip("/"))
        if "{console}" in link["url"] and not console:
            continue  # no console URL configured: no dead links
        formats[field] = {
            "id": "url",
            "params": {"type": "a", "urlTemplate": url, "labelTemplate": link["label"], "openLinkInCurrentTab": False},
        }
    for field in d.get("percent", ()):
        formats[field] = {"id": "percent", "params": {}}
    attrs = {
        "title": d["pattern"].replace("{prefix}", prefix),
        "timeFieldName": d["time_field"],
        "fieldFormatMap": _dumps(formats),
        "sourceFilters": _dumps([{"value": f} for f in d.get("hidden_source", ())]),
    }
    if flavor == "kibana":
        attrs["name"] = d["name"]  # data view display name (Kibana 8); OSD shows the pattern
    return {"type": "index-pattern", "id": d["id"], "attributes": attrs, "references": []}


def _search(s: dict[str, Any], shared: dict[str, Any], columns: list[str], view_id: str) -> dict[str, Any]:
    sort = shared["query"]["sort"]
    return {
        "type": "search",
        "id": s["id"],
        "references": _index_ref(view_id),
        "attributes": {
            "title": s["title"],
            "description": "",
            "columns": list(columns),
            "sort": [[sort.lstrip("-"), "desc" if sort.startswith("-") else "asc"]],
            "kibanaSavedObjectMeta": _search_source(shared["kql"]),
        },
    }


def _terms(agg_id: str, schema: str, field: str, size: int) -> dict[str, Any]:
    return {
        "id": agg_id,
        "enabled": True,
        "type": "terms",
        "schema": schema,
        "params": {
            "field": field,
            "size": size,
            "order": "desc",
            "orderBy": "1",
            "otherBucket": False,
            "missingBucket": False,
        },
    }


COUNT = {"id": "1", "enabled": True, "type": "count", "schema": "metric", "params": {}}


def vis_state(v: dict[str, Any]) -> dict[str, Any]:
    kind = v["kind"]
    if kind == "daily":
        # `interval: "d"` is the agg-based editor's parameter (calendar_interval is not); one bar per day
        date = {
            "id": "2",
            "enabled": True,
            "type": "date_histogram",
            "schema": "segment",
            "params": {
                "field": "captured_at",
                "interval": "d",
                "useNormalizedEsInterval": True,
                "scaleMetricValues": False,
                "drop_partials": False,
                "min_doc_count": 1,
                "extended_bounds": {},
            },
        }
        split = _terms("3", "group", v["split"]["field"], v["split"]["size"])
        params = {
            "type": "histogram",
            "addTooltip": True,
            "addLegend": True,
            "legendPosition": "right",
            "times": [],
            "addTimeMarker": False,
            "grid": {"categoryLines": False},
            "categoryAxes": [
                {
                    "id": "CategoryAxis-1",
                    "type": "category",
                    "position": "bottom",
                    "show": True,
                    "style": {},
                    "scale": {"type": "linear"},
                    "labels": {"show": True, "filter": True, "truncate": 100},
                    "title": {},
                }
            ],
            "valueAxes": [
                {
                    "id": "ValueAxis-1",
                    "name": "LeftAxis-1",
                    "type": "value",
                    "position": "left",
                    "show": True,
                    "style": {},
                    "scale": {"type": "linear", "mode": "normal"},
                    "labels": {"show": True, "rotate": 0, "filter": False, "truncate": 100},
                    "title": {"text": "Số cảnh báo"},
                }
            ],
            "seriesParams": [
                {
                    "show": True,
                    "type": "histogram",
                    "mode": "stacked",
                    "data": {"label": "Số cảnh báo", "id": "1"},
                    "valueAxis": "ValueAxis-1",
                    "drawLinesBetweenPoints": True,
                    "showCircles": True,
                }
            ],
        }
        return {"title": v["title"], "type": "histogram", "params": params, "aggs": [COUNT, date, split]}
    buckets = [
        _terms(str(i + 2), "bucket" if kind == "table" else "segment", b["field"], b["size"])
        for i, b in enumerate(v["buckets"])
    ]
    if kind == "table":
        params = {
            "perPage": 20,
            "showPartialRows": False,
            "showMetricsAtAllLevels": False,
            "showTotal": True,
            "totalFunc": "sum",
            "percentageCol": "",
        }
        return {"title": v["title"], "type": "table", "params": params, "aggs": [COUNT, *buckets]}
    if kind == "pie":
        params = {
            "type": "pie",
            "addTooltip": True,
            "addLegend": True,
            "legendPosition": "right",
            "isDonut": True,
            "labels": {"show": True, "values": True, "last_level": True, "truncate": 100},
        }
        return {"title": v["title"], "type": "pie", "params": params, "aggs": [COUNT, *buckets]}
    raise CanhbaoError(f"index/kibana/definition.yaml: visualization {v['id']}: unknown kind {kind!r}")


def _visualization(v: dict[str, Any], view_id: str) -> dict[str, Any]:
    return {
        "type": "visualization",
        "id": v["id"],
        "references": _index_ref(view_id),
        "attributes": {
            "title": v["title"],
            "description": "",
            "visState": _dumps(vis_state(v)),
            "uiStateJSON": "{}",
            "version": 1,
            "kibanaSavedObjectMeta": _search_source(v.get("query", "")),
        },
    }


def _dashboard(d: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    panels, refs, x, y, row_h = [], [], 0, 0, 0
    for n, p in enumerate(d["panels"]):
        if x + p["w"] > 48:
            x, y, row_h = 0, y + row_h, 0
        name = f"panel_{n}"
        panels.append(
            {
                "version": "7.9.3",
                "type": kinds[p["ref"]],
                "panelIndex": str(n + 1),
                "gridData": {"x": x, "y": y, "w": p["w"], "h": p["h"], "i": str(n + 1)},
                "embeddableConfig": {},
                "panelRefName": name,
            }
        )
        refs.append({"name": name, "type": kinds[p["ref"]], "id": p["ref"]})
        x, row_h = x + p["w"], max(row_h, p["h"])
    return {
        "type": "dashboard",
        "id": d["id"],
        "references": refs,
        "attributes": {
            "title": d["title"],
            "description": d.get("description", ""),
            "panelsJSON": _dumps(panels),
            "optionsJSON": _dumps({"useMargins": True, "hidePanelTitles": False}),
            "version": 1,
            "timeRestore": True,
            "timeFrom": d["time_from"],
            "timeTo": d["time_to"],
            "refreshInterval": {"pause": True, "value": 0},
            "kibanaSavedObjectMeta": _search_source("", with_index=False),
        },
    }


def objects(prefix: str = "canhbao", *, flavor: str = "kibana", console_url: str = "") -> list[dict[str, Any]]:
    """Every saved object for `flavor`, data view on `<prefix>-alerts-*`, links to the console at `console_url`."""
    if flavor not in FLAVORS:
        raise CanhbaoError(f"flavor {flavor!r}: expected one of {', '.join(FLAVORS)}")
    from canhbao.index.documents import resource

    d = definition()
    view = d["data_view"]
    shared = {s["id"]: s for s in resource("saved_searches.json")["searches"]}
    out = [_data_view(view, prefix, console_url, flavor)]
    out += [_search(s, shared[s["id"]], d["columns"], view["id"]) for s in d["searches"]]
    out += [_visualization(v, view["id"]) for v in d["visualizations"]]
    kinds = {o["id"]: o["type"] for o in out}
    out.append(_dashboard(d["dashboard"], kinds))
    for obj in out:
        obj["migrationVersion"] = {obj["type"]: MIGRATION[obj["type"]]}
        if flavor == "kibana":
            obj["coreMigrationVersion"] = KIBANA_CORE_MIGRATION
    return out


def ndjson(prefix: str = "canhbao", *, flavor: str = "kibana", console_url: str = "") -> bytes:
    objs = objects(prefix, flavor=flavor, console_url=console_url)
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs).encode("utf-8")


@dataclass(frozen=True)
class Imported:
    success_count: int
    errors: tuple[str, ...]  # "<type>/<id>: <problem>"


def import_objects(
    url: str,
    payload: bytes,
    *,
    space: str = "",
    username: str = "",
    password: str = "",
    api_key: str = "",
    overwrite: bool = True,
    timeout: float = 30.0,
    flavor: str = "kibana",
) -> Imported:
    product = "Kibana" if flavor == "kibana" else "OpenSearch Dashboards"
    if space and flavor != "kibana":
        raise CanhbaoError("--space: OpenSearch Dashboards has no spaces (use its security tenants)")
    base = url.rstrip("/") + (f"/s/{space}" if space else "")
    target = f"{base}/api/saved_objects/_import" + ("?overwrite=true" if overwrite else "")
    boundary = f"canhbao-{uuid.uuid4().hex}"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="canhbao.ndjson"\r\n'
        f"Content-Type: application/ndjson\r\n\r\n"
    )
    body = head.encode() + payload + f"\r\n--{boundary}--\r\n".encode()
    headers = {XSRF[flavor]: "canhbao", "Content-Type": f"multipart/form-data; boundary={boundary}"}
    if api_key:
        headers["Authorization"] = f"ApiKey {api_key}"
    elif username:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
    request = urllib.request.Request(target, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode("utf-8", "replace")
        try:
            detail = json.loads(detail).get("message", detail)
        except ValueError:
            pass
        raise CanhbaoError(f"{product} at {url}: HTTP {exc.code} {' '.join(str(detail).split())}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CanhbaoError(f"{product} at {url} is unreachable ({reason})") from None
    except ValueError:
        raise CanhbaoError(f"{product} at {url}: the answer is not JSON (is this {product}?)") from None
    errors = tuple(f"{e.get('type')}/{e.get('id')}: {_problem(e.get('error', {}))}" for e in answer.get("errors", ()))
    return Imported(int(answer.get("successCount", 0)), errors)


def _problem(error: dict[str, Any]) -> str:
    kind = error.get("type", "error")
    if kind == "missing_references":
        refs = ", ".join(f"{r.get('type')}/{r.get('id')}" for r in error.get("references", ()))
        return f"missing references {refs}"
    return kind + (f" ({error['message']})" if error.get("message") else "")
