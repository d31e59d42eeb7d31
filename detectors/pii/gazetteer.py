"""Vietnam's administrative units, old and new, for telling place names from person names.

New units (34 provinces, 3,321 communes since July 2025) come from the installed `vietnam-provinces`
package; the old ones (63 provinces, ~700 districts, ~10,000 communes, still used by posts and OCR of
2021 notices) from `data/legacy_units.json.gz`, derived from the same project's pre-merger release by
`scripts/build_legacy_gazetteer.py`. Names are kept folded (no diacritics, lower case) so that posts
written without tone marks match too.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from dataclasses import dataclass
from importlib import resources

from canhbao.core.text import fold

# Longest first so "thành phố" wins over "phố" and "thị xã" over "xã".
UNIT_PREFIXES = ("thanh pho", "thi tran", "thi xa", "dac khu", "phuong", "quan", "huyen", "tinh", "xa")
_PREFIX = re.compile(r"^(?:%s)\s+" % "|".join(UNIT_PREFIXES))
# Everyday names for big cities that are not the official unit names.
ALIASES = ("sai gon", "hcm", "tphcm", "tp hcm", "ha noi", "hue", "da nang", "can tho", "hai phong")


def key(name: str) -> str:
    """Folded, lower-case, single-spaced: 'Phường Trúc Bạch' -> 'truc bach' (unit prefix removed)."""
    k = re.sub(r"[^\w]+", " ", fold(name).lower()).strip()
    return _PREFIX.sub("", k)


@dataclass(frozen=True)
class Gazetteer:
    provinces: frozenset[str]
    districts: frozenset[str]
    wards: frozenset[str]

    def level(self, name: str) -> str:
        """'province' | 'district' | 'ward' | '' for a name with or without its unit prefix."""
        k = key(name)
        if k in self.provinces:
            return "province"
        if k in self.districts:
            return "district"
        if k in self.wards:
            return "ward"
        return ""

    def __contains__(self, name: str) -> bool:
        return bool(self.level(name))

    @property
    def size(self) -> int:
        return len(self.provinces | self.districts | self.wards)


@functools.lru_cache(maxsize=1)
def load() -> Gazetteer:
    import vietnam_provinces

    current = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    legacy_path = resources.files("canhbao.detectors.pii").joinpath("data/legacy_units.json.gz")
    with legacy_path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        legacy = json.load(fh)
    provinces = {key(p["name"]) for p in current} | {key(n) for n in legacy["provinces"]} | set(ALIASES)
    wards = {key(w["name"]) for p in current for w in p["wards"]} | {key(n) for n in legacy["wards"]}
    districts = {key(n) for n in legacy["districts"]}
    # Numbered units ("Quận 1", "Phường 12") are recognised by their keyword, not by name.
    numeric = re.compile(r"^\d+$")
    return Gazetteer(
        frozenset(provinces),
        frozenset(k for k in districts if not numeric.match(k)),
        frozenset(k for k in wards if not numeric.match(k)),
    )
