"""The background table ships as package data, is exactly what `scripts/build_background.py` makes from the
published corpus, and is refused when its parameters differ; registered pages' fingerprints are the matcher's
(derived from stored text, cached under its parameters), and the registry does not import the matcher."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from canhbao.core.errors import ConfigError
from canhbao.detectors.leak import prints
from canhbao.detectors.leak.background import PACKAGED, Background
from canhbao.detectors.leak.fingerprint import TOKENIZER
from canhbao.registry import Registry
from canhbao.testing.samples import load_seeds

ROOT = Path(__file__).resolve().parents[1]


def test_packaged_table_is_the_corpus_statistics(tmp_path):
    """Same arrays as a fresh build from the corpus: the benches give the same figures with either."""
    packaged = Background.load(PACKAGED, 3)
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_background.py"), "--out", str(tmp_path / "fresh.npz")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    fresh = Background.load(tmp_path / "fresh.npz", 3)
    assert packaged.docs == fresh.docs == 200 and len(packaged.groups) >= 20
    assert packaged.params == {"shingle_words": 3, "tokenizer": TOKENIZER} == fresh.params
    for name in ("keys", "counts", "group_max"):
        assert np.array_equal(getattr(packaged, name), getattr(fresh, name)), name
    # template text of decrees is in it; a sentence of an internal 2021 letter is not
    closing = "Các Bộ trưởng, Thủ trưởng cơ quan ngang bộ, Thủ trưởng cơ quan thuộc Chính phủ chịu trách nhiệm thi hành"
    from canhbao.detectors.leak.fingerprint import shingle_set

    counts, group_max = packaged.lookup(shingle_set(closing))
    assert np.median(counts) >= 50 and group_max.max() >= 20
    counts, _ = packaged.lookup(shingle_set("qua công tác nắm tình hình trên không gian mạng của ngành Công an tỉnh"))
    assert (counts == 0).sum() >= 5 and np.median(counts) <= 2  # mostly unseen: content, not template


def test_table_with_other_parameters_is_refused(tmp_path):
    Background.build([("một hai ba bốn năm sáu", "X|Y")], 3).save(tmp_path / "t.npz")
    assert Background.load(tmp_path / "t.npz", 3).docs == 1
    with pytest.raises(ConfigError, match="built with.*shingle_words.: 3.*build_background"):
        Background.load(tmp_path / "t.npz", 4)


def test_registry_does_not_import_the_matcher():
    for path in (ROOT / "canhbao" / "registry").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [n for n in names if "detectors" in n], path


def test_fingerprints_are_cached_by_parameters_and_follow_the_stored_text(home, tmp_path):
    seed = load_seeds()[0]
    (tmp_path / "a.txt").write_text(seed.text, encoding="utf-8")
    with Registry.open(home) as reg:
        reg.add(tmp_path / "a.txt")
        refs, fps, _ = prints.registry_prints(reg, 3, home.cache)
        assert prints.cache_path(home.cache, 3).is_file() and not prints.cache_path(home.cache, 4).exists()
        again = prints.registry_prints(reg, 3, home.cache)[1]
        assert all(np.array_equal(a.shingles, b.shingles) for a, b in zip(fps, again, strict=True))
        four = prints.registry_prints(reg, 4, home.cache)[1]  # other parameters: computed anew, own cache file
        assert prints.cache_path(home.cache, 4).is_file()
        assert not np.array_equal(four[0].shingles, fps[0].shingles)
        assert fps[0].zones.size and fps[0].title.size and np.isin(fps[0].title, fps[0].zones).all()


def test_registry_made_with_stored_shingles_is_migrated(home, tmp_path):
    """A registry from before this change (shingle blobs in the pages table) opens, keeps its pages, and
    gets its zones from the stored text."""
    import sqlite3

    seed = load_seeds()[1]
    (tmp_path / "b.txt").write_text(seed.text, encoding="utf-8")
    with Registry.open(home) as reg:
        doc, _ = reg.add(tmp_path / "b.txt")
        before = [(p.page, p.text) for p in reg.pages()]
    db = sqlite3.connect(home.registry_db)
    with db:
        db.execute("ALTER TABLE pages RENAME TO p2")
        db.execute(
            "CREATE TABLE pages (doc_id TEXT NOT NULL, page INTEGER NOT NULL, method TEXT NOT NULL, "
            "text TEXT NOT NULL, phash TEXT NOT NULL, shingles BLOB NOT NULL, image TEXT NOT NULL, "
            "boiler BLOB NOT NULL, PRIMARY KEY (doc_id, page))"
        )
        db.execute("INSERT INTO pages SELECT doc_id, page, method, text, phash, x'00', image, x'00' FROM p2")
        db.execute("DROP TABLE p2")
    db.close()
    with Registry.open(home) as reg:
        pages = list(reg.pages())
        assert [(p.page, p.text) for p in pages] == before
        assert "Nơi nhận" in "".join(p.boiler for p in pages) and pages[0].title
