"""Sample data: the 2021 letters in `canhbao/testing/seeds/`, look-alike letters and topic posts that must not
match them; the page renderer (`canhbao.registry.render`) is re-exported. Used by the demo, tests and benchmarks.

The seed directory is `$CANHBAO_SEEDS`, else the letters shipped in this package (origin in `seeds/SOURCE.md`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from canhbao.core.errors import ConfigError
from canhbao.registry.render import FONT_DIRS, PageLayout, font, render_layout, render_pages, strip_markup

__all__ = [
    "FONT_DIRS",
    "PageLayout",
    "Seed",
    "font",
    "load_seeds",
    "lookalike_letter",
    "render_layout",
    "render_pages",
    "seeds_dir",
    "strip_markup",
    "TOPIC_POSTS",
]


def seeds_dir() -> Path:
    env = os.environ.get("CANHBAO_SEEDS")
    path = Path(env) if env else Path(__file__).resolve().parent / "seeds"
    if not path.is_dir():
        raise ConfigError(
            "CANHBAO_SEEDS", "", f"sample letters not found at {path}; set CANHBAO_SEEDS to the seeds folder"
        )
    return path


@dataclass(frozen=True)
class Seed:
    name: str  # file stem, e.g. 000_35efa774e88aa303
    path: Path
    text: str  # markup (**bold**, *italic*) removed


def load_seeds() -> list[Seed]:
    return [Seed(p.stem, p, strip_markup(p.read_text(encoding="utf-8"))) for p in sorted(seeds_dir().glob("*.txt"))]


# --- look-alikes: letters and posts that must NOT match the seeds -------------------------------------
# Each look-alike keeps a seed's header, recipients, closing formulas and signer (what letters of the same
# office share) and replaces the number, subject and body with a different letter on a nearby topic.

LOOKALIKE_BODIES = (
    (
        "V/v tăng cường kiểm tra an toàn thực phẩm dịp Tết Nguyên đán",
        "Để bảo đảm an toàn thực phẩm trong dịp Tết Nguyên đán, đề nghị các đơn vị tổ chức kiểm tra liên ngành "
        "tại các chợ đầu mối, cơ sở sản xuất bánh mứt kẹo và bếp ăn tập thể của khu công nghiệp. Kết quả kiểm tra "
        "gửi về trước ngày 20 hằng tháng, kèm danh sách cơ sở vi phạm và hình thức xử lý đã áp dụng.\n\n"
        "Các đơn vị chủ động bố trí kinh phí lấy mẫu xét nghiệm nhanh, phối hợp với lực lượng quản lý thị trường "
        "trong việc truy xuất nguồn gốc hàng hóa nhập lậu, đồng thời tuyên truyền để người tiêu dùng lựa chọn "
        "sản phẩm có nhãn mác rõ ràng.",
    ),
    (
        "V/v đẩy nhanh tiến độ giải ngân vốn đầu tư công năm 2021",
        "Tính đến cuối tháng 8, tỷ lệ giải ngân vốn đầu tư công của nhiều chủ đầu tư còn thấp so với kế hoạch "
        "được giao, nguyên nhân chủ yếu do vướng mắc trong công tác bồi thường, giải phóng mặt bằng và thủ tục "
        "điều chỉnh dự án. Đề nghị người đứng đầu các đơn vị trực tiếp chỉ đạo, rà soát từng dự án chậm tiến độ.\n\n"
        "Những dự án không có khả năng giải ngân hết vốn trong năm phải báo cáo đề xuất điều chuyển sang dự án "
        "khác có nhu cầu, tránh để tồn đọng vốn; việc chậm báo cáo sẽ được xem xét khi đánh giá mức độ hoàn "
        "thành nhiệm vụ cuối năm của tập thể và cá nhân.",
    ),
    (
        "V/v tổ chức tiêm vắc xin phòng Covid-19 đợt 5 cho người lao động",
        "Căn cứ số lượng vắc xin được phân bổ đợt 5, đề nghị các đơn vị lập danh sách người lao động tại các "
        "doanh nghiệp sản xuất, chợ và bến xe chưa được tiêm mũi một, sắp xếp theo thứ tự ưu tiên về độ tuổi "
        "và nguy cơ phơi nhiễm. Điểm tiêm phải bố trí khu chờ riêng, bảo đảm giãn cách và có đội cấp cứu lưu động.\n\n"
        "Trung tâm Kiểm soát bệnh tật tỉnh tiếp nhận, bảo quản vắc xin trong dây chuyền lạnh, cấp phát cho các "
        "huyện trong vòng 24 giờ và tổng hợp số liệu tiêm chủng hằng ngày trên hệ thống quản lý tiêm chủng.",
    ),
    (
        "V/v chuẩn bị phương án ứng phó bão số 5 và mưa lũ",
        "Theo dự báo của Đài Khí tượng thủy văn khu vực, bão số 5 có khả năng đổ bộ vào vùng biển phía Nam trong "
        "hai ngày tới, kèm theo mưa lớn diện rộng và nước dâng. Các đơn vị kiểm đếm tàu thuyền, hướng dẫn ngư dân "
        "vào nơi tránh trú an toàn, kiểm tra hệ thống đê bao, cống và các khu dân cư ven sông.\n\n"
        "Lực lượng cứu hộ trực sẵn sàng phương tiện, nhu yếu phẩm và thuốc men tại các điểm xung yếu; báo cáo tình "
        "hình thiệt hại về Ban Chỉ huy phòng chống thiên tai trước 16 giờ hằng ngày.",
    ),
)


def lookalike_letter(seed: Seed, variant: int) -> str:
    """`seed`'s header and closing around a different letter (`LOOKALIKE_BODIES[variant]`), renumbered."""
    subject, body = LOOKALIKE_BODIES[variant % len(LOOKALIKE_BODIES)]
    lines = seed.text.splitlines()
    folded = [ln.strip().lower() for ln in lines]
    start = next((i for i, ln in enumerate(folded) if ln.startswith("kính gửi")), 0)
    head_end = start
    while head_end + 1 < len(lines) and (
        not lines[head_end + 1].strip() or lines[head_end + 1].lstrip().startswith("-")
    ):
        head_end += 1
    close = next((i for i, ln in enumerate(folded) if ln.startswith("nơi nhận")), len(lines))
    end = next((i for i, ln in enumerate(folded) if i > close and ln.startswith("ký bởi")), len(lines))
    head, in_subject = [], False
    for ln in lines[: head_end + 1]:  # drop the seed's subject (V/v and its continuation lines)
        in_subject = ln.strip().lower().startswith("v/v") or (in_subject and bool(ln.strip()))
        if not in_subject:
            head.append(re.sub(r"(Số:\s*)(\d+)", lambda m: f"{m.group(1)}{int(m.group(2)) + 17 + variant}", ln))
    return "\n".join(head + ["", subject, "", body, ""] + lines[close:end]).strip()


# Ordinary posts on the same topics as the seeds: quote nothing, must not match.
TOPIC_POSTS = (
    "Công an tỉnh vừa nhắc nhở người dân không chia sẻ thông tin sai sự thật về dịch Covid-19 trên mạng xã hội. "
    "Ai đăng tin giả có thể bị xử phạt theo Nghị định 15/2020/NĐ-CP. Mọi người cẩn thận nhé!",
    "Sở Y tế Kiên Giang cho biết đang tăng cường quản lý thông tin trên báo chí và mạng xã hội, đề nghị cán bộ "
    "ngành y tế không phát ngôn tùy tiện. Chúc các y bác sĩ nhiều sức khỏe trong mùa dịch.",
    "Hôm nay phường mình có thông báo làm việc tại nhà 14 ngày theo Chỉ thị 16, chỉ ra ngoài khi thật sự cần "
    "thiết như mua lương thực, thực phẩm. Nhớ đeo khẩu trang và khai báo y tế đầy đủ nha cả nhà.",
    "Tin giả về vắc xin Covid-19 lan truyền trên Facebook, Zalo khiến nhiều người hoang mang. Phòng Văn hóa và "
    "Thông tin huyện khuyến cáo chỉ tin vào nguồn chính thống, không chia sẻ khi chưa kiểm chứng.",
    "Tỉnh Kiên Giang yêu cầu các sở, ban, ngành không đăng tải tài liệu nội bộ lên mạng xã hội, không tiết lộ "
    "danh tính bệnh nhân Covid-19. Quy định này đúng quá, bảo vệ quyền riêng tư của người bệnh.",
    "Kính gửi quý anh chị em, phòng chống dịch bệnh Covid-19 là trách nhiệm của toàn dân. Đề nghị mọi người "
    "thực hiện 5K, tiêm vắc xin đầy đủ và theo dõi thông tin chính thức từ Bộ Y tế.",
)
