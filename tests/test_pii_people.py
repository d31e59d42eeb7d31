"""Document-level name resolution (detectors/pii/people.py) on hand-written texts (not from the evaluation
corpus): a person keeps the role the text introduced them in when later named short."""

from __future__ import annotations

from canhbao.detectors.pii import people
from canhbao.detectors.pii.detector import find_entities
from canhbao.detectors.pii.patterns import Span


def _names(text: str) -> list[str]:
    return [text[e.start : e.end] for e in find_entities(text) if e.type == "name"]


QUOTE = "Ông Cảnh nói sự việc này ảnh hưởng nghiêm trọng đến nhà trường."


def test_an_official_introduced_with_a_title_is_no_private_person_later():
    alone = _names(QUOTE)
    assert alone == ["Cảnh"]  # a sentence alone cannot tell him from a private person
    text = "Sáng 24/11, ông Phạm Minh Cảnh, Chủ tịch UBND xã Duy Ninh, đã đến hiện trường.\n" + QUOTE
    assert "Cảnh" not in _names(text)
    full = "Phó giám đốc Sở Y tế Trần Văn Thành cho biết thêm. Sau đó, ông Trần Văn Thành đã đến bệnh viện."
    assert _names(full) == []  # the full name again, with a respect honorific only


def test_a_title_line_opening_with_the_honorific_introduces_the_official():
    text = "Thông tin thí điểm chữ viết mới là sai\nÔng Phạm Ngọc Thanh, Phó giám đốc Sở GD&ĐT.\nÔng Thanh nói thêm."
    assert _names(text) == []


def test_a_private_person_keeps_the_private_role_when_quoted_like_an_official():
    text = "Ông Hoàng Văn Tư, 62 tuổi, là bố của nạn nhân. Ông Tư cho biết gia đình rất đau buồn."
    names = _names(text)
    assert names.count("Tư") == 1 and "Hoàng Văn Tư" in names


def test_a_foreign_private_person_named_by_surname_later():
    text = "Theo Chinapress, ông Maeda, 70 tuổi, sống ở Nhật.\nÔng Maeda sống tiết kiệm.\nMaeda ước tính như vậy."
    assert _names(text) == ["Maeda", "Maeda", "Maeda"]
    assert _names("Ông Maeda sống tiết kiệm.") == []  # alone: a foreign name without a private cue


def test_namesakes_introduced_both_ways_stay_as_each_sentence_decides():
    text = (
        "Chủ tịch UBND huyện Nguyễn Văn Hùng đã chỉ đạo. Nạn nhân là anh Lê Văn Hùng, 30 tuổi. "
        "Ông Hùng cho biết sẽ hỗ trợ gia đình."
    )
    assert _names(text) == ["Lê Văn Hùng"]  # "ông Hùng cho biết" is quoted as officials are: undecided, no name


def test_a_mention_is_no_tail_of_a_longer_name_nor_a_thing():
    text = "Ông Nguyễn Công Chánh, Phó chủ tịch UBND quận, cho biết. Tài xế Nissan bỏ chạy. Chiếc Nissan bị giữ lại."
    assert _names(text) == ["Nissan"]  # the driver named by his car is a private person; the car is not


def test_resolve_is_a_pure_function_of_the_candidates():
    span = Span("name", 40, 44, 0.8)
    intro = people.Candidate(0, 15, ("pham", "minh", "canh"), "title", None, person=True)
    plain = people.Candidate(40, 44, ("canh",), "plain", span)
    cast = people.cast([intro, plain])
    assert cast.only_public("canh") and cast.only_public("minh canh")
    assert people.resolve([intro, plain], cast) == []
    private = people.Candidate(0, 15, ("pham", "minh", "canh"), "private", Span("name", 0, 15, 0.9))
    quoted = people.Candidate(40, 44, ("canh",), "quoted", None)
    cast = people.cast([private, quoted])
    assert people.resolve([private, quoted], cast) == [Span("name", 0, 15, 0.9), Span("name", 40, 44, 0.8)]
    place = people.Candidate(0, 9, ("quang", "nam"), "title", None, person=False)
    assert not people.cast([place]).public  # a place after a title introduces nobody
