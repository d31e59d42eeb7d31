"""The fresh set of the registry-scale leak bench (`canhbao.testing.leak_fresh`): it loads, its roles are the
committed split, every document carries its provenance, and `unwrap` only undoes table markup. No matcher run."""

import re
from collections import Counter

from canhbao.core.text import fold
from canhbao.registry import meta
from canhbao.testing import admin_docs, leak_fresh


def test_loads_with_provenance():
    docs = leak_fresh.load()
    assert len(docs) == 33
    assert len({d.name for d in docs}) == len({d.number for d in docs}) == 33
    for d in docs:
        assert d.url.startswith(("http://", "https://")) and d.site in d.url, d.name
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", d.date), d.name
        assert d.issuer and d.kind in ("QUYẾT ĐỊNH", "THÔNG TƯ"), d.name
        assert d.group.endswith(fold(d.kind).upper()), d.name
        assert d.split == "fresh"
        assert len(d.text.split()) >= 100, d.name


def test_roles_are_the_committed_split():
    rows = leak_fresh.read_index()
    assert {r["name"]: r["role"] for r in rows} == leak_fresh.split_roles(rows)
    roles = Counter((d.group, d.role) for d in leak_fresh.load())
    groups = {g for g, _ in roles}
    assert len(groups) == 8
    for g in groups:  # half and half within each group, the odd one registered
        assert 0 <= roles[(g, "registered")] - roles[(g, "lookalike")] <= 1, g
    assert sum(n for (_, r), n in roles.items() if r == "registered") == 19


def test_no_document_of_the_bench_corpus():
    numbers = {fold(d.number).replace(" ", "") for d in admin_docs.load()}
    assert not [d.number for d in leak_fresh.load() if fold(d.number).replace(" ", "") in numbers]


def test_unwrap_changes_only_layout():
    for d in leak_fresh.load():
        squeeze = lambda s: re.sub(r"[\s|]+", "", s)  # noqa: E731
        assert squeeze(d.text) == squeeze(d.served), d.name
    first = leak_fresh.load()[0]  # a thuviennhadat header table: cells broken after their first word
    assert "Số: 14/2007/QĐ-UBND" in first.text.splitlines()
    assert "Tam Kỳ, ngày 19 tháng 6 năm 2007" in first.text.splitlines()
    assert meta.extract(first.text).numbers == ("14/2007/QĐ-UBND",)


def test_unwrap_keeps_body_line_breaks():
    served = "ỦY\nBAN NHÂN DÂN\n|\nSố:\n1/QĐ-UBND\n|\nQUYẾT ĐỊNH\nCăn cứ Luật Tổ chức chính quyền địa\nphương;"
    assert leak_fresh.unwrap(served).splitlines() == [
        "ỦY BAN NHÂN DÂN",
        "Số: 1/QĐ-UBND",
        "QUYẾT ĐỊNH",
        "Căn cứ Luật Tổ chức chính quyền địa",
        "phương;",
    ]
