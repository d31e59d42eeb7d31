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
