"""What the demo's sample site shows: posts on a Facebook page, a Facebook group, a Zalo OA page and a
Telegram channel, each labelled with the alerts it must (and must not) raise.

Planted: screenshots and phone photos of registered seed letters (leak), a text post quoting a
registered letter (leak), posts exposing a Covid patient's identity (pii_exposure), rumours from the
claim bank reworded the way they travel (fake_news). Ordinary posts (weather, adverts with a phone
number, official news, a screenshot of an unregistered letter, holiday photos) must raise nothing.
All names, phone numbers and addresses below are invented.
"""

from __future__ import annotations

from dataclasses import dataclass

# Seed letters registered by the demo; 004 stays unregistered so its screenshot is a negative.
REGISTERED_SEEDS = ("000", "001", "002", "003")


@dataclass(frozen=True)
class DemoImage:
    kind: str  # letter | photo
    seed: str = ""  # seed file prefix for letters ("000")
    transform: str = ""  # name in canhbao.distort.TRANSFORMS
    page: int = 0


@dataclass(frozen=True)
class DemoPost:
    feed: str
    post_id: str
    author: str
    time_text: str
    text: str
    images: tuple[DemoImage, ...] = ()
    expect: frozenset[str] = frozenset()  # alert types this post must raise; empty = must raise none


FEEDS = {
    "tin_nong_kg": ("facebook_page", "Tin Nóng Kiên Giang 24h"),
    "hoi_rach_gia": ("facebook_group", "Hội Những Người Yêu Rạch Giá"),
    "oa_phuong_vinh_thanh": ("zalo_oa", "Phường Vĩnh Thanh Vân"),
    "kenh_tin_nhanh": ("telegram_channel", "Kênh Tin Nhanh 247"),
}

LEAK, PII, FAKE = frozenset({"leak"}), frozenset({"pii_exposure"}), frozenset({"fake_news"})

POSTS: tuple[DemoPost, ...] = (
    # --- Facebook page ---
    DemoPost(
        "tin_nong_kg",
        "1001",
        "Tin Nóng Kiên Giang 24h",
        "2 giờ",
        "Văn bản mới nhất của tỉnh về việc chấn chỉnh thông tin Covid, anh em đọc để biết nhé 👇",
        (DemoImage("letter", "000", "screenshot", 0),),
        LEAK,
    ),
    DemoPost(
        "tin_nong_kg",
        "1002",
        "Tin Nóng Kiên Giang 24h",
        "5 giờ",
        "Trời Rạch Giá hôm nay nắng nhẹ, chiều tối có mưa rào rải rác. Mọi người ra đường nhớ mang áo mưa.",
        expect=frozenset(),
    ),
    DemoPost(
        "tin_nong_kg",
        "1003",
        "Tin Nóng Kiên Giang 24h",
        "Hôm qua lúc 21:30",
        "NÓNG!!! Uống nước chanh gừng tỏi nóng mỗi ngày là diệt sạch virus Covid, khỏi cần đi viện. "
        "Chia sẻ ngay cho người thân!!! #covid19 #suckhoe 🍋🧄",
        expect=FAKE,
    ),
    DemoPost(
        "tin_nong_kg",
        "1004",
        "Tin Nóng Kiên Giang 24h",
        "Hôm qua lúc 18:05",
        "Sở Y tế gửi công văn cho các đơn vị, ai làm ngành y xem kỹ nha",
        (DemoImage("letter", "001", "photo", 0),),
        LEAK,
    ),
    DemoPost(
        "tin_nong_kg",
        "1005",
        "Tin Nóng Kiên Giang 24h",
        "2 ngày",
        "Chúc mừng đội bóng thiếu niên Rạch Giá vô địch giải bóng đá hè 2021! Cả đội đã thi đấu rất xuất sắc.",
        (DemoImage("photo"),),
        frozenset(),
    ),
    # --- Facebook group ---
    DemoPost(
        "hoi_rach_gia",
        "2001",
        "Trần Thị Mỹ Linh",
        "3 giờ",
        "Thông báo khẩn: bệnh nhân BN 4521 là ông Nguyễn Văn Hùng, 45 tuổi, nhà ở số 12 đường Trần Phú, "
        "phường Vĩnh Thanh Vân, TP Rạch Giá, Kiên Giang, đã dương tính với Covid-19. Ai tiếp xúc gần "
        "với ông Hùng gọi số 0912 345 678 để khai báo và tự cách ly ngay.",
        expect=PII,
    ),
    DemoPost(
        "hoi_rach_gia",
        "2002",
        "Lê Văn Tâm",
        "4 giờ",
        "Cần bán xe Honda Wave đời 2018 còn mới, giá 12 triệu, xem xe tại số 45 Nguyễn Trung Trực, "
        "Rạch Giá. Liên hệ anh Tâm 0987 654 321.",
        expect=frozenset(),
    ),
    DemoPost(
        "hoi_rach_gia",
        "2003",
        "Phạm Quốc Bảo",
        "6 giờ",
        "Có ai biết văn bản này thật không? Thấy chia sẻ nhiều quá",
        (DemoImage("letter", "000", "band", 0),),
        LEAK,
    ),
    DemoPost(
        "hoi_rach_gia",
        "2004",
        "Nguyễn Thị Hoa",
        "Hôm qua lúc 07:45",
        "Chị F0 ở tổ 5 ấp Tà Tây, xã Phi Thông tên Võ Thị Lan sinh năm 1988, CCCD 091188001234, "
        "đang điều trị tại bệnh viện dã chiến, cả nhà chị ấy đang cách ly tại nhà nha mọi người.",
        expect=PII,
    ),
    DemoPost(
        "hoi_rach_gia",
        "2005",
        "Đỗ Minh Khang",
        "Hôm qua lúc 10:20",
        # typed without tone marks; it repeats the claim's facts (vaccine -> infertility, women and men). The
        # earlier wording ("... la bi vo sinh do") scored 0.943 on the float model, 0.013 over the `matched`
        # tier, and fell under it with int8 numerics on a CPU without VNNI: a demo post is no borderline case
        "Tiem vac xin Covid-19 gay vo sinh o ca phu nu va nam gioi do, ca nha minh khong ai di tiem dau. "
        "Moi nguoi can than!!!",
        expect=FAKE,
    ),
    DemoPost(
        "hoi_rach_gia",
        "2006",
        "Huỳnh Gia Bảo",
        "2 ngày",
        "Chợ Rạch Sỏi sáng nay bán cá tươi lắm, giá cá thu 180 nghìn một ký, ai cần mua thì ghé sớm.",
        expect=frozenset(),
    ),
    # --- Zalo OA ---
    DemoPost(
        "oa_phuong_vinh_thanh",
        "3001",
        "Phường Vĩnh Thanh Vân",
        "1 giờ",
        "UBND phường Vĩnh Thanh Vân thông báo lịch tiêm vắc xin mũi 2 cho người dân khu phố 3 vào sáng "
        "thứ Bảy tại trường tiểu học Vĩnh Thanh Vân. Người dân mang theo căn cước công dân.",
        expect=frozenset(),
    ),
    DemoPost(
        "oa_phuong_vinh_thanh",
        "3002",
        "Phường Vĩnh Thanh Vân",
        "7 giờ",
        'Trích công văn gửi các đơn vị: "Nhằm đảm bảo quản lý hệ thống thông tin trên báo chí và mạng xã hội, '
        "Sở Y tế ghi nhận những thông tin phản ánh về công tác y tế tại các đơn vị trực thuộc chưa đầy đủ, "
        "kịp thời và còn có một số thông tin chưa chính xác, thiếu dẫn chứng hoặc phân tích chuyên môn; từ đó "
        'dẫn đến sự hiểu nhầm, thậm chí gây hoang mang, tạo dư luận không tốt". Đề nghị cán bộ lưu ý.',
        expect=LEAK,
    ),
    DemoPost(
        "oa_phuong_vinh_thanh",
        "3003",
        "Phường Vĩnh Thanh Vân",
        "3 ngày",
        "Phòng, chống dịch Covid-19: người dân thực hiện 5K, hạn chế ra ngoài khi không cần thiết và khai "
        "báo y tế đầy đủ. Mọi thông tin chính thức được đăng trên cổng thông tin của tỉnh.",
        expect=frozenset(),
    ),
    # --- Telegram channel ---
    DemoPost(
        "kenh_tin_nhanh",
        "41",
        "Kênh Tin Nhanh 247",
        "30 phút",
        "‼️ Tin từ người nhà làm trong ủy ban: KIÊN GIANG SẼ PHONG TỎA TOÀN TỈNH TỪ 0H ĐÊM NAY, cấm xe ra vào, "
        "đóng hết chợ. Mọi người đi mua đồ dự trữ gấp!!!",
        expect=FAKE,
    ),
    DemoPost(
        "kenh_tin_nhanh",
        "42",
        "Kênh Tin Nhanh 247",
        "4 giờ",
        "Văn bản huyện Bạch Thông gửi các xã",
        (DemoImage("letter", "004", "screenshot", 0),),
        frozenset(),
    ),
    DemoPost(
        "kenh_tin_nhanh",
        "43",
        "Kênh Tin Nhanh 247",
        "8 giờ",
        "Công an tỉnh gửi văn bản đề nghị các sở ngành phối hợp quản lý mạng xã hội",
        (DemoImage("letter", "002", "jpeg", 0),),
        LEAK,
    ),
    DemoPost(
        "kenh_tin_nhanh",
        "44",
        "Kênh Tin Nhanh 247",
        "Hôm qua lúc 14:00",
        "Giá xăng RON 95 giảm 300 đồng một lít từ 15 giờ chiều nay theo điều chỉnh của liên bộ.",
        expect=frozenset(),
    ),
)
