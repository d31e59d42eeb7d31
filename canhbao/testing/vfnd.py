"""VFND (tests/data/vfnd, GPL-3.0, tests and benches only) as training CSVs with a held-out split by source.

Each JSON item becomes a row `text,label,domain,published,account`: text = title + body, domain = the
registered domain (vnexpress.net for kinhdoanh.vnexpress.net) or the Facebook page, published = the
item's `date_publish`. The held-out split is fixed by rule, not chosen by score: a source is held out when
the SHA-256 of its name falls in the lowest quarter (`held_out`), so no model choice can move it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from urllib.parse import urlsplit

from canhbao.core import atomic

ROOT = Path(__file__).resolve().parents[2] / "tests" / "data" / "vfnd"
COLUMNS = ("text", "label", "domain", "published", "account")
_SECOND_LEVEL = {"com", "net", "org", "gov", "edu", "info"}


def registered_domain(host: str) -> str:
    host = host.lower().strip().removeprefix("https://").removeprefix("http://").split("/")[0]
    host = host.removeprefix("www.")
    parts = host.split(".")
    if len(parts) >= 3 and parts[-1] == "vn" and parts[-2] in _SECOND_LEVEL:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


def source_of(item: dict) -> str:
    page = item.get("page-url") or ""
    if "facebook.com" in page:
        return "facebook:" + page.rstrip("/").rsplit("/", 1)[-1].lower()
    host = item.get("source_domain") or urlsplit(item.get("url") or "").hostname or ""
    return registered_domain(host) if host else "unknown"


def rows(root: Path = ROOT) -> list[dict]:
    """Fake and real items (the two 'misleading' ones left out), in a stable order."""
    out = []
    for path in sorted(root.glob("Dataset/*/*/*.json")):
        label = path.parts[-3]
        if label not in ("Fake", "Real"):
            continue
        item = json.loads(path.read_text(encoding="utf-8"))
        body = (item.get("maintext") or item.get("text") or "").strip()
        title = (item.get("title") or "").strip()
        text = f"{title}\n{body}".strip() if title and not body.startswith(title) else body
        if not text:
            continue
        authors = item.get("authors") or ""
        out.append(
            {
                "text": text,
                "label": int(label == "Fake"),
                "domain": source_of(item),
                "published": "" if item.get("date_publish") in (None, "None") else str(item["date_publish"]),
                "account": "" if authors in ("[]", "None") else str(authors),
            }
        )
    return out


def held_out(domain: str) -> bool:
    return int(hashlib.sha256(domain.encode()).hexdigest(), 16) % 4 == 0


def write_split(out_dir: Path, root: Path = ROOT) -> tuple[Path, Path]:
    """train.csv and test.csv (held-out sources) in `out_dir`."""
    items = rows(root)
    return (
        _write(Path(out_dir) / "train.csv", [r for r in items if not held_out(r["domain"])]),
        _write(Path(out_dir) / "test.csv", [r for r in items if held_out(r["domain"])]),
    )


def write_all(out_dir: Path, root: Path = ROOT) -> Path:
    """all.csv: every source, for cross-validation grouped by source over the whole set."""
    return _write(Path(out_dir) / "all.csv", rows(root))


def _write(path: Path, items: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.DictWriter(buf, COLUMNS)
    w.writeheader()
    w.writerows(items)
    atomic.write_text(path, buf.getvalue())
    return path
