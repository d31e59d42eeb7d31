"""Metadata read from the letter itself, on clean text and on OCR-damaged text (case table)."""

import pytest

from canhbao.registry import meta

NUMBER_CASES = [
    ("Số: 6564 /VP-KGVX", ["6564/VP-KGVX"]),
    ("Số: 5246/SYT - VP", ["5246/SYT-VP"]),
    ("Sổ: 35 /TB-STTTT", ["35/TB-STTTT"]),  # OCR tone-mark slip
    ("So 5028/CAT-ANMCNC Tuyên Quang, ngày 25 tháng 8 năm 2021", ["5028/CAT-ANMCNC"]),
    ("Số: 20/2025/TT-BQP", ["20/2025/TT-BQP"]),
    ("Số: 10613/BYT–TT–KT", ["10613/BYT-TT-KT"]),  # en dashes
    ("Công văn số 999/CAT-PA05 ngày 16/8/2021", []),  # a citation is not this letter's number
    ("Số: /VHTT", []),  # a draft without a number
]


@pytest.mark.parametrize("text,expected", NUMBER_CASES)
def test_numbers(text, expected):
    assert meta.find_numbers(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Kiên Giang, ngày 30 tháng 8 năm 2021", "2021-08-30"),
        ("Hà Nội, ngay 14 thang 12 nam 2021", "2021-12-14"),
        ("Bạch Thông, ngày tháng 8 năm 2021", ""),
    ],
)
def test_dates(text, expected):
    assert meta.extract(text).date == expected


def test_seed_letters(seeds):
    by_name = {s.name[:3]: meta.extract(s.text) for s in seeds}
    m0 = by_name["000"]
    assert m0.numbers == ("6564/VP-KGVX",)
    assert m0.date == "2021-08-30"
    assert m0.agency == "UBND TỈNH KIÊN GIANG / VĂN PHÒNG"
    assert m0.subject.startswith("chấn chỉnh sử dụng thông tin liên quan công tác phòng, chống dịch bệnh Covid-19")
    assert m0.signer == "Trần Công Danh"
    # seed 001 forwards the Ministry's letter under its own number: both are the file's numbers
    assert by_name["001"].numbers == ("5246/SYT-VP", "10613/BYT-TT-KT")
    assert by_name["001"].signer == "Đỗ Thiện Tùng"
    assert by_name["002"].signer == "Đại tá Hà Phúc Thịnh"
    assert by_name["003"].numbers == ("35/TB-STTTT",)


def test_number_key_tolerates_diacritics():
    assert meta.number_key("15/2020/NĐ-CP") == meta.number_key("15/2020/ND - CP")
