"""Person names, round 3 rules, on hand-written sentences (not from the evaluation corpus): a patient context
wins over the public-figure, historical and foreign-name checks; well-known public figures named without a
title are no private person; a bare name opening a sentence as the subject of a person's act is one."""

from __future__ import annotations

import pytest

from canhbao.detectors.pii.detector import find_entities


def _names(text: str) -> list[str]:
    return [text[e.start : e.end] for e in find_entities(text) if e.type == "name"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Bệnh nhân Lê Quang Liêm, 30 tuổi, trú tại phường 5.", "Lê Quang Liêm"),  # a namesake, as a patient
        ("BN 1234 là ông Phạm Văn Đồng, 67 tuổi, nghỉ hưu.", "Phạm Văn Đồng"),  # a street's name, as a patient
        ("Ca bệnh 99 là bác sĩ Nguyễn Thị Hoa (BN 99), 41 tuổi.", "Nguyễn Thị Hoa"),  # a doctor who is a patient
        ("Tiếp xúc gần với bệnh nhân có ông John Miller, giáo viên tiếng Anh.", "John Miller"),  # foreign contact
        ("Bệnh nhân thứ 183 là phóng viên Trần Thị Hạnh, làm việc tại Hà Nội.", "Trần Thị Hạnh"),
        ("BN2001 là nữ kỹ sư T.T.M. 35 tuổi, sống cùng gia đình.", "T.T.M."),
        ("Công an bắt Vũ Văn Tâm (29 tuổi) tại nhà riêng.", "Vũ Văn Tâm"),  # "Vũ" is a surname, not "Vụ"
        ("Hôm sau, Quỳnh đưa con về quê ngoại.", "Quỳnh"),
        ("Hằng bị chồng đánh suốt nhiều năm.", "Hằng"),
        ("Không may, Đoàn bị ngã xuống mương.", "Đoàn"),
        # round 4: kinship words and clause openings
        ("Bố mẹ Tuyết không đồng ý cho hai người cưới.", "Tuyết"),
        ("Gia đình Khánh cho biết anh đi làm từ sáng.", "Khánh"),
        ("Chính thằng B. cũng thừa nhận với hàng xóm.", "B."),
        ("Vụ va chạm xảy ra sau khi Hiệp lái xe vào làn xe máy.", "Hiệp"),
        ("Duyên biết chuyện nhưng không nói với ai.", "Duyên"),
        ("Theo chị Hoa, con gái chị đi học về muộn.", "Hoa"),
        ("Nhóm người này đe dọa và yêu cầu K. phải viết giấy nhận nợ.", "K."),
    ],
)
def test_private_person_is_a_name(text, name):
    assert name in _names(text)


@pytest.mark.parametrize(
    "text",
    [
        "Bệnh nhân được bác sĩ Nguyễn Văn Khánh trực tiếp điều trị.",  # a doctor in role, in a patient's clause
        "Con gái của Phi Nhung vừa ra mắt khán giả.",
        "Lê Quang Liêm thắng ván thứ ba với quân trắng.",
        "Tối qua Sơn Tùng MTP ra mắt ca khúc mới.",
        "Trường tiểu học N.V.T tổ chức lễ khai giảng.",
        "Lưu ý: người dân không tụ tập đông người.",
        "Nghiên cứu Vũ trụ là một nghiệp vụ vô tuyến.",
        "Trang bị thiết bị phát hiện phóng xạ cho cửa khẩu.",
        "Liên quan đến vụ việc, công an đã vào cuộc.",
        # round 4: titles, places, named things and people quoted in their role
        "Hôm đó có cô Tổ trưởng dân phố đi cùng đoàn.",
        "Ông Trần Văn Bảo - Trưởng Phòng đào tạo, cho biết thêm.",
        "Ngư dân kéo lưới trên sông Hoàng Hà suốt đêm.",
        "Cửa hàng nằm ngay ngã tư Trần Hưng Đạo – Nguyễn Trãi.",
        "Chú chó có tên là Milo được chủ đưa đi khám.",
        "Loại thuốc mang tên Remdex-V được cấp phép tuần trước.",
        "Một nam sinh Hải Phòng vừa giành học bổng toàn phần.",
        "Theo ông Tuấn, số liệu này đã được cơ quan thống kê xác nhận.",
        "Cô Nguyễn Thị Lan, giáo viên trường THPT Chu Văn An cho rằng đề thi quá khó.",
        "Phong trào thi đua được phát động trong toàn tỉnh.",
        "Bệnh này thuộc nhóm B. theo luật phòng chống bệnh truyền nhiễm.",
    ],
)
def test_public_figure_or_common_word_is_no_name(text):
    assert _names(text) == []


# Round 6 (dev only): a patient or contact named at the start of a line or sentence of a case notice. Round 5
# changed line-break and sentence-opening handling and lost one Covid name on the test split; these hand-written
# notices pin the pattern down (the round-4 and round-5 detectors agree on all of them and on every dev sentence).
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bệnh nhân 1001:\nNguyễn Thị Lan, 45 tuổi, trú phường Hòa Minh.", ["Nguyễn Thị Lan"]),
        ("THÔNG BÁO KHẨN\nÔng Trần Văn Hùng, 60 tuổi, đi chợ Hàn ngày 2/8.", ["Trần Văn Hùng"]),
        ("Ca bệnh 953 (bệnh nhân 953): Nữ, 56 tuổi.\nChị H. đi chợ Cẩm Lệ.", ["H."]),
        ("Người tiếp xúc: anh\nHoàng Minh Tuấn, 30 tuổi.", ["Hoàng Minh Tuấn"]),
        (
            "Bệnh nhân Nguyễn Văn Dũng (BN 900). Dũng đi chợ Hàn rồi về nhà ở đường Trần Phú.",
            ["Nguyễn Văn Dũng", "Dũng"],
        ),
        ("Anh Phú, 41 tuổi, sống trên đường Trần Phú.", ["Phú"]),  # a street of the same given name
        ("Bà Trinh, 66 tuổi, đến 222 Phan Châu Trinh.", ["Trinh"]),
        ("Bà Phạm Thị Bình, 70 tuổi: Bình vẫn sinh hoạt bình thường.", ["Phạm Thị Bình", "Bình"]),
    ],
)
def test_name_opening_a_line_or_sentence_of_a_notice(text, expected):
    assert _names(text) == expected


# Found on dev after the round-6 code freeze (docs/pii-guideline.md, round 6), fixed in round 7 (dev only): a
# later bare mention right after a capitalised ordinary word that opens a sentence or a quote is a mention, not
# the tail of a longer capitalised name; the tails that rule was written for stay dropped.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bệnh nhân Nguyễn Văn Hùng, 40 tuổi. Sau Hùng, vợ anh cũng dương tính.", ["Nguyễn Văn Hùng", "Hùng"]),
        ("Bệnh nhân Trần Thị Mai, 30 tuổi. Cả Mai và chồng đều đi chợ Hàn.", ["Trần Thị Mai", "Mai"]),
        ("Mẹ Hùng động viên con dâu: “Thằng Hùng nó nói phải đấy, con ở nhà nghỉ đi”.", ["Hùng", "Hùng"]),
        ("Chị Đào Thị Thắm, 30 tuổi. Còn Thắm thì ở nhà.", ["Đào Thị Thắm", "Thắm"]),
        # the tails the rule is for: a place, a nickname ("Sáu" folds like "Sau")
        ("Anh Lê Văn Kiếm, 30 tuổi. Hoàn Kiếm là quận anh sống.", ["Lê Văn Kiếm"]),
        ("Ông Ngô Văn Trừ, 60 tuổi. Sáu Trừ đánh bại hàng trăm giang hồ.", ["Ngô Văn Trừ"]),
        # without tone marks "Sau" cannot be told from the nickname "Sáu": the tail rule stays
        ("Benh nhan Nguyen Van Hung, 40 tuoi. Sau Hung, vo anh cung duong tinh.", ["Nguyen Van Hung"]),
    ],
)
def test_mention_after_a_sentence_opening_word(text, expected):
    assert _names(text) == expected


# "Huệ" (a woman's name) and "Huế" (the city) fold to the same letters; where the text has tone marks, they
# are compared as spelled.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bà Huệ, 60 tuổi, đi chợ Đông Ba.", ["Huệ"]),
        ("Bệnh nhân là bà Huệ, trú tại thành phố Huế.", ["Huệ"]),
        ("Chị Huệ đi xe khách từ Huế ra Hà Nội. Sau đó Huệ về nhà.", ["Huệ", "Huệ"]),
        ("Bà Nguyễn Thị Huệ, 60 tuổi. Huệ cho biết bà không sốt.", ["Nguyễn Thị Huệ", "Huệ"]),
        ("Bà Huệ đi từ Huế về. Sau Huế, bà vào Đà Nẵng.", ["Huệ"]),  # the city is no later mention of her
        ("Hôm qua chị ấy ra Huế thăm mẹ.", []),
        ("Anh Hùng vừa từ Huế về.", ["Hùng"]),
        ("Chú Huế đến chơi.", []),  # spelled as the city
    ],
)
def test_hue_the_name_and_hue_the_city(text, expected):
    assert _names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“Bà ơi, bà có lạnh không?”.", []),  # a kinship word called, no name
        ("“Mẹ ơi, con về rồi”, cậu bé nói.", []),
        ("“Chị ơi, cho em hỏi”.", []),
        ("“Tấn ơi, về đi”.", ["Tấn"]),
        # a name alone on an article's last line is its byline
        ("Ngày 23/11, chị Liên trở về Việt Nam.\nHoàng Lam", ["Liên"]),
        ("Bệnh nhân 1001:\nNguyễn Thị Lan", ["Nguyễn Thị Lan"]),
    ],
)
def test_calls_and_closing_bylines(text, expected):
    assert _names(text) == expected
