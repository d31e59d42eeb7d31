"""Issue 19, registry scale: passages that registered documents share with each other or with siblings.

Registry: ~30 published documents, and six resolutions of the Standing Committee of the National Assembly that amend the legislative
programme (they share the programme's wording; two of them also share a list of laws) and circular
103/2025/TT-BNNMT. Not registered: its sibling 102/2025/TT-BNNMT of the same ministry and department, which
shares a 73-word closing passage with it. The background table is built without any of these documents, so
to the matcher that passage looks specific to 103/2025: only the page the image shows can tell them apart.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from canhbao.core.home import Home
from canhbao.core.records import MediaText, Post, Subject
from canhbao.detectors.leak import matcher
from canhbao.detectors.leak.background import Background
from canhbao.detectors.leak.detector import LeakDetector
from canhbao.detectors.leak.matcher import LeakIndex
from canhbao.detectors.leak.settings import load_settings
from canhbao.media.reader import MediaReader
from canhbao.registry import Registry, meta
from canhbao.registry.render import page_texts
from canhbao.testing import admin_docs, distort
from canhbao.testing.samples import render_layout

RESOLUTIONS = ("069_NGHI-QUYET_", "072_NGHI-QUYET_", "074_NGHI-QUYET_", "075_NGHI-QUYET_", "077_NGHI-QUYET_")
RESOLUTIONS += ("082_NGHI-QUYET_",)
REGISTERED_CIRCULAR = "154_THONG-TU_103-2025-TT-BNNMT"
SIBLING = "173_THONG-TU_102-2025-TT-BNNMT"  # not registered
PAIR_TEXT = "Luật Giám định tư pháp (sửa đổi), thực hiện theo trình tự, thủ tục rút gọn"  # 072 and 075 only
PROGRAMME_TEXT = "Phân công cơ quan trình, cơ quan chủ trì thẩm tra"  # all six resolutions
SIBLING_TEXT = "Cục trưởng Cục Địa chất và Khoáng sản Việt Nam có trách nhiệm phổ biến"  # 102 and 103


def _others() -> list[str]:
    """Every sixth other document, registered too: a registry of some size, whose documents' wording tells
    document language from OCR noise when there is no background table."""
    names = sorted(d.name for d in admin_docs.load())
    return [n for n in names[::6] if n not in {*RESOLUTIONS, REGISTERED_CIRCULAR, SIBLING}]


def _docs():
    return {d.name: d for d in admin_docs.load()}


def _excerpt(name: str) -> str:
    return admin_docs.excerpt(_docs()[name].text)


@pytest.fixture(scope="module")
def detectors(tmp_path_factory) -> dict[str, LeakDetector]:
    """'background': with a background table of the other published documents; 'none': the registry alone
    (degraded mode), where the shared passage weighs as if only 103/2025 had it."""
    root = tmp_path_factory.mktemp("siblings")
    home = Home.resolve(root / "home")
    docs = _docs()
    with Registry.open(home) as reg:
        for name in (*RESOLUTIONS, REGISTERED_CIRCULAR, *_others()):
            path = root / f"{name}.txt"
            path.write_text(_excerpt(name), encoding="utf-8")
            reg.add(path)
    used = {*RESOLUTIONS, REGISTERED_CIRCULAR, SIBLING, *_others()}
    background = Background.build(((d.text, d.group) for d in docs.values() if d.name not in used), 3)
    settings = load_settings().match
    with Registry.open(home) as reg:
        return {
            "background": LeakDetector(LeakIndex.from_registry(reg, background, settings)),
            "none": LeakDetector(LeakIndex.from_registry(reg, Background.empty(settings.shingle_words), settings)),
        }


@pytest.fixture(scope="module")
def detector(detectors) -> LeakDetector:
    return detectors["background"]


def _post(text: str = "", media: tuple[MediaText, ...] = ()) -> Subject:
    post = Post(
        source="test",
        platform="web",
        post_id="p",
        url="https://example.org/p",
        captured_at=datetime(2026, 11, 30, tzinfo=timezone.utc),
        text=text,
    )
    return Subject(post, media)


def _image_text(text: str) -> MediaText:
    """An image whose reader read exactly `text` (a perfect OCR)."""
    return MediaText(sha256="0" * 64, kind="document", text=text)


def _sentences_around(name: str, anchor: str, n: int = 2) -> str:
    flat = " ".join(_excerpt(name).split())
    sentences = re.split(r"(?<=[.;:])\s+", flat)
    at = next(i for i, s in enumerate(sentences) if anchor in s)
    return " ".join(sentences[at : at + n])


def test_the_fixture_documents_share_what_the_tests_say():
    texts = {n: " ".join(_excerpt(n).split()) for n in (*RESOLUTIONS, REGISTERED_CIRCULAR, SIBLING)}
    assert [n for n, t in texts.items() if PAIR_TEXT in t] == ["072_NGHI-QUYET_", "075_NGHI-QUYET_"]
    assert [n for n, t in texts.items() if PROGRAMME_TEXT in t] == list(RESOLUTIONS)
    assert [n for n, t in texts.items() if SIBLING_TEXT in t] == [REGISTERED_CIRCULAR, SIBLING]


def _sibling_page() -> int:
    """The page of 102/2025 (1-based) with the passage it shares with 103/2025."""
    return _page_with(SIBLING, SIBLING_TEXT)


def _page_with(name: str, text: str) -> int:
    return next(n for n, p in enumerate(page_texts(_excerpt(name)), 1) if text in " ".join(p.split()))


def _photo(name: str, page: int, tmp_path) -> MediaText:
    """Real render of one page, phone-photo transformation, Tesseract."""
    layout = render_layout(_excerpt(name), only={page})[0]
    path = tmp_path / f"{name}-{page}.jpg"
    distort.apply("photo", layout, seed=7).save(path, quality=90)
    return MediaReader().read(path)


def test_photo_of_a_sibling_page_sharing_a_passage_is_not_the_registered_page(detectors, tmp_path):
    """The sibling's page shows the shared passage and, above it, its own transitional provisions: wording
    other documents use, on no page of 103/2025. With a background table the shared passage is mostly template
    anyway; without one only the page the image shows tells the two circulars apart."""
    media = _photo(SIBLING, _sibling_page(), tmp_path)
    for kind, detector in detectors.items():
        section = detector.detect(_post(media=(media,))).section
        assert not section["matched"], (kind, section["signals"])
        assert section["signals"]["nearest"]["source"] == f"{REGISTERED_CIRCULAR}.txt"
    # read perfectly, without a background: the shared passage is enough document-specific text for 103/2025,
    # and the sibling's own provisions above it are what rules the page out
    page_text = page_texts(_excerpt(SIBLING))[_sibling_page() - 1]
    signals = detectors["none"].detect(_post(media=(_image_text(page_text),))).section["signals"]
    assert signals["reason"] == matcher.FOREIGN and signals["foreign_shingles"] >= 8, signals


def test_photo_of_the_registered_page_with_that_passage_matches(detectors, tmp_path):
    page = _page_with(REGISTERED_CIRCULAR, SIBLING_TEXT)
    media = _photo(REGISTERED_CIRCULAR, page, tmp_path)
    for kind, detector in detectors.items():
        section = detector.detect(_post(media=(media,))).section
        assert section["matched"], (kind, section["signals"])
        assert section["document"]["source"] == f"{REGISTERED_CIRCULAR}.txt" and section["page"] == page
        assert section["signals"]["foreign_shingles"] < 8


def test_screenshot_across_a_page_break_of_a_registered_document_matches(detector):
    """A PDF viewer scrolled across a page break shows the end of one page and the start of the next: the text
    off the first page is on its neighbour, so it is not another document's."""
    pages = page_texts(_excerpt(RESOLUTIONS[1]))
    assert len(pages) >= 2
    shown = "\n".join(pages[0].splitlines()[-12:] + pages[1].splitlines()[:12])
    section = detector.detect(_post(media=(_image_text(shown),))).section
    assert section["matched"] and section["document"]["source"] == f"{RESOLUTIONS[1]}.txt", section["signals"]


def test_quote_of_a_passage_two_registered_documents_share_names_both(detector):
    flat = " ".join(_excerpt("075_NGHI-QUYET_").split())
    shared = " ".join(flat[flat.index(PAIR_TEXT) :].split()[:35])
    assert shared in " ".join(_excerpt("072_NGHI-QUYET_").split())
    quote = f'Trích nguyên văn: "{shared}" Các bạn nghĩ sao?'
    section = detector.detect(_post(quote)).section
    assert section["matched"], section["signals"]
    named = {section["document"]["source"], *section["signals"]["also_in_sources"]}
    assert {"072_NGHI-QUYET_.txt", "075_NGHI-QUYET_.txt"} <= named, section["signals"]


def test_quote_of_the_wording_every_resolution_of_the_series_has_is_template(detector):
    """Six registered documents have it: more than `group_size`, so it is the series' template, not a leak."""
    assert load_settings().match.group_size < len(RESOLUTIONS)
    quote = f'Trích nguyên văn: "{_sentences_around("077_NGHI-QUYET_", PROGRAMME_TEXT, 1)}"'
    section = detector.detect(_post(quote)).section
    assert not section["matched"], section["signals"]


def test_a_documents_own_evidence_outranks_a_group_it_is_part_of(detector):
    """The page of 075 with the list it shares with 072 also has text only 075 has: it is 075's page, alone."""
    page = _page_with("075_NGHI-QUYET_", PAIR_TEXT)
    text = page_texts(_excerpt("075_NGHI-QUYET_"))[page - 1]
    section = detector.detect(_post(media=(_image_text(text),))).section
    assert section["matched"] and section["document"]["source"] == "075_NGHI-QUYET_.txt", section["signals"]
    assert section["page"] == page and "also_in" not in section["signals"]


def test_image_of_a_first_page_showing_only_title_and_legal_bases_is_that_page(detectors):
    """A band of a first page that shows only the title and legal bases: nothing there weighs for a post (a news
    item repeats a title, an amending decree cites one), but read off one image it is a long unbroken stretch of
    that page, whose rare shingles say which document it is. Posted as the post's own words, it never alerts."""
    heading = meta.split_title(page_texts(_excerpt(REGISTERED_CIRCULAR)))[0]
    for kind, detector in detectors.items():
        section = detector.detect(_post(media=(_image_text(heading),))).section
        assert section["matched"], (kind, section["signals"])
        assert section["document"]["source"] == f"{REGISTERED_CIRCULAR}.txt" and section["page"] == 1
        assert section["signals"]["layout_specific"] >= load_settings().match.min_specific, section["signals"]
        assert not detector.detect(_post(heading)).section["matched"], kind


def test_image_of_the_siblings_title_and_legal_bases_is_not_the_registered_page(detectors):
    """102/2025 cites the same law, decree and ministry decree as 103/2025 in its legal bases: short shared
    stretches, not one long stretch of 103's page."""
    heading = meta.split_title(page_texts(_excerpt(SIBLING)))[0]
    for kind, detector in detectors.items():
        section = detector.detect(_post(media=(_image_text(heading),))).section
        assert not section["matched"], (kind, section["signals"])


def _number_block(name: str) -> str:
    """The top of a first page down to its number: issuer, motto, `Số: ...`; no date, no title."""
    lines = page_texts(_excerpt(name))[0].splitlines()
    end = next(i for i, ln in enumerate(lines) if ln.strip().startswith("Số"))
    return "\n".join(lines[: end + 1])


def test_image_of_a_registered_heading_with_its_number_is_that_page(detectors):
    """A decree's heading (CHÍNH PHỦ, motto, `Số: 362/2025/NĐ-CP`): every word is template, the issuer is not
    in its title; the registered number in the number position is the evidence. Another decree's heading (not
    registered) is not matched."""
    decree, other = "007_NGHI-DINH_362-2025-ND-CP", "008_NGHI-DINH_224-2025-ND-CP"
    assert decree in _others() and other not in _others()
    block = _number_block(decree)
    assert "362/2025/NĐ-CP" in block and len(block.split()) <= 20
    slip = block.replace("NĐ-CP", "NĐ-CF")  # one OCR slip in the number: still this document's
    for kind, detector in detectors.items():
        for text in (block, slip):
            section = detector.detect(_post(media=(_image_text(text),))).section
            assert section["matched"], (kind, text, section["signals"])
            assert section["document"]["source"] == f"{decree}.txt" and section["page"] == 1
        unregistered = detector.detect(_post(media=(_image_text(_number_block(other)),))).section
        assert not unregistered["matched"], (kind, unregistered["signals"])


def _band(page: str, top: float, height: float = 0.30) -> str:
    """The lines of a page a horizontal crop from `top` to `top + height` (fractions of the page height) shows,
    with the line boxes `render_layout` gives a page (150 dpi, 12 pt: 36 px lines below a 118 px margin)."""
    line_h, margin, page_h = 36, 118, 1754
    lines = page.splitlines()
    keep = [
        ln
        for i, ln in enumerate(lines)
        if margin + i * line_h >= top * page_h - 1 and margin + (i + 1) * line_h <= (top + height) * page_h + 1
    ]
    return "\n".join(keep)


def test_image_of_title_and_legal_bases_in_this_pages_own_order_is_that_page(detectors):
    """A band of 23/2025/QĐ-TTg's first page: its title and legal bases, phrases other documents use (with the
    background table almost none is rare), but in an order no other registered document has. Read off one image
    that order is the evidence; posted as a post's own words, a title and legal bases never alert."""
    name = "109_QUYET-DINH_23-2025-QD-TTg"
    band = _band(page_texts(_excerpt(name))[0], 0.20)
    settings = load_settings().match
    section = detectors["background"].detect(_post(media=(_image_text(band),))).section
    assert section["matched"] and section["document"]["source"] == f"{name}.txt", section["signals"]
    assert section["page"] == 1 and section["signals"]["layout_specific"] < settings.min_specific
    assert section["signals"]["order_share"] <= settings.max_order_share, section["signals"]
    assert "order" in section["signals"]["evidence"]
    assert not detectors["background"].detect(_post(band)).section["matched"]


def test_image_of_an_unregistered_resolution_in_the_series_order_is_not_matched(detectors):
    """An unregistered resolution of the same committee: its first page's long stretch of the series' wording is
    on registered resolutions' pages too, in the same order, so the order says nothing about which one."""
    band = _band(page_texts(_excerpt("065_NGHI-QUYET_"))[0], 0.10)
    assert "065_NGHI-QUYET_" not in _others()
    for kind, detector in detectors.items():
        section = detector.detect(_post(media=(_image_text(band),))).section
        assert not section["matched"], (kind, section["signals"])
    signals = detectors["none"].detect(_post(media=(_image_text(band),))).section["signals"]
    assert signals["order_share"] > load_settings().match.max_order_share, signals


def test_quote_amid_the_posters_own_words_matches(detectors):
    """A post quoting a registered decree between words no document uses ("ai biết thật không?"): the quote is a
    small part of the post, yet nothing off the page is document language, so its specific text stands."""
    name = "019_NGHI-DINH_340-2025-ND-CP"
    post = distort.quote_post(_excerpt(name), seed=3, sentences=2, skip_heading=True)
    settings = load_settings().match
    section = detectors["background"].detect(_post(post)).section
    assert section["matched"] and section["document"]["source"] == f"{name}.txt", section["signals"]
    signals = section["signals"]
    assert signals["containment"] < settings.min_containment and signals["away_known"] <= settings.max_away_known
    assert signals["evidence"] == "document-specific text quoted amid words no document uses"


def test_quote_of_an_unregistered_resolution_is_not_matched(detectors):
    """The same kind of post quoting an unregistered resolution of the committee: the words around the phrases it
    shares with registered resolutions are document language, so the post's containment decides (too low)."""
    post = distort.quote_post(_excerpt("065_NGHI-QUYET_"), seed=1, sentences=2, skip_heading=True)
    for kind, detector in detectors.items():
        section = detector.detect(_post(post)).section
        assert not section["matched"], (kind, section["signals"])
