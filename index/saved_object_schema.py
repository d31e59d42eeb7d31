"""What Kibana 8.x and OpenSearch Dashboards 2.x accept in an imported saved object, written down from each
product's saved-object type registrations, so `canhbao kibana objects --check` and the tests can validate
the generated objects without either product running.

Sources (read in the products' public repositories):
- Kibana 8.x: `src/plugins/dashboard/server/dashboard_saved_object/schema/v1/v1.ts` (dashboard attributes,
  `unknowns: 'forbid'`); the `mappings` of the `visualization`, `search` and `index-pattern` types
  (`index-pattern` is `dynamic: false`: extra attributes are kept unindexed).
- OpenSearch Dashboards 2.x: `src/plugins/dashboard/server/saved_objects/dashboard.ts`,
  `src/plugins/visualizations/server/saved_objects/visualization.ts`,
  `src/plugins/discover/server/saved_objects/search.ts`, `src/plugins/data/server/saved_objects/index_patterns.ts`.
  The saved-objects index maps types strictly unless a type says `dynamic: false`, so an attribute outside
  a type's mapping fails the import (strict_dynamic_mapping_exception).
- Both: the newest migration of each type that the product knows; an object declaring a newer
  `migrationVersion` (or, in Kibana, `coreMigrationVersion`) than the product is refused on import.
"""

from __future__ import annotations

import json
from typing import Any

META = {"kibanaSavedObjectMeta"}
ATTRIBUTES: dict[str, dict[str, set[str] | None]] = {
    "kibana": {
        "dashboard": {
            "title",
            "description",
            "timeRestore",
            "timeFrom",
            "timeTo",
            "refreshInterval",
            "controlGroupInput",
            "panelsJSON",
            "optionsJSON",
            "hits",
            "version",
        }
        | META,
        "visualization": {"description", "savedSearchRefName", "title", "uiStateJSON", "version", "visState"} | META,
        "search": {
            "columns",
            "description",
            "grid",
            "hideChart",
            "hits",
            "isTextBasedQuery",
            "sort",
            "title",
            "version",
            "rowHeight",
            "rowsPerPage",
            "sampleSize",
            "timeRestore",
            "timeRange",
            "refreshInterval",
            "breakdownField",
            "viewMode",
            "hideAggregatedPreview",
        }
        | META,
        "index-pattern": None,  # dynamic: false
    },
    "opensearch-dashboards": {
        "dashboard": {
            "description",
            "hits",
            "optionsJSON",
            "panelsJSON",
            "refreshInterval",
            "timeFrom",
            "timeRestore",
            "timeTo",
            "title",
            "version",
        }
        | META,
        "visualization": {"description", "savedSearchRefName", "title", "uiStateJSON", "version", "visState"} | META,
        "search": {"columns", "description", "hits", "sort", "columnWidths", "title", "version"} | META,
        "index-pattern": None,  # dynamic: false
    },
}
ROOT = {
    "kibana": {
        "type",
        "id",
        "attributes",
        "references",
        "migrationVersion",
        "coreMigrationVersion",
        "typeMigrationVersion",
        "namespaces",
        "originId",
        "updated_at",
        "version",
        "managed",
    },
    "opensearch-dashboards": {
        "type",
        "id",
        "attributes",
        "references",
        "migrationVersion",
        "namespaces",
        "originId",
        "updated_at",
        "version",
    },
}
# The oldest product release supported, and the newest migration of each type it runs (an object may not
# declare a later one). Kibana 8.0.0's newest migrations are at least these; OSD 2.x's are these.
OLDEST_MIGRATIONS = {
    "kibana": {"index-pattern": "8.0.0", "search": "8.0.0", "visualization": "8.0.0", "dashboard": "8.0.0"},
    "opensearch-dashboards": {
        "index-pattern": "7.6.0",
        "search": "7.9.3",
        "visualization": "7.10.0",
        "dashboard": "7.9.3",
    },
}
OLDEST_CORE = {"kibana": "8.0.0"}
JSON_ATTRS = ("visState", "uiStateJSON", "panelsJSON", "optionsJSON", "fieldFormatMap", "sourceFilters")
VIS_TYPES = {"histogram", "table", "pie", "line", "area", "metric"}
# Agg-based editors' date_histogram interval values (calendar_interval/fixed_interval are not parameters here)
INTERVALS = {"auto", "ms", "s", "m", "h", "d", "w", "M", "y"}


def _version(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split("."))


def problems(objs: list[dict[str, Any]], flavor: str, mapping: dict[str, Any] | None = None) -> list[str]:
    """Every reason `flavor` would refuse or mis-read these objects (empty = importable)."""
    out: list[str] = []
    ids = {(o.get("type"), o.get("id")) for o in objs}
    for o in objs:
        where = f"{o.get('type')}/{o.get('id')}"
        extra = set(o) - ROOT[flavor]
        if extra:
            out.append(f"{where}: root keys {sorted(extra)} unknown to {flavor}")
        allowed = ATTRIBUTES[flavor].get(o.get("type", ""), set())
        if o.get("type") not in ATTRIBUTES[flavor]:
            out.append(f"{where}: type not importable in {flavor}")
            continue
        attrs = o.get("attributes", {})
        if allowed is not None and set(attrs) - allowed:
            out.append(f"{where}: attributes {sorted(set(attrs) - allowed)} not in the {flavor} type mapping")
        out += _check_attributes(where, attrs)
        out += _check_migrations(where, o, flavor)
        for ref in o.get("references", ()):
            if (ref.get("type"), ref.get("id")) not in ids:
                out.append(f"{where}: reference {ref.get('type')}/{ref.get('id')} not in the bundle")
        out += _check_search_source(where, o)
        if o.get("type") == "visualization":
            out += _check_vis(where, json.loads(attrs.get("visState", "{}")), mapping)
        if o.get("type") == "dashboard":
            refs = {r["name"] for r in o.get("references", ())}
            for panel in json.loads(attrs.get("panelsJSON", "[]")):
                if panel.get("panelRefName") not in refs:
                    out.append(f"{where}: panel {panel.get('panelIndex')} has no reference")
                grid = panel.get("gridData", {})
                if not (0 <= grid.get("x", -1) and grid.get("x", 0) + grid.get("w", 99) <= 48):
                    out.append(f"{where}: panel {panel.get('panelIndex')} outside the 48-column grid")
    return out


def _check_attributes(where: str, attrs: dict[str, Any]) -> list[str]:
    """Attribute values every type shares: title, search source, JSON strings, scalar types."""
    out: list[str] = []
    if not isinstance(attrs.get("title"), str) or not attrs.get("title"):
        out.append(f"{where}: title must be a non-empty string")
    meta = attrs.get("kibanaSavedObjectMeta")
    if meta is not None and (set(meta) - {"searchSourceJSON"} or not isinstance(meta.get("searchSourceJSON"), str)):
        out.append(f"{where}: kibanaSavedObjectMeta must hold only searchSourceJSON (a string)")
    for key in JSON_ATTRS:
        if key in attrs:
            try:
                json.loads(attrs[key])
            except (TypeError, ValueError):
                out.append(f"{where}: {key} is not a JSON string")
    for key, tp in (("timeRestore", bool), ("version", int), ("hits", int)):
        if key in attrs and not isinstance(attrs[key], tp):
            out.append(f"{where}: {key} must be {tp.__name__}")
    ri = attrs.get("refreshInterval")
    if ri is not None and not (isinstance(ri.get("pause"), bool) and isinstance(ri.get("value"), int)):
        out.append(f"{where}: refreshInterval needs pause (boolean) and value (number)")
    return out


def _check_migrations(where: str, o: dict[str, Any], flavor: str) -> list[str]:
    """An object declaring a migration newer than the oldest supported release is refused on import."""
    out: list[str] = []
    for name, version in (o.get("migrationVersion") or {}).items():
        newest = OLDEST_MIGRATIONS[flavor].get(name)
        if newest and _version(version) > _version(newest):
            out.append(
                f"{where}: migrationVersion {name} {version} newer than {flavor}'s oldest supported "
                f"release migrates ({newest})"
            )
    core = o.get("coreMigrationVersion")
    if core and flavor in OLDEST_CORE and _version(core) > _version(OLDEST_CORE[flavor]):
        out.append(f"{where}: coreMigrationVersion {core} refused by Kibana before {core}")
    return out


def _check_search_source(where: str, o: dict[str, Any]) -> list[str]:
    meta = o.get("attributes", {}).get("kibanaSavedObjectMeta", {})
    if "searchSourceJSON" not in meta:
        return []
    source = json.loads(meta["searchSourceJSON"])
    name = source.get("indexRefName")
    if name and name not in {r["name"] for r in o.get("references", ())}:
        return [f"{where}: indexRefName {name} has no reference"]
    return []


def _check_vis(where: str, state: dict[str, Any], mapping: dict[str, Any] | None) -> list[str]:
    out = []
    if state.get("type") not in VIS_TYPES:
        out.append(f"{where}: visualization type {state.get('type')!r}")
    for agg in state.get("aggs", ()):
        params = agg.get("params", {})
        if agg.get("type") == "date_histogram":
            if "calendar_interval" in params or "fixed_interval" in params:
                out.append(f"{where}: date_histogram takes `interval`, not calendar_interval/fixed_interval")
            if params.get("interval") not in INTERVALS:
                out.append(f"{where}: date_histogram interval {params.get('interval')!r}")
        field = params.get("field")
        if field and mapping is not None:
            kind = mapping.get(field, {}).get("type")
            if kind not in ("keyword", "date", "float", "integer", "long", "boolean"):
                out.append(f"{where}: aggregation on {field} ({kind or 'not mapped'}) is not aggregatable")
    return out
