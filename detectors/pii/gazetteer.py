"""Vietnam's administrative units, old and new, for telling place names from person names.

New units (34 provinces, 3,321 communes since July 2025) come from the installed `vietnam-provinces`
package; the old ones (63 provinces, ~700 districts, ~10,000 communes, still used by posts and OCR of
2021 notices) from `data/legacy_units.json.gz`, derived from the same project's pre-merger release by
`scripts/build_legacy_gazetteer.py`. Names are kept folded (no diacritics, lower case) so that posts
written without tone marks match too, and as spelled (tone marks kept) for text that has them: "Huệ" is a
woman's name, "Huế" the city, and only their tone marks tell them apart.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

from canhbao.core.text import fold, nfc

# Longest first so "thành phố" wins over "phố" and "thị xã" over "xã".
UNIT_PREFIXES = ("thanh pho", "thi tran", "thi xa", "dac khu", "phuong", "quan", "huyen", "tinh", "xa")
_PREFIX = re.compile(r"^(?:%s)\s+" % "|".join(UNIT_PREFIXES))
# Everyday names for big cities that are not the official unit names, as spelled.
ALIASES = ("sài gòn", "hcm", "tphcm", "tp hcm", "hà nội", "huế", "đà nẵng", "cần thơ", "hải phòng")
# The five tone marks (grave, acute, tilde, hook, dot below); the other marks (ă â ê ô ơ ư) belong to the letter.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def key(name: str) -> str:
    """Folded, lower-case, single-spaced: 'Phường Trúc Bạch' -> 'truc bach' (unit prefix removed)."""
    k = re.sub(r"[^\w]+", " ", fold(name).lower()).strip()
    return _PREFIX.sub("", k)


def spelled_key(name: str) -> str:
    """Lower case with tone marks, unit prefix removed, each syllable's tone mark moved to its end so that old
    and new tone placement agree: 'Phường Hoà Minh' and 'Hòa Minh' -> 'hoa\u0300 minh'."""
    words = re.sub(r"[^\w]+", " ", nfc(name).lower()).split()
    prefix = _PREFIX.match(" ".join(fold(w) for w in words))
    out = []
    for w in words[len(prefix.group().split()) if prefix else 0 :]:
        d = unicodedata.normalize("NFD", w)
        out.append(nfc("".join(c for c in d if c not in _TONES)) + "".join(c for c in d if c in _TONES))
    return " ".join(out)


@dataclass(frozen=True)
class Gazetteer:
    provinces: frozenset[str]
    districts: frozenset[str]
    wards: frozenset[str]
    spelled: frozenset[str]  # every unit's spelled_key, whatever its level

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

    def level_as_written(self, name: str) -> str:
        """`level`, but only if `name` is spelled as the place is (tone marks compared): 'Huế' is a province,
        'Huệ' none. For text that carries tone marks; text written without them needs the folded `level`."""
        return self.level(name) if spelled_key(name) in self.spelled else ""

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
    names = (
        [p["name"] for p in current]
        + [w["name"] for p in current for w in p["wards"]]
        + [n for level in ("provinces", "districts", "wards") for n in legacy[level]]
        + list(ALIASES)
    )
    provinces = {key(p["name"]) for p in current} | {key(n) for n in legacy["provinces"]} | set(map(key, ALIASES))
    wards = {key(w["name"]) for p in current for w in p["wards"]} | {key(n) for n in legacy["wards"]}
    districts = {key(n) for n in legacy["districts"]}
    # Numbered units ("Quận 1", "Phường 12") are recognised by their keyword, not by name.
    numeric = re.compile(r"^\d+$")
    return Gazetteer(
        frozenset(provinces),
        frozenset(k for k in districts if not numeric.match(k)),
        frozenset(k for k in wards if not numeric.match(k)),
        frozenset(map(spelled_key, names)),
    )
