"""Round 11 rules (docs/pii-guideline.md "Round 11"): forms taken from the tuning set (from round 11 it holds the
round-9 batch, opened in rounds 9 and 10) or written for the rule, never from the round-11 batch. Each case names
what must be found and what must not be."""

from __future__ import annotations

import pytest
from _pii_forms import case_ids, check_form

CASES = [
    # patient ids: the disease named between the patient word and the number; seven-digit codes; a bare "ca" before
    # a case number (tuning: round-9 part)
    (
        "UBND tỉnh và Bộ Y tế công bố lịch trình của 3 bệnh nhân nhiễm COVID-19 số 589, 601 và 602 tại tỉnh này.",
        {("patient_code", "589"), ("patient_code", "601"), ("patient_code", "602")},
        set(),
    ),
    (
        "Bộ Y tế công bố tỉnh có thêm 2 ca bệnh Covid-19 thứ 3328 và 3329, trong đó ca 3329 là ca lây nhiễm cộng đồng.",
        {("patient_code", "3328"), ("patient_code", "3329")},
        set(),
    ),
    (
        "Phát hiện thêm 2 ca mắc trong số những người tiếp xúc gần với bệnh nhân mắc Covid-19 thứ 17.",
        {("patient_code", "17")},
        set(),
    ),
    ("Ông N.V.Y, bố của bệnh nhân COVID-19 số 418, 85 tuổi.", {("patient_code", "418"), ("age", "85 tuổi")}, set()),
    (
        "Chùm ca bệnh có thêm 1 ca bệnh, là F1 của BN 1059825, đã cách ly tại bệnh viện.",
        {("patient_code", "1059825")},
        set(),
    ),
    # a province's own ordinal, a notice's list position, a count are no case number (written / tuning)
    ("Đây là ca mắc Covid-19 thứ 3 của tỉnh trong đợt dịch này.", set(), {("patient_code", "3")}),
    (
        "Trường hợp thứ 2 là ĐTL bán cá tại chợ Tâm Kim (phường Tân Bình).",
        {("address", "chợ Tâm Kim (phường Tân Bình")},
        {("patient_code", "2")},
    ),
    ("Trong ngày có 120 ca 3 mũi được ghi nhận.", set(), {("patient_code", "3")}),
    # ages in months and days (tuning)
    (
        "- Bệnh nhân 954, (nữ, 1 tháng 20 ngày tuổi, trú K882 Trường Chinh, phường Hòa Phát, quận Cẩm Lệ.",
        {("age", "1 tháng 20 ngày tuổi"), ("address", "K882 Trường Chinh, phường Hòa Phát, quận Cẩm Lệ")},
        set(),
    ),
    ("Bé được đưa đi cách ly cùng cháu nhỏ gần 2 tháng tuổi.", {("age", "2 tháng tuổi")}, set()),
    # one case placed in a hamlet, or "có nhà ở", is that household's home; counted at district level it is not (tuning)
    (
        "Trong đó, 1 ca ở thôn An Phước, xã Hành Dũng (Nghĩa Hành), là F1 của BN 967688.",
        {("address", "thôn An Phước, xã Hành Dũng (Nghĩa Hành)"), ("patient_code", "967688")},
        set(),
    ),
    (
        "Cụ thể, 01 ca có nhà ở thôn Bình Đông, xã Tịnh Bình, huyện Sơn Tịnh.",
        {("address", "thôn Bình Đông, xã Tịnh Bình, huyện Sơn Tịnh")},
        set(),
    ),
    ("Trong ngày có 03 ca tại huyện Kim Thành được cách ly.", set(), {("address", "huyện Kim Thành")}),
    (
        "Tỉnh ghi nhận 1 bệnh nhân nữ, có liên quan đến ổ dịch của Thành phố Chí Linh, tỉnh Hải Dương.",
        set(),
        {("address", "Thành phố Chí Linh, tỉnh Hải Dương")},
    ),
    # a cluster named by its place, a unit acting as the subject, a quarantine site's unit, a facility's branch
    (
        "- 01 ca liên quan đến chùm ca bệnh tại xã Bình Hải, là con của BN 798910.",
        set(),
        {("address", "xã Bình Hải")},
    ),
    (
        "Ngoài ra, phường Bắc Sơn cũng xác định có 2 nhân viên phục vụ làm việc trong thời gian đó.",
        set(),
        {("address", "phường Bắc Sơn")},
    ),
    (
        "Huyện An Dương đã cho phong tỏa cách ly một khu dân cư nơi anh P.V.H cư trú.",
        {("name", "P.V.H")},
        {("address", "Huyện An Dương")},
    ),
    (
        "Bệnh nhân được đưa vào cách ly tại Trường Cao đẳng nghề Công nghệ cao Hà Nội, quận Nam Từ Liêm.",
        set(),
        {("address", "quận Nam Từ Liêm")},
    ),
    (
        "01 ca đã cách ly tại Ban Chỉ huy Quân sự thành phố cơ sở 2, Phường Trương Quang Trọng.",
        set(),
        {("address", "sở 2, Phường Trương Quang Trọng"), ("name", "Quân")},
    ),
    ("Phòng khám Thiên Khai, phường 9, từ 14h-18h20 ngày 26/5.", set(), {("address", "phường 9")}),
    # a notice's line without a bullet that says when the patient was there; a named venue closed or quarantined
    (
        "Khách sạn Sheraton, 88 Đồng Khởi, từ ngày 13/5.",
        {("address", "Khách sạn Sheraton, 88 Đồng Khởi")},
        set(),
    ),
    ("Hẻm 637 Quang Trung, từ ngày 13/5.", {("address", "Hẻm 637 Quang Trung")}, set()),
    ("Khách sạn này vẫn mở cửa bình thường.", set(), {("address", "Khách sạn")}),
    (
        "Ban chỉ đạo quận Kiến An đã cách ly quán karaoke Olala.",
        {("address", "quán karaoke Olala")},
        set(),
    ),
    ("Bệnh nhân P.V.H (ở An Dương, Hải Phòng) đã đến hát tại karaoke Olala.", {("address", "karaoke Olala")}, set()),
    # a going word before a chain of units inside a province; a route between provinces is no place (tuning)
    (
        "Người phụ nữ này từng đến Bạch Đằng, Chí Linh, Hải Dương.",
        {("address", "Bạch Đằng, Chí Linh, Hải Dương")},
        set(),
    ),
    (
        "Tổ chức các tuyến buýt, lộ trình từ Tân Sơn Nhất đến Đồng Nai, Bình Dương, Bà Rịa - Vũng Tàu.",
        set(),
        {("address", "Đồng Nai, Bình Dương, Bà Rịa - Vũng Tàu")},
    ),
    # names: a hospital department, a branch, a street corner, a clinic named after its doctor are no person (tuning)
    (
        "Bệnh nhân đến phòng 612, khoa Thận Nội tiết để thăm chị T.T.T.V.",
        {("name", "T.T.T.V.")},
        {("name", "Thận Nội")},
    ),
    ("Bệnh nhân được đưa vào Khoa cấp cứu của Bệnh viện đa khoa tỉnh.", set(), {("name", "Khoa")}),
    ("Bệnh nhân C là nhân viên Chi nhánh một Ngân hàng.", set(), {("name", "Chi")}),
    (
        "Starbucks coffee store, tại góc Phạm Hồng Thái và Nguyễn Thị Nghĩa, từ 21h đến 21h45 ngày 13/5.",
        set(),
        {("name", "Phạm Hồng Thái"), ("name", "Nguyễn Thị Nghĩa")},
    ),
    ("Phòng khám Trần Diệp Khanh, 25 Nguyễn Oanh, từ 17h-19h ngày 20/5.", set(), {("name", "Trần Diệp Khanh")}),
    ("Anh Khoa cho biết đã đi khám ngay.", {("name", "Khoa")}, set()),
]


@pytest.mark.parametrize("text,present,absent", CASES, ids=case_ids(CASES))
def test_round11_forms(text, present, absent):
    check_form(text, present, absent)
