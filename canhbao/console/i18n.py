"""Interface text in Vietnamese (default) and English, and times in the deployment's zone."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from canhbao.core.records import ALERT_TYPE_LABELS

LANGS = ("vi", "en")

# key -> (vi, en)
TEXT: dict[str, tuple[str, str]] = {
    "app": ("Cảnh báo — bảng điều khiển", "canhbao console"),
    "login": ("Đăng nhập", "Log in"),
    "logout": ("Đăng xuất", "Log out"),
    "username": ("Tên đăng nhập", "User name"),
    "password": ("Mật khẩu", "Password"),
    "login_failed": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong user name or password."),
    "throttled": ("Quá nhiều lần đăng nhập sai. Vui lòng thử lại sau.", "Too many failed logins. Try again later."),
    "queue": ("Hàng đợi cảnh báo", "Alert queue"),
    "cases": ("Vụ việc", "Cases"),
    "verify": ("Kiểm tra gói chứng cứ", "Verify evidence"),
    "audit": ("Nhật ký kiểm toán", "Audit log"),
    "search": ("Tìm kiếm (có hoặc không dấu)", "Search (with or without diacritics)"),
    "filter": ("Lọc", "Filter"),
    "all": ("Tất cả", "All"),
    "type": ("Loại", "Type"),
    "status": ("Trạng thái", "Status"),
    "platform": ("Nền tảng", "Platform"),
    "source": ("Nguồn", "Source"),
    "document": ("Số văn bản", "Document number"),
    "claim": ("Mã tin giả", "Claim id"),
    "since": ("Từ ngày", "From"),
    "until": ("Đến ngày", "Until"),
    "sort": ("Sắp xếp", "Sort"),
    "score": ("Điểm", "Score"),
    "captured": ("Thời điểm thu thập", "Captured"),
    "published": ("Thời điểm đăng", "Published"),
    "assignee": ("Người xử lý", "Assignee"),
    "summary": ("Tóm tắt", "Summary"),
    "tags": ("Nhãn", "Tags"),
    "notes": ("Ghi chú", "Notes"),
    "newest": ("Mới nhất", "Newest"),
    "oldest": ("Cũ nhất", "Oldest"),
    "highest": ("Điểm cao nhất", "Highest score"),
    "lowest": ("Điểm thấp nhất", "Lowest score"),
    "recent_change": ("Vừa cập nhật", "Recently changed"),
    "results": ("kết quả", "results"),
    "page": ("Trang", "Page"),
    "prev": ("Trang trước", "Previous"),
    "next": ("Trang sau", "Next"),
    "none": ("Không có cảnh báo nào.", "No alerts."),
    "selected": ("Với các cảnh báo đã chọn", "With the selected alerts"),
    "apply": ("Thực hiện", "Apply"),
    "ack": ("Tiếp nhận", "Acknowledge"),
    "confirm": ("Xác nhận vi phạm", "Confirm"),
    "dismiss": ("Bác bỏ", "Dismiss"),
    "reopen": ("Mở lại", "Reopen"),
    "assign": ("Giao cho", "Assign to"),
    "add_tag": ("Gắn nhãn", "Add tag"),
    "add_note": ("Thêm ghi chú", "Add note"),
    "new_case": ("Tạo vụ việc mới", "New case"),
    "add_to_case": ("Thêm vào vụ việc", "Add to case"),
    "reason": ("Lý do đóng", "Close reason"),
    "note": ("Ghi chú", "Note"),
    "save": ("Lưu", "Save"),
    "violation": ("Vi phạm", "Violation"),
    "false_positive": ("Báo nhầm", "False positive"),
    "duplicate": ("Trùng lặp", "Duplicate"),
    "out_of_scope": ("Ngoài phạm vi", "Out of scope"),
    "open": ("Mới", "Open"),
    "acknowledged": ("Đã tiếp nhận", "Acknowledged"),
    "confirmed": ("Đã xác nhận", "Confirmed"),
    "dismissed": ("Đã bác bỏ", "Dismissed"),
    **{t: (label.short["vi"], label.short["en"]) for t, label in ALERT_TYPE_LABELS.items()},
    "post": ("Bài đăng", "Post"),
    "author": ("Tác giả", "Author"),
    "link": ("Đường dẫn", "Link"),
    "media": ("Hình ảnh", "Media"),
    "capture": ("Trang đã thu thập", "Page as captured"),
    "masked_text": ("Nội dung (đã che thông tin cá nhân)", "Text (personal data masked)"),
    "capture_masked": ("Bài đăng đã thu thập (đã che thông tin cá nhân)", "Post as captured (personal data masked)"),
    "withheld": (
        "Trang gốc và ảnh có thông tin cá nhân: chỉ người có quyền xem bản không che mới xem được.",
        "The raw page and media with personal data: shown only to roles allowed to see them unmasked.",
    ),
    "registered_page": ("Trang văn bản đã đăng ký", "Registered page"),
    "posted_image": ("Ảnh được đăng", "Posted image"),
    "matched_lines": ("Dòng trùng khớp được tô sáng", "Matched lines highlighted"),
    "entities": ("Loại thông tin cá nhân", "Personal data kinds"),
    "category": ("Nhóm", "Category"),
    "matched_claim": ("Tin giả đã được bác bỏ", "Debunked claim"),
    "debunk": ("Bác bỏ", "Debunk"),
    "similarity": ("Độ tương đồng", "Similarity"),
    "verdict": ("Kết luận", "Verdict"),
    "history": ("Lịch sử xử lý", "History"),
    "actions": ("Thao tác", "Actions"),
    "evidence": ("Chứng cứ", "Evidence"),
    "export": ("Xuất gói chứng cứ", "Export evidence"),
    "unmasked": ("Không che thông tin cá nhân", "Unmasked (personal data)"),
    "no_live": ("Không truy cập đường dẫn gốc", "Do not visit the live URL"),
    "bundles": ("Các gói đã xuất", "Exported bundles"),
    "download": ("Tải về", "Download"),
    "not_allowed": ("Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this."),
    "upload": ("Chọn tệp ZIP", "Choose a ZIP file"),
    "check": ("Kiểm tra", "Check"),
    "valid": ("Hợp lệ", "Valid"),
    "altered": ("Đã bị thay đổi", "Altered"),
    "case": ("Vụ việc", "Case"),
    "alerts": ("Cảnh báo", "Alerts"),
    "timeline": ("Diễn biến", "Timeline"),
    "platforms": ("Nền tảng", "Platforms"),
    "takedown": ("Tình trạng gỡ bỏ", "Takedown"),
    "kind": ("Loại vụ việc", "Kind"),
    "by_document": ("Theo văn bản", "By document"),
    "by_claim": ("Theo tin giả", "By claim"),
    "manual": ("Tạo thủ công", "By hand"),
    "title": ("Tên", "Title"),
    "created": ("Tạo lúc", "Created"),
    "count": ("Số cảnh báo", "Alerts"),
    "actor": ("Người thực hiện", "Actor"),
    "action": ("Thao tác", "Action"),
    "target": ("Đối tượng", "Target"),
    "time": ("Thời gian", "Time"),
    "details": ("Chi tiết", "Details"),
    "done": ("Đã thực hiện", "Done"),
    "failed": ("Không thực hiện được", "Failed"),
    "role": ("Vai trò", "Role"),
    "unknown_state": ("chưa kiểm tra", "not checked"),
    "language": ("English", "Tiếng Việt"),
    "csrf": ("Phiên làm việc không hợp lệ, vui lòng tải lại trang.", "Invalid form token; reload the page."),
    "select_all": ("Chọn tất cả", "Select all"),
    "open_alert": ("Xem", "Open"),
    "export_done": ("Đã xuất gói chứng cứ", "Evidence exported"),
    "file": ("Tệp", "File"),
}


def translate(key: str, lang: str) -> str:
    pair = TEXT.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def local_time(dt: datetime | None, zone: ZoneInfo, *, seconds: bool = False) -> str:
    """'2026-11-01 15:00 +07:00': always with the offset, so nobody mistakes it for UTC."""
    if dt is None:
        return "—"
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    local = dt.astimezone(zone)
    offset = local.strftime("%z")
    return local.strftime("%Y-%m-%d %H:%M" + (":%S" if seconds else "")) + f" {offset[:3]}:{offset[3:]}"
