"""The real-news PII corpus: loads, splits per source document, and the recognizers keep their dev figures.

Precision is gated as well as recall. Only the dev split is gated: it is what the rules were tuned on; the
test split is reported by bench/pii_quality.py and never used to tune (docs/pii-guideline.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from canhbao.testing import pii_corpus

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import pii_quality  # noqa: E402


def test_splits_are_disjoint_by_source_and_cover_every_kind():
    dev, test = pii_corpus.load("dev"), pii_corpus.load("test")
    assert len(dev) > 100 and len(test) > 100
    assert not {c.source for c in dev} & {c.source for c in test}
    for split in (dev, test):
        assert {s[0] for c in split for s in c.spans} == set(pii_quality.KINDS)
    for c in dev + test:  # offsets point at the annotated text, never at markup
        assert all(0 <= a < b <= len(c.text) and "{" not in c.text[a:b] for _, a, b in c.spans)


# Patient locations were below target on dev from round 4 (gated at a floor, 0.82 / 0.83) until round 7's rules
# (0.938 / 0.906 on the dev split with the round-7 dev part, a tuning figure): every kind is now gated at its
# target (docs/pii-guideline.md, round 7).
DEV_FLOOR: dict[str, tuple[float, float]] = {}


@pytest.mark.parametrize("in_document", [False, True], ids=["alone", "in-document"])
@pytest.mark.parametrize("kind", pii_quality.KINDS)
def test_dev_precision_and_recall_hold(kind, in_document):
    dev = pii_corpus.load("dev")
    cases = pii_quality.in_document(dev) if in_document else pii_quality.isolated((c.text, c.spans) for c in dev)
    tp_pred, fp, tp_gold, fn, _ = pii_quality.score(cases, {kind})
    recall = tp_gold[kind] / (tp_gold[kind] + fn[kind])
    precision = tp_pred[kind] / (tp_pred[kind] + fp[kind])
    min_r, min_p = DEV_FLOOR.get(kind, (pii_quality.TARGET_R[kind], pii_quality.TARGET_P))
    assert recall >= min_r and precision >= min_p, (recall, precision)


def test_every_vfnd_sentence_lies_in_its_stored_document():
    docs = pii_corpus.documents()
    cases = [c for c in pii_corpus.load() if c.group == "vfnd"]
    assert {c.source for c in cases} == set(docs)  # exactly the corpus's documents, nothing more
    for c in cases:
        where = pii_corpus.in_document(c, docs)
        assert where is not None
        doc, start = where
        assert doc.text[start : start + len(c.text)] == c.text


def test_a_sentence_missing_from_its_document_is_an_error():
    case = pii_corpus.Case("x1", "VFND_Ac_Real_22.json", "vfnd", "Câu này không có trong bài.", (), None)
    with pytest.raises(ValueError, match="x1 not found"):
        pii_corpus.in_document(case, pii_corpus.documents())


def test_a_bad_label_names_the_file_and_line(tmp_path):
    (tmp_path / "covid_news.annotated.txt").write_text("@k|https://x\n", encoding="utf-8")
    (tmp_path / "vfnd_news.annotated.tsv").write_text("v1\tf.json\tN=Lan\tchị Hoa đi chợ\n", encoding="utf-8")
    with pytest.raises(ValueError, match="vfnd_news.annotated.tsv: v1: label 'Lan'"):
        pii_corpus.load(directory=tmp_path)


def test_the_dev_only_file_refuses_a_test_document(tmp_path):
    (tmp_path / "covid_news.annotated.txt").write_text("", encoding="utf-8")
    (tmp_path / "vfnd_news.annotated.tsv").write_text("", encoding="utf-8")
    test_doc = next(
        f"VFND_Ac_Real_{n}.json" for n in range(99) if pii_corpus.split_of(f"VFND_Ac_Real_{n}.json") == "test"
    )
    (tmp_path / "vfnd_dev_more.annotated.tsv").write_text(f"w1\t{test_doc}\t-\tchị Hoa đi chợ\n", encoding="utf-8")
    with pytest.raises(ValueError, match="dev only"):
        pii_corpus.load(directory=tmp_path)


def test_the_fresh_test_batch_refuses_a_dev_document(tmp_path):
    (tmp_path / "covid_news.annotated.txt").write_text("", encoding="utf-8")
    (tmp_path / "vfnd_news.annotated.tsv").write_text("", encoding="utf-8")
    dev_doc = next(
        f"VFND_Ac_Real_{n}.json" for n in range(99) if pii_corpus.split_of(f"VFND_Ac_Real_{n}.json") == "dev"
    )
    (tmp_path / pii_corpus.FRESH).write_text(f"f1\t{dev_doc}\t-\tchị Hoa đi chợ\n", encoding="utf-8")
    with pytest.raises(ValueError, match="test only"):
        pii_corpus.load(directory=tmp_path)
    assert all(c.split == "test" for c in pii_corpus.load() if pii_corpus.is_fresh(c))


def test_the_round7_file_refuses_a_page_already_in_the_first_covid_file(tmp_path):
    (tmp_path / "covid_news.annotated.txt").write_text("@c1|https://a\nc1|câu một\n", encoding="utf-8")
    (tmp_path / "vfnd_news.annotated.tsv").write_text("", encoding="utf-8")
    (tmp_path / pii_corpus.R7).write_text("@r1|https://a\nr1|câu hai\n", encoding="utf-8")
    with pytest.raises(ValueError, match="already in covid_news"):
        pii_corpus.load(directory=tmp_path)


def test_the_round7_batch_has_both_splits_and_every_kind():
    r7 = [c for c in pii_corpus.load() if c.batch == "r7"]
    for split in ("dev", "test"):
        part = [c for c in r7 if c.hash_split == split]
        assert len(part) > 80 and {s[0] for c in part for s in c.spans} == set(pii_quality.KINDS)


def test_the_round8_file_refuses_a_page_of_an_earlier_covid_file(tmp_path):
    (tmp_path / "covid_news.annotated.txt").write_text("@c1|https://a\nc1|câu một\n", encoding="utf-8")
    (tmp_path / "vfnd_news.annotated.tsv").write_text("", encoding="utf-8")
    (tmp_path / pii_corpus.R7).write_text("@r1|https://b\nr1|câu hai\n", encoding="utf-8")
    (tmp_path / pii_corpus.R8).write_text("@s1|https://b\ns1|câu ba\n", encoding="utf-8")
    with pytest.raises(ValueError, match="already in covid_news_r7"):
        pii_corpus.load(directory=tmp_path)
    (tmp_path / pii_corpus.R8).write_text("@s1|https://a\ns1|câu ba\n", encoding="utf-8")
    with pytest.raises(ValueError, match="already in covid_news.annotated"):
        pii_corpus.load(directory=tmp_path)


def test_the_round8_batch_has_both_splits_and_every_kind():
    r8 = [c for c in pii_corpus.load() if c.batch == "r8"]
    for split in ("dev", "test"):
        part = [c for c in r8 if c.hash_split == split]
        assert len(part) > 100 and {s[0] for c in part for s in c.spans} == set(pii_quality.KINDS)


def test_spent_test_parts_are_tuning_data_from_round9():
    """The round-7 and round-8 test parts, opened in rounds 7-8, are read into dev; the hash split is kept."""
    spent = [c for c in pii_corpus.load() if c.batch in ("r7", "r8")]
    assert any(c.hash_split == "test" for c in spent)
    assert all(c.split == "dev" for c in spent)
    assert not [c for c in pii_corpus.load("test") if c.batch in ("r7", "r8")]


def _empty_corpus(directory) -> None:
    """The two files the loader requires, empty: a batch file written beside them is read alone."""
    (directory / "covid_news.annotated.txt").write_text("", encoding="utf-8")
    (directory / "vfnd_news.annotated.tsv").write_text("", encoding="utf-8")


def _url(split: str) -> str:
    """A page URL whose hash puts it in `split`."""
    return next(f"https://x/{n}" for n in range(99) if pii_corpus.split_of(f"https://x/{n}") == split)


def test_the_round9_batch_is_test_hashing_only_and_refuses_a_dev_page(tmp_path):
    """Collected from test-hashing pages only; opened in rounds 9 and 10, it is tuning data from round 11."""
    r9 = [c for c in pii_corpus.load() if c.batch == "r9"]
    assert len(r9) >= 200 and all(c.hash_split == "test" and c.split == "dev" for c in r9)
    assert not [c for c in pii_corpus.load("test") if c.batch == "r9"]
    assert {s[0] for c in r9 for s in c.spans} == set(pii_quality.KINDS)
    _empty_corpus(tmp_path)
    (tmp_path / pii_corpus.R9).write_text(f"@t1|{_url('dev')}\nt1|câu một\n", encoding="utf-8")
    with pytest.raises(ValueError, match="test only"):
        pii_corpus.load(directory=tmp_path)


def test_the_round11_batch_is_test_only_and_refuses_a_dev_page_or_an_earlier_page(tmp_path):
    r11 = [c for c in pii_corpus.load() if c.batch == "r11"]
    assert len(r11) >= 200 and len({c.source for c in r11}) >= 25 and all(c.split == "test" for c in r11)
    assert {s[0] for c in r11 for s in c.spans} == set(pii_quality.KINDS)
    _empty_corpus(tmp_path)
    (tmp_path / pii_corpus.R11).write_text(f"@u1|{_url('dev')}\nu1|câu một\n", encoding="utf-8")
    with pytest.raises(ValueError, match="r11.annotated.txt: .* test only"):
        pii_corpus.load(directory=tmp_path)
    (tmp_path / pii_corpus.R9).write_text(f"@t1|{_url('test')}\nt1|câu một\n", encoding="utf-8")
    (tmp_path / pii_corpus.R11).write_text(f"@u1|{_url('test')}\nu1|câu hai\n", encoding="utf-8")
    with pytest.raises(ValueError, match="already in covid_news_r9"):
        pii_corpus.load(directory=tmp_path)
