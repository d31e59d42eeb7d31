"""Regression cases for the round-7 rules (docs/pii-guideline.md, round 7): sentences written for these tests in
the style of Covid case notices and tracing itineraries; none is from the corpus's test split."""

from __future__ import annotations

import pytest

from canhbao.detectors.pii.detector import find_entities


def found(text):
    return [(e.type, text[e.start : e.end]) for e in find_entities(text)]


@pytest.mark.parametrize(
    "text,place",
    [
        # a list item of an urgent notice opening with a venue, with or without a capitalised name
        ("- Quán bánh cuốn bà Hoa: địa chỉ 12 phố Huế (Hà Nội), từ 7-9h ngày 3/3.", "Quán bánh cuốn bà Hoa"),
        ("3. Quán lẩu dê (45 Lê Lợi, Vinh) ngày 5-3 từ 18 giờ.", "Quán lẩu dê"),
        # a venue's name in lower case after its first word, stopping at "từ" or a number
        ("Bà L. làm việc tại quán Gà nướng ông Tư từ 4/4 đến nay.", "quán Gà nướng ông Tư"),
        ("anh là nhân viên nhà hàng Biển xanh 3 tháng nay", "nhà hàng Biển xanh"),
        # a venue then where it is
        (
            "Chiều 2/8, chị mua điện thoại tại cửa hàng Minh Phát trên đường Trần Phú.",
            "cửa hàng Minh Phát trên đường Trần Phú",
        ),
        ("Bệnh nhân đi tham quan chùa Hương (huyện Mỹ Đức) ngày 2/3.", "chùa Hương (huyện Mỹ Đức"),
        ("sau đó ghé khu chợ ngã ba Huế mua rau", "khu chợ ngã ba Huế"),
        ("và quán cà phê Gió (số 9 Lý Thái Tổ) ngày 4/3", "quán cà phê Gió"),
        # a glued "H." district abbreviation in a residence chain
        (
            "Đó là chị L.T.H. ở xã Tân Trường, H.Cẩm Giàng, tỉnh Hải Dương.",
            "xã Tân Trường, H.Cẩm Giàng, tỉnh Hải Dương",
        ),
        # unknown hamlets before a known district in brackets, after a residence cue or a relative's house
        ("anh về quê ở Bình Lãng, Tứ Kỳ (Hải Dương) ngày 10/8", "Bình Lãng, Tứ Kỳ (Hải Dương)"),
        ("anh về nhà ông bà nội tại Cao An, Cẩm Giàng (Hải Dương) chơi", "Cao An, Cẩm Giàng (Hải Dương)"),
        # a person's home in brackets after their name
        ('"Tôi lo lắm", chị Lê Thị Mai (Hoàng Mai, Hà Nội) nói.', "Hoàng Mai, Hà Nội"),
        # a residence cue before a unit keyword whose name the gazetteer does not know
        ("anh Hòa (30 tuổi) ở xã Đông Hưng Lạc, huyện X bị sốt", "xã Đông Hưng Lạc"),
        ("Cả 4 bệnh nhân có địa chỉ tại thành phố Hải Dương, đã được cách ly.", "thành phố Hải Dương"),
        ("vợ anh là chị Trần Thị Hà (ở TP Hạ Long)", "TP Hạ Long"),
        # more venue words of itineraries
        ("Sáng 5/5, bệnh nhân đến ngân hàng Vietcombank rút tiền.", "ngân hàng Vietcombank"),
        ("Học viên này đến Trung tâm Anh ngữ Sao Mai, quận 3 vào ngày 20/11.", "Trung tâm Anh ngữ Sao Mai, quận 3"),
        # unit words of blocks and estates, and names written with digits or dots
        ("Bệnh nhân sống tại khu tập thể Kim Liên, quận Đống Đa.", "khu tập thể Kim Liên, quận Đống Đa"),
        ("BN ở ký túc xá Mỹ Đình, Nam Từ Liêm.", "ký túc xá Mỹ Đình, Nam Từ Liêm"),
        ("trú tại khu dân cư Trần Hưng Đạo, phường Sao Đỏ", "khu dân cư Trần Hưng Đạo, phường Sao Đỏ"),
        ("ở tòa nhà CT4A, phường Mễ Trì", "tòa nhà CT4A, phường Mễ Trì"),
        ("trú tại chung cư HH2 Linh Đàm, Hoàng Mai", "chung cư HH2 Linh Đàm, Hoàng Mai"),
        ("Ngày 20/7, bệnh nhân đến siêu thị Co.opmart Hà Đông.", "siêu thị Co.opmart Hà Đông"),
    ],
)
def test_places_patients_went_and_homes(text, place):
    got = [v for t, v in found(text) if t == "address"]
    assert any(place in g or g in place and len(g) * 2 >= len(place) for g in got), found(text)


@pytest.mark.parametrize(
    "text,not_place",
    [
        ("6. Phòng khám Đa khoa An Bình - Quận 5 ngày 21-3 từ 9 giờ.", "Quận 5"),  # a clinic's own district
        ("ông được nhân viên y tế phường Hà Khẩu đến đo thân nhiệt", "phường Hà Khẩu"),
        ("Trung tâm Y tế phường 5 (quận Gò Vấp) thông báo tìm người", "quận Gò Vấp"),
        ("anh M. bắt xe buýt tuyến 2 Thanh Hà – Hải Dương về nhà", "2 Thanh Hà – Hải Dương"),  # a bus route
        ("ca nhiễm Covid-19 trên địa bàn phường Thịnh Liệt", "phường Thịnh Liệt"),  # an area
        ("người dân huyện Bắc Trà My làm việc ở đó rất đông", "huyện Bắc Trà My"),  # a district's people
        ("F1 của ca bệnh được phát hiện tại huyện Nam Trà My", "huyện Nam Trà My"),  # where an event happened
        ("Chủ tịch xã Duy Ninh (Quảng Ninh, Quảng Bình) cho hay", "Quảng Ninh, Quảng Bình"),  # an office's province
        ("23 người cùng là nhân viên nhà hàng với anh H. đã âm tính", "nhà hàng với anh H"),  # a person, not a name
        (
            "được cách ly tại khu cách ly tập trung Trường THCS Lê Lợi, xã Duy Thành",
            "xã Duy Thành",
        ),  # a quarantine site
        ("được chuyển đến Bệnh viện dã chiến số 2 tại huyện Hòa Vang", "huyện Hòa Vang"),  # where a hospital stands
    ],
)
def test_offices_areas_and_routes_are_no_patient_location(text, not_place):
    assert not any(t == "address" and not_place in v for t, v in found(text)), found(text)


def test_a_place_after_a_hospital_visit_still_counts():
    assert ("address", "quán Hoa, phố Huế") in found("đến Bệnh viện Bạch Mai rồi đi ăn tại quán Hoa, phố Huế")
    assert ("address", "xã Hòa Tiến") in found("điều trị tại Bệnh viện Đà Nẵng, quê ở xã Hòa Tiến")


def test_the_people_of_a_hamlet_and_a_named_persons_people_still_count():
    assert ("address", "thôn Phú Mỹ") in found("Bà con thôn Phú Mỹ chú ý: gia đình anh Quý có người mắc Covid.")
    assert ("address", "Đà Nẵng") in found("chị Đặng Thu Hà (người dân Đà Nẵng) cho biết con bị ngứa")


@pytest.mark.parametrize(
    "text,codes",
    [
        ("Các bệnh nhân tái dương tính gồm 856, 877, 890, 987, 1019.", ["856", "877", "890", "987", "1019"]),
        ("cách ly cùng phòng với Bệnh nhân số 730 (công bố ngày 6/8) và số 935", ["730", "935"]),
    ],
)
def test_enumerations_of_case_numbers(text, codes):
    assert [v for t, v in found(text) if t == "patient_code"] == codes


def test_counts_and_ages_in_a_list_are_no_case_numbers():
    assert not [v for t, v in found("Bệnh nhân gồm 3, 5, 8 người cùng nhà") if t == "patient_code"]
    assert not [v for t, v in found("các trường hợp là 12, 15, 20 tuổi") if t == "patient_code"]


def test_fresh_is_no_age_and_an_age_at_is():
    assert not [v for t, v in found("anh là nhân viên tại nhà hàng Bò tươi 2 tháng nay") if t == "age"]
    assert ("age", "tuổi 64") in found("ông qua đời ở tuổi 64")
    assert ("age", "78 TUỔI") in found("CỤ BÀ 78 TUỔI")


def test_two_initials_in_a_notice_slot_are_a_name_and_a_street_after_its_number_is_not():
    assert ("name", "N.C") in found("Bệnh nhân số 876: N.C , Giới tính: Nam; Sinh năm: 1947")
    assert not [v for t, v in found("Quán tên là 173 Thái Hà, mở cửa từ 7 giờ") if t == "name"]
    assert not [v for t, v in found("Dự án T.Ư và tỉnh cùng làm") if t == "name"]  # no patient cue: no name


def test_a_foreigner_introduced_by_nationality_is_a_private_person():
    assert ("name", "Kenji Tanaka") in found("chuyện của ông Kenji Tanaka (người Nhật Bản) sang Việt Nam cưới vợ")
    assert not [v for t, v in found("Tổng thống Joe Biden (người Mỹ) nói") if t == "name"]  # no private honorific
