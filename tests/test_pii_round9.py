"""Round 9 rules (docs/pii-guideline.md "Round 9"): forms taken from the tuning set (old dev and the round-7 and
round-8 parts, whose test parts became tuning data in round 9) or written for the rule, never from the round-9
batch. Each case names what must be found and what must not be."""

from __future__ import annotations

import pytest
from _pii_forms import case_ids, check_form

CASES = [
    # initials written with spaces between them (tuning: round-7 and round-8 parts)
    (
        "Các bệnh nhân ra viện là: P. T. Y, sinh năm 2000, ấp Tân Bình, xã Tân Tiến; N. N. L, sinh năm 1990.",
        {("name", "P. T. Y"), ("name", "N. N. L"), ("address", "ấp Tân Bình, xã Tân Tiến")},
        set(),
    ),
    (
        "Trường hợp thứ 14 tên là T. T. Đ. (mã số BN 911000, sinh năm 1978, trú tại xã Hồ Thầu).",
        {("name", "T. T. Đ."), ("age", "sinh năm 1978")},
        set(),
    ),
    # initials run together after a kinship word; abbreviations after one are no person (tuning / written)
    (
        "Trường hợp 1 là bà ĐTS bán cá tại chợ Tân Kim cùng con gái.",
        {("name", "ĐTS"), ("address", "chợ Tân Kim")},
        set(),
    ),
    (
        "Mọi thắc mắc xin liên hệ anh CSGT trực ban hoặc chị SĐT ghi trên biển.",
        set(),
        {("name", "CSGT"), ("name", "SĐT")},
    ),
    # a tally by area, an outbreak list and a measure on a district are nobody's home (tuning)
    (
        "Các F1 nằm ở nhiều địa phương: TP.Hà Tĩnh có 33 trường hợp, H.Thạch Hà 33, H.Lộc Hà 12.",
        set(),
        {("address", "H.Thạch Hà"), ("address", "H.Lộc Hà"), ("address", "TP.Hà Tĩnh")},
    ),
    (
        "Hà Nội đã ghi nhận 7 ổ dịch, gồm Phú Vinh (huyện Hoài Đức); Bạch Trữ, xã Tiến Thắng (huyện Mê Linh).",
        set(),
        {("address", "xã Tiến Thắng"), ("address", "huyện Mê Linh")},
    ),
    (
        "Chiều cùng ngày, UBND TP Cần Thơ đã có quyết định giãn cách xã hội tại quận Bình Thuỷ theo Chỉ thị 16.",
        set(),
        {("address", "quận Bình Thuỷ")},
    ),
    # an urgent notice's item named by its own name, then its number and street or "địa chỉ" (tuning)
    (
        "- Ocean Golf tầng 2 số 559 Kim Mã từ 10h-11h sáng ngày 30-10.",
        {("address", "Ocean Golf tầng 2 số 559 Kim Mã")},
        set(),
    ),
    (
        "- Vinmart trong Vincom Phạm Ngọc Thạch: địa chỉ số 2 Phạm Ngọc Thạch (Hà Nội), thời gian từ 20-22h ngày 15/3.",
        {("address", "Vinmart trong Vincom Phạm Ngọc Thạch")},
        set(),
    ),
    ("- Bệnh viện Hữu Nghị số 1 Trần Khánh Dư từ ngày 3/5.", set(), {("address", "Bệnh viện Hữu Nghị")}),
    # an unnamed venue placed by a unit, after a going word (tuning / written)
    (
        "17h cùng ngày, bà Hoàng Thị H. ra quán cà phê khu 5 ngồi, 18h về không đi đâu.",
        {("address", "quán cà phê khu 5")},
        set(),
    ),
    (
        "Từ ngày 2 đến 11-3, chồng bà T. đi chợ ở huyện Châu Thành rồi về nhà.",
        {("address", "chợ ở huyện Châu Thành")},
        set(),
    ),
    # "ngữ" is no "ngụ"; "ngụ ở" and "74 tuổi tại" are residences (tuning)
    ("Người phụ nữ tham gia nhiều lớp học tại hai trung tâm anh ngữ ở TP.HCM.", set(), {("address", "TP.HCM")}),
    (
        "Số còn lại là người thân của nam bệnh nhân bán trà sữa (ngụ ở P.Tân Vĩnh Hiệp, TX.Tân Uyên).",
        {("address", "P.Tân Vĩnh Hiệp, TX.Tân Uyên")},
        set(),
    ),
    (
        "Đây là 3 F1 của bệnh nhân H.T.H (BN3253), nữ, 74 tuổi tại Hiệp Thuận, Phúc Thọ.",
        {("address", "Hiệp Thuận, Phúc Thọ"), ("age", "74 tuổi")},
        set(),
    ),
    # more venues and unit words of itineraries: "sân golf", "khu" (tuning)
    (
        "Đến khoảng 11 giờ, đi taxi đi chơi golf ở sân golf Vinpearl Nam Hội An.",
        {("address", "sân golf Vinpearl Nam Hội An")},
        set(),
    ),
    (
        "- Đám cưới tại số 252 khu Triều Khê, Đông Triều, Quảng Ninh (ngày 23/1).",
        {("address", "số 252 khu Triều Khê, Đông Triều, Quảng Ninh")},
        set(),
    ),
]


@pytest.mark.parametrize("text,present,absent", CASES, ids=case_ids(CASES))
def test_round9_forms(text, present, absent):
    check_form(text, present, absent)
