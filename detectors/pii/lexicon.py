"""Word lists for telling a private person's name from everything else capitalised in Vietnamese text
(surnames, given names, honorifics, titles, places and things), used by `names`. Folded (no diacritics,
lower case) unless a comment says they keep their tone marks."""

from __future__ import annotations

from canhbao.core.text import fold as pii_fold

# Common Vietnamese surnames (folded): ~99% of the population carries one of these.
SURNAMES = frozenset(
    "nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh mai truong cao lam luong "
    "ha trinh doan la ta thai chu kieu tang quach luu to vuong khuc nghiem chau kim ung au thach lai mac "
    "phung tieu tong giang chung nong lo dam dieu diep hua lang lu ong ton tu bach "
    "khong luc ninh phi than thieu trieu".split()
)
# Words before a name that mark a person, folded, with how each is written with its tone marks: a word
# written otherwise ("bơ vơ Đau", "về cơ bản") is another word. Private ones mark a private person; "ông", "bà",
# "cô", "thầy" are also how officials and public figures are addressed.
PRIVATE_HONORIFICS = {
    "anh": "anh",
    "chi": "chị",
    "em": "em",
    "chau": "cháu",
    "be": "bé",
    "cu": "cụ",
    "benh nhan": "bệnh nhân",
    "bn": "bn",
    "ho ten": "họ tên",
    "ho va ten": "họ và tên",
    "ten": "tên",
    "ten la": "tên là",
    "co ten": "có tên",
    "nguoi benh": "người bệnh",
    "f0": "f0",
    "f1": "f1",
    "vo": "vợ",
    "chong": "chồng",
    "tai xe": "tài xế",
    "doi tuong": "đối tượng",
    "nan nhan": "nạn nhân",
    "nghi pham": "nghi phạm",
    "nghi can": "nghi can",
    "bi can": "bị can",
    "bi cao": "bị cáo",
    "nam sinh": "nam sinh",
    "nu sinh": "nữ sinh",
    "thang": "thằng",
    "me": "mẹ",
    "bo": "bố",
    "gia dinh": "gia đình",
}
RESPECT_HONORIFICS = {
    "ong": "ông",
    "ba": "bà",
    "co": "cô",
    "chu": "chú",
    "bac": "bác",
    "co giao": "cô giáo",
    "thay": "thầy",
}
SPELLED = {**PRIVATE_HONORIFICS, **RESPECT_HONORIFICS}
HONORIFICS = tuple(SPELLED)
# Titles before a name in public office or public life: a public figure acting in that role is not whom the
# rules protect (heads of state, officers, experts, artists and athletes named by their role).
OFFICIAL_TITLES = (
    "bo truong",
    "thu truong",
    "thu tuong",
    "chu tich",
    "pho chu tich",
    "giam doc",
    "pho giam doc",
    "bi thu",
    "pho bi thu",
    "tong bi thu",
    "cuc truong",
    "vu truong",
    "truong ban",
    "bac si",
    "bs",
    "pgs",
    "gs",
    "ts",
    "ths",
    "dai ta",
    "thuong ta",
    "trung ta",
    "thieu tuong",
    "nha bao",
    "phat ngon vien",
    "dai dien",
    "giam doc so",
    "truong phong",
    "ca si",
    "dien vien",
    "tac gia",
    "giao su",
    "pho giao su",
    "tien si",
    "thac si",
    "luat su",
    "dong chi",
    "hieu truong",
    "pho hieu truong",
    "chanh an",
    "tong thu ky",
    "uy vien",
    "truong khoa",
    "pho truong khoa",
    "chanh van phong",
    "tham tan",
    "dai su",
    "tong giam doc",
    "thu truong",
    "chu nhiem",
    "truong tram",
    "giam doc trung tam",
    "trung tuong",
    "thuong tuong",
    "dai tuong",
    "ky su",
    "tong thong",
    "pho tong thong",
    "ngoai truong",
    "nghi si",
    "thuong nghi si",
    "ha nghi si",
    "quoc vuong",
    "nha vua",
    "hoang tu",
    "cong chua",
    "giao hoang",
    "nu hoang",
    "thu linh",
    "chuyen gia",
    "nha nghien cuu",
    "nha khoa hoc",
    "phong vien",
    "bien tap vien",
    "mc",
    "nghe si",
    "nsut",
    "nsnd",
    "dao dien",
    "nguoi mau",
    "hoa hau",
    "a hau",
    "nhac si",
    "hlv",
    "huan luyen vien",
    "tay vot",
    "ky thu",
    "dai kien tuong",
    "danh thu",
    "van dong vien",
    "vdv",
    "thieu ta",
    "dai uy",
    "thuong uy",
    "trung uy",
    "thieu uy",
    "doi truong",
    "giam thi",
    "thanh tra",
    "chanh thanh tra",
    "nguoi phat ngon",
    "nguoi dung dau",
)

# Capitalised words that start sentences or name institutions, never part of a person's name.
NOT_NAME_WORDS = frozenset("covid sars cov ncov ubnd bv cdc who tp tt bhyt cccd cmnd sdt f0 f1 f2 bn vt".split())
NOT_NAMES = frozenset(
    (
        "vu han",
        "viet nam",
        "trieu tien",
        "ho chi minh",
        "duong tinh",
        "am tinh",
        "thai lan",
        "trung quoc",
        "han quoc",
        "nhat ban",
        "an do",
        "hong kong",
        "dai loan",
        "ha lan",
        "ba lan",
        "tay ban nha",
        "bo dao nha",
        "thuy dien",
        "thuy si",
    )
)
# Historical figures: public persons whose names are also streets everywhere ("từ Phạm Văn Đồng đến T20").
HISTORICAL = frozenset(
    "tran hung dao|le loi|nguyen hue|quang trung|ly thuong kiet|hai ba trung|ba trieu|le duan|vo van kiet|"
    "pham van dong|vo nguyen giap|ton duc thang|truong chinh|le thanh tong|ly thai to|ngo quyen|dinh tien hoang|"
    "phan chu trinh|phan boi chau|nguyen trai|nguyen du|nguyen thi minh khai|hoang dieu|nguyen van cu|"
    "nguyen van linh|nguyen tat thanh|nguyen dinh chieu|tran phu|le hong phong|ha huy tap|nguyen chi thanh|"
    "hung vuong|ly tu trong|vo thi sau|nguyen van troi|chu van an|to hien thanh|ton that thuyet|hoang hoa tham|"
    "phan dinh phung|nguyen khuyen|xuan thuy|pham hung|tran quoc toan|nguyen thai hoc|le van luong|tran duy hung|"
    "nguyen luong bang|hoang quoc viet|tran thai tong|nguyen trung truc|nguyen huu tho|tran nhan tong|"
    "ly nam de|mac dinh chi|nguyen binh khiem|le quy don|tran quang khai|tran khanh du|nguyen cong tru|"
    "nguyen an ninh|pham ngu lao|de tham|nguyen thi dinh|truong dinh|cao ba quat|ho tung mau|le van sy".split("|")
)
# Capitalised words that are no given name when they stand alone: regions, countries, feasts, institutions.
BARE_STOP = frozenset(
    "nam bac trung tay dong tet phat troi chua dang viet kinh my nga phap duc anh nhat uc y lao han an thai tau hoa "
    "bi sec cuba nu nha nuoc quoc hoi chinh phu thu do mien hue da nang sai gon ha noi facebook zalo google youtube "
    "tiktok apple samsung honda toyota covid".split()
)
# Stop words above that fold onto a given name spelled otherwise: in text with tone marks only this spelling
# stops ("Huế" the city stops, "Huệ" the woman's name does not).
BARE_STOP_SPELLED = {"hue": "huế"}
# Common Vietnamese given names, with their tone marks ("Quy chế", "Văn phòng", "Chỉ thị" are no "Quý",
# "Vân", "Chi"), for a name written alone in mid-sentence; both places of the tone in "oa"/"uy" are kept.
GIVEN_NAMES = frozenset(
    "an bảo bình châu chi cường dũng duy đạt giang hải hạnh hào hảo hiếu hiền hòa hoà hoa hoàng hồng huệ hùng "
    "hưng hương huy huyền khang khánh khoa kiên lan liên linh loan long lộc mai minh nga ngân nghĩa ngọc nhung "
    "nhi oanh phong phúc phương quân quang quý quyên sơn tâm tân tấn thắng thanh thảo thành thịnh thu thủy thuỷ "
    "thúy thuý tiến toàn trang trí trinh tú tuấn tùng tuyết uyên vân vinh vũ vy xuân yến diệp đào hà đắc lâm "
    "luân nhàn tài thiện thọ tình tường tần dư ánh bích cúc dung duyên điệp gấm hằng hậu khôi kiều lệ liễu "
    "mạnh mến nguyệt như phượng quỳnh thắm thơ thư trâm tuyền vượng hiệp thông tín trọng đắc".split()
)
_GIVEN_FOLDED = frozenset(pii_fold(g) for g in GIVEN_NAMES)
# Two words, the first capitalised, that make a common noun or a title rather than a name.
COMPOUNDS = frozenset(
    "trung tam|benh vien|cong ty|cong an|uy ban|nha may|nha hang|nha nuoc|khu vuc|cho dau|truong hoc|vien kiem|"
    "bo truong|so y|cuc truong|phong kham|ban chi|hoi dong|doi truong|to truong|khoa hoc|sieu thi|cua hang|"
    "thuong ta|trung ta|dai ta|thieu ta|thuong uy|trung uy|dai uy|thieu uy|thieu tuong|trung tuong|dai tuong|"
    "thu tuong|chu tich|giam doc|pho giam|tong thong|bi thu|truong phong|truong ban|chanh an|hieu truong|"
    "thanh pho|thi xa|thi tran|quoc hoi|chinh phu|thu do|tong cuc|chi cuc|quan doi|nha tu|toa an|vien truong|"
    "dai hoc|hoc vien|tieu hoc|trung hoc|mam non|bao tang|ngan hang|tap doan|hoang gia|hoang de|hiep hoi|"
    "hiep dinh|hiep uoc|hiep si|thong tu|thong bao|thong tin|thong tan|thong diep|thong qua|thong thuong|"
    "tin dung|tin hieu|tin nguong|trong tai|trong tam|trong diem|dung tich|dung dich|dung luong|kieu bao|"
    "kieu hoi|hau qua|hau due|hau can|thu vien|thu tuc|thu tin|thu ky|nhu cau|nhu vay|tram y|bich chuong|duyen hai|"
    "vu tru|vu dao|vu khi|vu trang|vu hoi|trang bi|trang phuc|trang tri|trang trai|trang thiet|trang nghiem|"
    "binh dan|binh thuong|binh yen|thanh uy|tinh uy|huyen uy|quan uy|thanh doan|tinh doan|an toan|hoa binh|"
    "phong trao|trung uong|trung thu|thanh nien|hai quan|hai san|vinh vien|minh bach|quang cao|tam ly|"
    # round 11: a hospital department or a branch named with a capital ("Khoa cấp cứu", "Chi nhánh", "Quân sự")
    "khoa cap|khoa noi|khoa ngoai|khoa hoi|khoa nhi|khoa san|chi nhanh|quan su".split("|")
) | frozenset(" ".join(t.split()[:2]) for t in OFFICIAL_TITLES if " " in t)
# Surnames with their tone marks, for a surname used alone as a subject ("Lưu bị ông Dư quật ngã"); those
# that are also common words opening a sentence ("Ông", "Từ", "Mai", "Cao", "Hồ", "Không"...) are left out.
SURNAMES_SPELLED = frozenset(
    "nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ ngô dương lý đinh trương lâm lương trịnh đoàn "
    "tạ quách lưu vương khúc nghiêm ưng âu thạch lại mạc phùng tống diệp hứa lăng lữ bạch khổng ninh triệu".split()
)
# Words right after a bare given name at the start of a sentence that make it the subject of a person's act
# ("Liên hứa hẹn", "Lưu sau đó ra khỏi xe", "Tấn đưa Lê về nhà"), with their tone marks.
PERSON_VERBS = frozenset(
    "bị đã sau liền vội bèn hứa khai kể nói đưa cười khóc dọa đánh chém rủ nhờ gọi hỏi nhìn thấy nghĩ muốn "
    "mang lấy chạy ngồi đứng quay trở cầm ôm bế hét la mắng chửi van xin nhận thừa kể tâm được biết nghe cho "
    "khá vẫn cũng đang điều tỏ lên xuống về đến".split()
)
# Lower-case heads after which a capitalised word names a thing, a place or a group, not a person.
THING_HEADS = (
    "sông",
    "núi",
    "chợ",
    "quán",
    "đường",
    "phố",
    "làng",
    "thôn",
    "xóm",
    "ấp",
    "bản",
    "xã",
    "huyện",
    "tỉnh",
    "phường",
    "thành phố",
    "trường",
    "công ty",
    "hãng",
    "báo",
    "đài",
    "kênh",
    "tờ",
    "trang",
    "đội",
    "khu",
    "cầu",
    "chùa",
    "đền",
    "đình",
    "hồ",
    "biển",
    "đảo",
    "vịnh",
    "đèo",
    "cảng",
    "ga",
    "sân",
    "tiệm",
    "nhà hàng",
    "khách sạn",
    # round 8: venues of itineraries and notices, and a street after "địa chỉ" ("cây xăng Vũ Long", "Cửa khẩu
    # Kim Thành", "ở địa chỉ Nguyễn Bá Lân"): what follows is a place's name, not a person's
    "cây xăng",
    "cửa khẩu",
    "ngân hàng",
    "siêu thị",
    "hiệu thuốc",
    "nhà thuốc",
    "cửa hàng",
    "xưởng",
    "địa chỉ",
    "tiếng",
    "người",
    "nước",
    "miền",
    "vùng",
    "đất",
    "xứ",
    "dân tộc",
    "mạng",
    "ứng dụng",
    "giải",
    "phim",
    "bài",
    "sách",
    "cuốn",
    "ca khúc",
    "chương trình",
    "dự án",
    "tập đoàn",
    "thương hiệu",
    "xe",
    "chiếc",
    "ôtô",
    "ô tô",
    "món",
    "dòng",
    "họ",
    "thủ đô",
    "bệnh viện",
    "trung tâm",
    "viện",
    "bộ",
    "sở",
    "cục",
    "hội",
    "câu lạc bộ",
    "clb",
    "tàu",
    "chuyến bay",
    "công viên",
    "tòa nhà",
    "chung cư",
    "siêu thị",
    "hiệu",
    "nhãn hiệu",
    "loại",
    "giống",
    "hình",
    "ảnh",
    "video",
    "clip",
    "tài khoản",
    "fanpage",
    "nhóm",
    "website",
    "thành phố",
    "tp",
    "quận",
    "ngã tư",
    "ngã ba",
    "cầu",
    "bến",
    "hồ",
    "biển",
    "vịnh",
    "đảo",
    "đèo",
    # round 11: a hospital department ("khoa Thận Nội tiết"), a street corner ("góc Phạm Hồng Thái và ..."), a
    # clinic named after its doctor ("Phòng khám Trần Diệp Khanh")
    "khoa",
    "góc",
    "phòng khám",
    "nha khoa",
)
_THING_FOLDED = tuple(pii_fold(h) for h in THING_HEADS)
# Institutions and events a capitalised run can start with ("Trường Đại học", "Vụ BOT An Sương", "Bộ Y tế").
_INSTITUTION_HEADS = frozenset("bo so cuc vien vu toa uy hoi tong".split())
# The same heads with their tone marks: "Vụ", "Tổng" head an institution or an event, "Vũ", "Tống" are surnames.
INSTITUTION_SPELLED = frozenset("bộ sở cục viện vụ tòa toà ủy uỷ hội tổng".split())

# Titles that are occupations rather than offices: in a patient's clause they say what the patient does
# ("BN183 là phóng viên ...", "bệnh nhân là kỹ sư ..."), and the name stays a private person's.
PROFESSIONS = frozenset(
    "nha bao|phong vien|bien tap vien|ky su|ca si|dien vien|nguoi mau|luat su|nghe si|nhac si|dao dien|mc|"
    "van dong vien|vdv|tay vot|ky thu|danh thu|hlv|huan luyen vien|thac si|tien si|ts|ths|chuyen gia|"
    "nha nghien cuu|nha khoa hoc|giao su|pho giao su|gs|pgs|tac gia|hoa hau|a hau".split("|")
)
# Words that put a name in a patient's context ("bệnh nhân", "BN 848", "ca bệnh", "F0", "tiếp xúc gần", "cách ly",
# "dương tính"): there the guideline protects the person whatever else the sentence says (a doctor who is a
# patient, a foreign patient, a patient who shares a public figure's or a street's name).
PATIENT_CUES = (
    "benh nhan",
    "nguoi benh",
    "bn",
    "ca benh",
    "ca nhiem",
    "ca mac",
    "nguoi nhiem",
    "f0",
    "f1",
    "f2",
    "tiep xuc",
    "tiep xuc gan",
    "cach ly",
    "duong tinh",
    "nghi nhiem",
    "mac covid",
    "nhiem covid",
    "nhiem ncov",
    "nhiem sars",
)
# Honorifics that name a patient or contact directly ("bệnh nhân Nguyễn Văn A", "BN N.T.L", "F1 Trần Thị B").
PATIENT_HONORIFICS = frozenset(("benh nhan", "bn", "nguoi benh", "f0", "f1"))

# Well-known Vietnamese public figures (folded full names), written for this project from general knowledge
# (not copied from any list): politicians and officials, entertainers, athletes (football, chess, swimming,
# athletics...), business people and historical and cultural figures. Named without a title ("Phi Nhung",
# "Lê Quang Liêm (elo 2.620)") they are no private person; a patient context, a private honorific ("chị",
# "anh", "bé") or an age beside the name still wins, because private namesakes are common.
PUBLIC_FIGURES = frozenset(
    # politics and the state
    "nguyen phu trong|nguyen xuan phuc|nguyen tan dung|truong tan sang|tran dai quang|pham minh chinh|"
    "vo van thuong|vuong dinh hue|nguyen thi kim ngan|nong duc manh|le kha phieu|do muoi|tran duc luong|"
    "phan van khai|nguyen minh triet|nguyen sinh hung|to lam|luong cuong|tran thanh man|dang thi ngoc thinh|"
    "vo thi anh xuan|truong thi mai|vu duc dam|pham binh minh|nguyen thien nhan|dinh la thang|trinh xuan thanh|"
    "nguyen duc chung|nguyen thi kim tien|hoang trung hai|tran quoc vuong|nguyen hoa binh|bui thanh son|"
    "ho duc phoc|pham gia khiem|le thanh hai|phan van mai|nguyen thanh phong|tran cam tu|"
    "nguyen hoa binh|phan dinh trac|le minh khai|nguyen kim son|to huy rua|ngo xuan lich|"
    "phan van giang|dao ngoc dung|"
    "tran hong ha|dinh tien dung|vo van kiet|le duc anh|do xuan tuyen|tran dac phu|"
    "nguyen truong son|luong ngoc khue|"
    "huynh duc tho|chu ngoc anh|"
    # entertainment and the arts
    "phi nhung|dam vinh hung|ho ngoc ha|son tung mtp|nguyen thanh tung|dan truong|lam truong|quang le|"
    "tran thanh|truong giang|hari won|ninh duong lan ngoc|ngo thanh van|ho quang hieu|ong cao thang|"
    "dong nhi|hoang thuy linh|ha anh tuan|vu cat tuong|phuong thanh|ngoc trinh|nguyen cao ky duyen|"
    "do my linh|tran tieu vy|pham huong|luong thuy linh|nguyen thuc thuy tien|che linh|tuan vu|giao linh|"
    "vu linh|kim tu long|le thuy|minh vuong|hoai linh|chi tai|cong ly|xuan bac|tu long|hong van|viet trinh|"
    "le khanh|hong dao|manh quynh|phuong my chi|cao thai son|khac viet|huong giang|ho van cuong|"
    "trinh cong son|van cao|pham duy|to huu|xuan dieu|han mac tu|nguyen nhat anh|bao ninh|nam cao|"
    "ngo tat to|vu trong phung|xuan quynh|ho xuan huong|luu quang vu|dang thai son|ngo bao chau|"
    "dam thanh son|ton that tung|pham tuan|le cong tuan anh|tran lap|le quyen|thu minh|my tam|tuan hung|"
    "ngoc son|dam vinh hung|bao anh|huong tram|my linh|thanh lam|hong nhung|tung duong|cam ly|duc phuc|"
    "quang dung|thanh hang|viet huong|thu trang|tran thanh|le roi|chi pu|toc tien|bich phuong|"
    "noo phuoc thinh|ho viet trung|dinh manh ninh|le duong bao lam|truong the vinh|"
    "nguyen hong nhung|ho hoai anh|luu huong giang|ly nha ky|ly hai|nhu quynh|"
    "mai phuong thuy|ha kieu anh|dang thu thao|nguyen tran khanh van|tran ngoc lan khue|"
    # sport
    "le quang liem|nguyen ngoc truong son|dao thien hai|nguyen anh khoi|tran tuan minh|bui vinh|cao sang|"
    "tu hoang thong|le tuan minh|tran minh thang|ton that nhu tung|nguyen huynh minh huy|"
    "hoang thi bao tram|pham le thao nguyen|vo thi kim phung|nguyen thi thanh an|luong phuong hanh|"
    "nguyen thi mai hung|hoang thi nhu y|nguyen quang hai|nguyen cong phuong|nguyen van quyet|do hung dung|"
    "que ngoc hai|bui tien dung|dang van lam|luong xuan truong|doan van hau|"
    "phan van duc|ha duc chinh|nguyen tien linh|nguyen hoang duc|vu van thanh|do duy manh|tran dinh trong|"
    "nguyen phong hong duy|le cong vinh|pham thanh luong|le huynh duc|huynh duc|"
    "huynh nhu|nguyen thi tuyet dung|ly hoang nam|nguyen thi anh vien|"
    "hoang quy phuoc|quach thi lan|vu thi huong|hoang xuan vinh|thach kim tuan|"
    "hoang tan tai|nguyen tien minh|nguyen thuy linh|dinh phuong thanh|le thanh tung|tran quyet chien|"
    "nguyen hoang ngan|tran hieu ngan|mai duc chung|"
    "phan thanh hung|vu thanh an|bui xuan huan|kieu trinh|"
    # business
    "pham nhat vuong|tran ba duong|nguyen thi phuong thao|tran dinh long|dang le nguyen vu|nguyen duc tai|"
    "truong my lan|dang thi hoang yen|le phuoc vu|trinh van quyet|dang van thanh|tran bac ha|ho hung anh|"
    "nguyen dang quang|bui thanh nhon|do anh dung|johnathan hanh nguyen|le van kiem|"
    "tran phuong binh|tran qui thanh|nguyen phuong hang|huynh uy dung|ha van tham|"
    "pham cong danh|tran hung huy|dang van thanh|"
    # history
    "ngo dinh diem|nguyen van thieu|bao dai|gia long|minh mang|tu duc|ham nghi|duy tan|khai dinh|"
    "tran thu do|to vinh dien|phan dinh giot|be van dan|nguyen viet xuan|kim dong|le van tam|vo thi thang|"
    "nguyen anh ninh|ho quy ly|mac dang dung|tran quoc tuan|dinh bo linh|ly cong uan|"
    "nguyen van thieu|duong van minh|nguyen cao ky|tran van huong|le duc tho".split("|")
)
