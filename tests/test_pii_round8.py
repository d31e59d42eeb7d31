"""Round 8 rules (docs/pii-guideline.md "Round 8"): forms taken from the round-8 dev pages or written for the
rule, never from the test split. Each case names what must be found and what must not be."""

from __future__ import annotations

import pytest
from _pii_forms import case_ids, check_form

CASES = [
    # a glued "TP." is a unit, not shouting (dev)
    (
        "Theo công bố, BN 2997 là vợ và là F1 của BN 2982 (ngụ xã Cẩm An, TP.Hội An).",
        {("address", "xã Cẩm An, TP.Hội An"), ("patient_code", "2982")},
        set(),
    ),
    # a venue named by its keeper's initial keeps the dot and joins the street it is on (dev)
    (
        "Ngày 20/8, bà đến mua thuốc tại hiệu thuốc cô P. trên đường Triệu Việt Vương, gần chợ Hà Thân.",
        {("address", "hiệu thuốc cô P. trên đường Triệu Việt Vương"), ("address", "chợ Hà Thân")},
        set(),
    ),
    # an authority or a checkpoint named with its unit is no one's place (dev)
    (
        "Nhà chức trách huyện Cẩm Giàng, tỉnh Hải Dương đề nghị những người đã đến những địa điểm dưới đây "
        "vui lòng liên hệ và khai báo ngay với cơ quan y tế gần nhất để được hỗ trợ.",
        set(),
        {("address", "huyện Cẩm Giàng, tỉnh Hải Dương")},
    ),
    (
        "Ban Chỉ đạo phòng chống dịch COVID-19 quận Hoàn Kiếm thông báo khẩn, tìm người đến các địa điểm sau:",
        set(),
        {("address", "quận Hoàn Kiếm")},
    ),
    (
        "Trước đó, lực lượng chức năng P.Tân An, Q.Ninh Kiều đã có báo cáo nhanh khi phát hiện một trường hợp "
        "nghi nhiễm Covid-19 là bà P.T.T, 64 tuổi, ngụ P.Hưng Phú, Q.Cái Răng, Cần Thơ.",
        {("address", "P.Hưng Phú, Q.Cái Răng, Cần Thơ"), ("name", "P.T.T")},
        {("address", "P.Tân An, Q.Ninh Kiều")},
    ),
    # ... but an authority acting on a hamlet names the patients' home (round 7's decision; written for the rule)
    (
        "UBND huyện Đông Anh đã phong tỏa tạm thời thôn Bầu, xã Kim Chung.",
        {("address", "thôn Bầu, xã Kim Chung")},
        set(),
    ),
    # a unit that issues a notice is an authority (dev)
    (
        "Cùng ngày, phường An Cư, quận Ninh Kiều, TP Cần Thơ ra thông báo khẩn đề nghị những người đã đến Quán "
        "Làng Nướng ở số 189 đường Huỳnh Cương, phường An Cư từ ngày 15 đến 22-11 hãy liên hệ ngay.",
        {("address", "Quán Làng Nướng ở số 189 đường Huỳnh Cương, phường An Cư")},
        {("address", "phường An Cư, quận Ninh Kiều, TP Cần Thơ")},
    ),
    # where cases were counted is no home, unless the sentence says it is where they live (dev)
    (
        "03 ca tại huyện Kim Thành (Ca bệnh BN2479-2481): đều là các F1, đã được cách ly tập trung.",
        {("patient_code", "BN2479"), ("patient_code", "2481")},
        {("address", "huyện Kim Thành")},
    ),
    (
        "Cụ thể về địa chỉ cư trú, có 12 ca tại phường Bình Chuẩn, TP. Thuận An; 2 ca phường An Phú, TP. Thuận "
        "An; 1 trường hợp ở phường Bình Nhâm, TP. Thuận An.",
        {("address", "phường Bình Chuẩn, TP. Thuận An"), ("address", "phường Bình Nhâm, TP. Thuận An")},
        set(),
    ),
    # a measure on a district, an outbreak named by its district, a region travelled in, provinces after "ở"
    (
        "UBND tỉnh Quảng Ninh quyết định giãn cách xã hội toàn bộ huyện Vân Đồn theo Chỉ thị 16.",
        set(),
        {("address", "huyện Vân Đồn")},
    ),
    ("Ổ dịch tại quận Gò Vấp đến nay đã có 40 ca mắc.", set(), {("address", "quận Gò Vấp")}),
    (
        "Từ ngày 27.4 đến nay, chị này di chuyển khá nhiều nơi ở Hội An, có ra Bệnh viện Hoàn Mỹ Đà Nẵng khám thai.",
        set(),
        {("address", "Hội An")},
    ),
    (
        "Tỉnh Bình Định thông báo khẩn tìm người liên quan 4 ca dương tính Covid-19 đến 10 điểm nguy cơ và 3 "
        "chuyến xe ở Bình Định, Quảng Ngãi, Đà Nẵng.",
        set(),
        {("address", "Bình Định, Quảng Ngãi, Đà Nẵng")},
    ),
    # a street without its keyword after "địa chỉ", known by the unit that follows; no person (dev)
    (
        "Khoảng 8 giờ ngày 19-8 bệnh nhân đi chợ Bắc Mỹ An (ở địa chỉ Nguyễn Bá Lân, Bắc Mỹ An, quận Ngũ Hành "
        "Sơn) mua cá, rau.",
        {("address", "Nguyễn Bá Lân, Bắc Mỹ An, quận Ngũ Hành Sơn"), ("address", "chợ Bắc Mỹ An")},
        {("name", "Nguyễn Bá Lân")},
    ),
    # more going words before a venue: the owner's, "về", "ra", "phục vụ", "lễ" (dev, and written for the rule)
    (
        'Xác định "bệnh nhân 1659", chủ nhà hàng Trung Sún ở thị trấn Cái Rồng, di chuyển phức tạp.',
        {("address", "nhà hàng Trung Sún ở thị trấn Cái Rồng"), ("patient_code", "1659")},
        set(),
    ),
    (
        "Tại sân bay, xe công ty đón về khách sạn Tây Bắc có địa chỉ tại số 4 Hà Bổng, TP Đà Nẵng.",
        {("address", "khách sạn Tây Bắc")},
        set(),
    ),
    (
        "Nhân viên phục vụ quán cơm Yến Nam (là F1 của BN 13960) có kết quả xét nghiệm âm tính.",
        {("address", "quán cơm Yến Nam"), ("patient_code", "13960")},
        set(),
    ),
    ("Sáng Chủ nhật, bệnh nhân đi lễ nhà thờ Giáo xứ Thanh Đức.", {("address", "nhà thờ Giáo xứ")}, set()),
    # round 7's lower-case tail of a venue's name stops at an itinerary's verb (written for the rule)
    (
        "Chị H. đi chợ Cồn mua rau, sau đó ông T. chở về nhà.",
        {("address", "chợ Cồn"), ("name", "H."), ("name", "T.")},
        {("address", "chợ Cồn mua rau")},
    ),
    # an urgent notice's item: a venue after a few words, joined to its unit over "gần ... thuộc" or an aside (dev)
    (
        "6. Khu vực cây xăng Vũ Long gần chân cầu Hàn thuộc P. Bình Hàn, TP. Hải Dương vào khoảng thời gian từ "
        "20h30 – 21h.",
        {("address", "cây xăng Vũ Long gần chân cầu Hàn thuộc P. Bình Hàn, TP. Hải Dương")},
        {("name", "Vũ Long")},
    ),
    (
        "13. Quán Miến ngan (quán có cây bơ), TP Lào Cai: Từ 7h-9h ngày 14-6.",
        {("address", "Quán Miến ngan (quán có cây bơ), TP Lào Cai")},
        set(),
    ),
    (
        "15. Xưởng sửa chữa ô tô Nga Doanh (Doanh nghiệp Ngọc Dương), đường Quang Khải, phường Duyên Hải, TP Lào "
        "Cai: 14h-16h ngày 14-6.",
        {
            (
                "address",
                "Xưởng sửa chữa ô tô Nga Doanh (Doanh nghiệp Ngọc Dương), đường Quang Khải, phường Duyên Hải, "
                "TP Lào Cai",
            )
        },
        set(),
    ),
    # names: an official addressed "Đ/c", a border gate, a school used as quarantine site (dev; written)
    (
        "Công an huyện Kim Thành phân công: Đ/c Đỗ Khắc Bằng tiếp nhận liên hệ.",
        set(),
        {("name", "Đỗ Khắc Bằng")},
    ),
    ("10. Bãi xe Cửa khẩu Kim Thành Lào Cai: Từ 15h-17h ngày 12-6.", set(), {("name", "Kim Thành Lào Cai")}),
    (
        "Bệnh nhân được chuyển đến khu cách ly tập trung Trường Quân sự tỉnh.",
        set(),
        {("name", "Trường Quân"), ("name", "Trường Quân sự")},
    ),
    # patient numbers: a notice's list position is no case number; an enumeration without a space is (dev)
    (
        "Trường hợp thứ 2 là bệnh nhân N.T.N.H., nam, sinh năm 1949.",
        {("name", "N.T.N.H."), ("age", "sinh năm 1949")},
        {("patient_code", "2")},
    ),
    (
        "Bệnh nhân là F1 (bố) của BN3634 (sang chơi nhà BN3633,3634 ngày 8/5).",
        {("patient_code", "BN3634"), ("patient_code", "BN3633"), ("patient_code", "3634")},
        set(),
    ),
    ("Bệnh nhân số 1.234 đã khỏi bệnh.", {("patient_code", "1.234")}, set()),
]


@pytest.mark.parametrize("text,present,absent", CASES, ids=case_ids(CASES))
def test_round8_forms(text, present, absent):
    check_form(text, present, absent)
