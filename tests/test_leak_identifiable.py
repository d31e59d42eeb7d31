"""The uniqueness counter behind `bench/leak_registry.py --identifiable` (issue 19 analysis)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from leak_identifiable import Uniqueness, quoted  # noqa: E402

CORPUS = {
    "A": "Điều 5. Hiệu lực thi hành. Quy định mức phạt đối với hành vi lấn chiếm vỉa hè",
    "B": "Điều 5. Hiệu lực thi hành. Quy định cấp phép xây dựng nhà ở riêng lẻ",
}


def test_counts_only_shingles_no_other_document_has():
    u = Uniqueness(CORPUS, 3)
    # shared closing formula: every shingle is in both documents
    assert u.unique("Điều 5. Hiệu lực thi hành. Quy định", "A") == 0
    # "thi hanh quy", "hanh quy dinh" are shared; the 4 shingles from "quy dinh muc" on are A's own
    assert u.unique("thi hành. Quy định mức phạt đối với", "A") == 4
    # folded: typed without diacritics, the same shingles
    assert u.unique("thi hanh. Quy dinh muc phat doi voi", "A") == 4


def test_words_not_in_its_own_document_do_not_count():
    u = Uniqueness(CORPUS, 3)
    # poster's words are in no corpus document, but not in A either: not evidence of A
    assert u.unique("mọi người đọc mà xem văn bản nội bộ", "A") == 0
    # B's own text does not count for A
    assert u.unique("cấp phép xây dựng nhà ở riêng lẻ", "A") == 0
    assert u.unique("cấp phép xây dựng nhà ở riêng lẻ", "B") == 5  # "ở" is one letter: dropped


def test_quoted_keeps_the_generator_text_only():
    assert quoted('Trích nguyên văn: "Quy định "mức" phạt" Các bạn nghĩ sao?') == 'Quy định "mức" phạt'
    assert quoted("no quote marks") == "no quote marks"
