"""200 published Vietnamese legal documents (decrees, circulars, decisions, resolutions, laws) shipped in
`admin_docs/corpus.jsonl.gz` (origin and licence in `admin_docs/SOURCE.md`).

Two uses: the background corpus from which `scripts/build_background.py` learns which passages are template
text of an issuer or a kind of document, and the documents of the registry-scale leak bench and the template
tests (registered letters and unregistered look-alikes of the same issuers and kinds).

`python -m canhbao.testing.admin_docs pack DIR` rebuilds the file from a folder of `*.txt` and its `index.csv`.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from canhbao.core.text import fold

CORPUS = Path(__file__).with_name("admin_docs") / "corpus.jsonl.gz"


@dataclass(frozen=True)
class AdminDoc:
    name: str  # file name in the original collection, e.g. 001_NGHI-DINH_249-2025-ND-CP
    kind: str  # NGHỊ ĐỊNH, THÔNG TƯ, QUYẾT ĐỊNH, ...
    number: str  # so hieu, e.g. 249/2025/NĐ-CP ('' when the page had none)
    issuer: str  # issuer code from the number (CP, TTg, BXD, NHNN, QH15 ...) else the folded issuer line
    url: str
    text: str

    @property
    def group(self) -> str:
        """Issuer and kind: documents of one group share their template (preamble, closing articles)."""
        return f"{self.issuer}|{fold(self.kind).upper()}"

    @property
    def split(self) -> str:
        """'dev' or 'test', fixed by a hash of the name (decided before any tuning; never by content)."""
        return "dev" if int(hashlib.sha256(self.name.encode()).hexdigest(), 16) % 2 == 0 else "test"


def issuer_code(number: str, issuer_line: str) -> str:
    number = number.strip().replace("С", "C")  # one number in the collection has a Cyrillic Es
    if "-" in number:
        return number.rsplit("-", 1)[1].strip()
    if "/" in number:
        return re.sub(r"\d+$", "", number.rsplit("/", 1)[1])
    return " ".join(fold(issuer_line).upper().split()[:3]) or "?"


@lru_cache(maxsize=1)
def load() -> tuple[AdminDoc, ...]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        return tuple(AdminDoc(**json.loads(line)) for line in fh if line.strip())


def excerpt(text: str, head_words: int = 900, tail_words: int = 350) -> str:
    """A letter-sized version of a long document: its opening (header, title, legal bases, first articles)
    and its closing (effect, responsibility for implementation, recipients, signer), whole lines only.
    Internal letters are a few pages; a 60-page decree registered whole would make one document weigh
    as much as forty."""
    lines = text.splitlines()
    counts = [len(ln.split()) for ln in lines]
    if sum(counts) <= head_words + tail_words:
        return text
    head, n = [], 0
    for ln, c in zip(lines, counts, strict=False):
        if n >= head_words:
            break
        head.append(ln)
        n += c
    tail, n = [], 0
    for ln, c in zip(reversed(lines[len(head) :]), reversed(counts[len(head) :]), strict=False):
        if n >= tail_words:
            break
        tail.append(ln)
        n += c
    return "\n".join(head + ["..."] + tail[::-1])


_CLAUSE = re.compile(r"^\d+\.\s+\S")
_NEW_WORDING = (
    "bảo đảm công khai, minh bạch, đúng thẩm quyền và thời hạn theo quy định mới tại Nghị định này",
    "thực hiện theo hướng dẫn của cơ quan có thẩm quyền cấp trên, không làm phát sinh thủ tục hành chính",
    "báo cáo kết quả định kỳ sáu tháng, hằng năm hoặc đột xuất khi có yêu cầu bằng văn bản điện tử",
)


def amending_decree(doc: AdminDoc, number: str = "12/2026/NĐ-CP", clauses: int = 3) -> str:
    """A decree amending `doc`, written the way amending decrees are: its own header and number, a title and
    legal bases that repeat the amended document's number and title, and amended clauses that keep the
    opening words of the original clause and replace the rest ("Sửa đổi, bổ sung khoản 2 Điều 5 như sau")."""
    lines = [ln.strip() for ln in doc.text.splitlines() if ln.strip()]
    kind_at = next((i for i, ln in enumerate(lines[:15]) if fold(ln).upper() == fold(doc.kind).upper()), 5)
    title = lines[kind_at + 1] if kind_at + 1 < len(lines) else ""
    title = title[:1].lower() + title[1:] if not title.isupper() else title.capitalize()
    found = [ln for ln in lines[kind_at + 2 :] if _CLAUSE.match(ln) and len(ln.split()) >= 20][:clauses]
    body = []
    for n, clause in enumerate(found, 1):
        words = clause.split()
        body += [
            f"{n}. Sửa đổi, bổ sung khoản {words[0].rstrip('.')} Điều {n + 2} như sau:",
            f"“{' '.join(words[:7])} {_NEW_WORDING[(n - 1) % len(_NEW_WORDING)]}.”",
        ]
    return "\n".join(
        [
            "CHÍNH PHỦ",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            f"Số: {number}",
            "Hà Nội, ngày 05 tháng 3 năm 2026",
            "NGHỊ ĐỊNH",
            f"Sửa đổi, bổ sung một số điều của {doc.kind.capitalize()} số {doc.number} {title}",
            "Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15;",
            "Theo đề nghị của Bộ trưởng Bộ Tư pháp;",
            f"Chính phủ ban hành Nghị định sửa đổi, bổ sung một số điều của {doc.kind.capitalize()} số {doc.number} {title}.",
            f"Điều 1. Sửa đổi, bổ sung một số điều của {doc.kind.capitalize()} số {doc.number}",
            *body,
            "Điều 2. Hiệu lực thi hành",
            "Nghị định này có hiệu lực thi hành kể từ ngày ký ban hành.",
            "Các Bộ trưởng, Thủ trưởng cơ quan ngang bộ, Thủ trưởng cơ quan thuộc Chính phủ, Chủ tịch Ủy ban nhân dân "
            "các tỉnh, thành phố trực thuộc trung ương chịu trách nhiệm thi hành Nghị định này./.",
        ]
    )


_CLOSING = re.compile(
    r"^dieu\s+\d+\.?\s*(hieu luc|trach nhiem (to chuc )?thi hanh|trach nhiem to chuc thuc hien"
    r"|to chuc thuc hien|dieu khoan thi hanh)"
)


def closing_articles(text: str) -> str:
    """The standard closing articles (`Điều N. Hiệu lực thi hành`, `Trách nhiệm thi hành`, `Tổ chức thực hiện`)
    up to `Nơi nhận`: the text every document of a kind ends with."""
    lines = text.splitlines()
    end = next((i for i, ln in enumerate(lines) if fold(ln).lower().startswith("noi nhan")), len(lines))
    starts = [i for i, ln in enumerate(lines[:end]) if _CLOSING.match(fold(ln.strip()).lower())]
    return "\n".join(lines[starts[0] : end]).strip() if starts else ""


def pack(src: Path, out: Path = CORPUS) -> int:
    """Folder of `NNN_KIND_NUMBER.txt` + `index.csv` (file, type, so_hieu, issuer, source_url) -> jsonl.gz."""
    rows = {r["file"]: r for r in csv.DictReader((src / "index.csv").open(encoding="utf-8"))}
    out.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as fh:
        for name in sorted(rows):
            r = rows[name]
            text = (src / name).read_text(encoding="utf-8")
            doc = {
                "name": Path(name).stem,
                "kind": r["type"].strip(),
                "number": r["so_hieu"].strip(),
                "issuer": issuer_code(r["so_hieu"], r["issuer"]),
                "url": r["source_url"],
                "text": text,
            }
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
            n += 1
    return n


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "pack":
        sys.exit("usage: python -m canhbao.testing.admin_docs pack DIR")
    print(f"{pack(Path(sys.argv[2]))} documents -> {CORPUS}")
