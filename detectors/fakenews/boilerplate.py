"""Strip what a post's outlet adds around its content before the classifier reads it.

Links, e-mail addresses and bare domain names, an opening dateline ("(Dân trí) -", "ANTD.VN -") and the
closing attribution or byline lines ("Theo Tuổi Trẻ", "Nguồn: ...", "Cre: ...", a short name line) name the
outlet, not the claim. A model that learns them learns the outlet, which cross-validation grouped by source
cannot reward and a post from a new page does not carry; stripping them also made the character view better
under that cross-validation (docs/fakenews.md, "Classifier").

Typography is the outlet's too: newsrooms' systems set straight quotes and HTML entities, the fake sites
curly ones ('‘', '’'), and character n-grams learn that (VFND's character 1-2-grams score 0.90 alone under
grouped cross-validation and 0.81 once quotes, dashes and spaces are made plain). `plain_typography` makes
them plain; "!" and "?" stay: shouting is the writer's.
"""

from __future__ import annotations

import html
import re

_TLD = r"(?:com|net|org|info|biz|vn|news|online|xyz|today|de|video|tv|co|io|us|me|site|top|live)"
LINKISH = re.compile(
    r"(?:https?://|www\.)\S+"  # links
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    rf"|\b[\w-]+(?:\.[\w-]+)*\.{_TLD}\b(?:/\S*)?",  # bare domains ("Dantri.com.vn", "tinnuocmy.com/abc")
    re.IGNORECASE,
)
# "(Dân trí) - ", "ANTD.VN - ", "Quảng Bình - " at the start of the opening lines.
DATELINE = re.compile(r"^\s*\(?[\w .]{2,25}\)?\s*[-–—]\s+")
# Closing lines that attribute rather than say something (short ones: "Theo đại diện trung tâm, ..." opens
# a sentence of content).
ATTRIBUTION = re.compile(
    r"^(?:theo|nguồn|cre|source|ảnh|video|tổng hợp|st|xem thêm|đọc thêm|bài viết liên quan)\b", re.IGNORECASE
)
DATELINE_LINE_WORDS = 12  # a dateline opens a paragraph, not a title
_ENDS_SENTENCE = (".", "!", "?", '"', "”", "…")


def remove(text: str) -> str:
    """The post without links, dateline and closing attribution/byline lines (at most 3 of them)."""
    lines = [re.sub(r"\(\s*\)", " ", LINKISH.sub(" ", line)).strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    for _ in range(3):
        if len(lines) <= 2:
            break
        last = lines[-1]
        n = len(last.split())
        if (ATTRIBUTION.match(last) and n <= 12) or (n <= 6 and not last.endswith(_ENDS_SENTENCE)):
            lines.pop()
    for i in range(min(2, len(lines))):
        if len(lines[i].split()) >= DATELINE_LINE_WORDS:  # a title "Quảng Bình - Hà Tĩnh ..." is not a dateline
            lines[i] = DATELINE.sub("", lines[i], count=1)
    return "\n".join(lines) or text


_TYPOGRAPHY = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'", "′": "'", "″": '"'}
    | {"–": "-", "—": "-", "‑": "-", "…": "...", "\xa0": " ", "\u200b": "", "\u202f": " ", "\t": " "}
)


def plain_typography(text: str) -> str:
    """HTML entities decoded; curly quotes, dashes, ellipsis and odd spaces made plain; runs of spaces one."""
    return re.sub(r" {2,}", " ", html.unescape(text).translate(_TYPOGRAPHY))


def content(text: str) -> str:
    """What the classifier's text views read: the post stripped (`remove`) in plain typography."""
    return plain_typography(remove(text))
