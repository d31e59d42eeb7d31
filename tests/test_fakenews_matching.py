"""Claim matching with the real offline model: re-typed rumours find their claim, true posts find none,
and the detector's section and findings have the agreed shape."""

from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest

from canhbao.claims import ClaimBank, parse_file
from canhbao.core import config
from canhbao.core.records import MediaText, Post, Subject, utcnow
from canhbao.detectors.base import detector_classes
from canhbao.detectors.fakenews import facts
from canhbao.detectors.fakenews.claim_match import ClaimIndex
from canhbao.detectors.fakenews.detector import FakenewsDetector, FakenewsSettings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from perturb import PERTURBATIONS, embed  # noqa: E402

DATA = Path(__file__).parent / "data"
CLAIMS, _ = parse_file(DATA / "claims_covid_vi.csv")
PARA = json.loads((DATA / "claims_paraphrases.json").read_text(encoding="utf-8"))
VFND = DATA / "vfnd" / "vn_news_223_tdlfr.csv"


@pytest.fixture(scope="module")
def index(e5_embedder):
    return ClaimIndex(CLAIMS, e5_embedder, FakenewsSettings().thresholds)


@pytest.fixture(scope="module")
def news_sentences():
    """Sentences of real (true) VFND news articles: fillers for long posts."""
    csv.field_size_limit(1 << 24)
    rows = [r for r in csv.DictReader(VFND.open(encoding="utf-8")) if r["label"] == "0"][:15]
    return [
        s.strip() + "." for r in rows for s in r["text"].replace("\n", " ").split(". ") if 8 <= len(s.split()) <= 25
    ]


def _top(index, text):
    refs = index.match(text)
    return refs[0] if refs else None


def _ranked_first(index, text):
    return index.claims[int(np.argmax(index.similarities(text)))].id


def test_same_subject_other_facts_gets_no_tier(index):
    """Close in topic, other hospital: no tier; the claim's own facts re-typed without tone marks: matched."""
    other = "Bệnh viện Chợ Rẫy đang giấu hàng trăm ca tử vong vì Covid-19"
    assert all(r.id != "vn-giau-ca" for r in index.match(other))
    same = index.match("benh vien bach mai dang giau hang tram ca tu vong vi covid-19")
    assert same and same[0].id == "vn-giau-ca" and same[0].tier == "matched" and not same[0].disagreement


def test_specifics_numbers_amounts_and_names():
    s = facts.specifics("Chính phủ hỗ trợ mỗi người dân 1.800.000 đồng, Bệnh viện Bạch Mai, Bộ Y tế, ngày 12/3")
    assert {"1800000", "12", "3"} <= s.numbers and {"bach mai", "bo y"} <= s.names
    assert facts.specifics("nhà nước phát 1 triệu 8 cho mỗi người").numbers == {"1800000"}
    claim = facts.specifics("Nghệ An có hơn 500 ca dương tính trong một ngày")
    assert facts.agreement(claim, "nghe an co hon 500 ca duong tinh").agrees
    other = facts.agreement(claim, "Hà Tĩnh có 45 ca dương tính trong ngày")
    assert other.conflict and "500" in other.missing and "nghe an" in other.missing
    vague = facts.agreement(claim, "nghe nói có nhiều ca dương tính lắm mà bị giấu")
    assert not vague.agrees and not vague.conflict and vague.describe()


@pytest.mark.parametrize("perturbation", ["paraphrase", *PERTURBATIONS])
def test_retyped_claims_find_their_claim(index, perturbation):
    rng = random.Random(3)
    sample = CLAIMS[::3]  # 10 claims per perturbation keeps the test short
    hits = 0
    for claim in sample:
        text = (
            PARA["paraphrases"][claim.id]
            if perturbation == "paraphrase"
            else PERTURBATIONS[perturbation](claim.text, rng)
        )
        hits += _ranked_first(index, text) == claim.id  # acc@1; tiers are an operating point (bench)
    assert hits >= 9, f"{perturbation}: {hits}/10"


def test_claim_inside_a_long_post(index, news_sentences):
    rng = random.Random(5)
    for claim in CLAIMS[1::6]:
        post = embed(PARA["paraphrases"][claim.id], rng, news_sentences)
        assert len(post.split()) > 50
        assert _ranked_first(index, post) == claim.id, post


def test_true_near_topic_posts_are_not_matched(index):
    matched = [t for t in PARA["near_topic_true"] if any(r.tier == "matched" for r in index.match(t))]
    assert len(matched) <= 1, matched


def _subject(text="", ocr=""):
    post = Post(
        source="t",
        platform="facebook",
        post_id="9",
        url="https://fb.example/9",
        captured_at=utcnow(),
        text=text,
    )
    return Subject(post, (MediaText(sha256="cd" * 32, kind="document", text=ocr),) if ocr else ())


def test_detector_from_home_section_and_finding(home, config_dir, e5_embedder):
    (config_dir / "fakenews.yaml").write_text("top_k: 2\n", encoding="utf-8")
    ClaimBank(home.claims_db).put_many(CLAIMS)
    detector = detector_classes()["fakenews"].from_home(home)
    assert isinstance(detector, FakenewsDetector) and detector.settings.top_k == 2
    report = detector.detect(_subject("🔥 NÓNG!!! Sóng 5G chính là thứ làm virus corona lây lan khắp nơi #5G #covid"))
    section = report.section
    assert section["label"] == "matched" and len(section["claims"]) <= 2
    assert section["claims"][0]["id"] == "vn-5g" and section["claims"][0]["tier"] == "matched"
    assert set(section["claims"][0]) == {"id", "text", "similarity", "tier"}
    assert section["score"] == section["claims"][0]["similarity"]
    (finding,) = report.findings
    assert finding.type == "fake_news" and finding.detector == "fakenews" and finding.target == "vn-5g"
    assert finding.claims[0].url.startswith("https://") and finding.media_sha256 == ""


def test_detector_reads_ocr_text_and_stays_quiet_on_true_news(home, e5_embedder):
    ClaimBank(home.claims_db).put_many(CLAIMS)
    detector = FakenewsDetector.from_home(home)
    ocr = "TIN KHẨN\nTối nay trực thăng rải thuốc khử trùng toàn thành phố,\nmọi nhà đóng kín cửa, không ra ngoài"
    report = detector.detect(_subject(ocr=ocr))
    assert report.findings and report.findings[0].target == "vn-truc-thang"
    assert report.findings[0].media_sha256 == "cd" * 32
    quiet = detector.detect(_subject("Bộ Y tế khuyến cáo người dân rửa tay thường xuyên bằng xà phòng"))
    assert not quiet.findings and quiet.section["label"] in ("no_match", "suggested")


def test_empty_bank_loads_no_model(home):
    detector = FakenewsDetector.from_home(home)
    assert detector.embedder is None
    assert detector.detect(_subject("bất cứ gì")).section == {"score": 0.0, "label": "no_match", "claims": []}


def test_tiers_per_claim_source(e5_embedder, config_dir):
    from canhbao.core import config

    (config_dir / "fakenews.yaml").write_text(
        "per_source:\n  WHO: {suggested: 0.99, matched: 0.995}\n", encoding="utf-8"
    )
    settings = config.load("fakenews", FakenewsSettings)
    post = "🔥 NÓNG!!! Sóng 5G chính là thứ làm virus corona lây lan khắp nơi #5G #covid"  # debunked by WHO
    assert ClaimIndex(CLAIMS, e5_embedder, FakenewsSettings().thresholds).match(post)[0].id == "vn-5g"
    index = ClaimIndex(CLAIMS, e5_embedder, settings.thresholds)
    assert all(r.id != "vn-5g" for r in index.match(post))  # WHO claims now need 0.99
    (config_dir / "fakenews.yaml").write_text("per_source:\n  WHO: {suggested: 0.9, matched: 0.8}\n", encoding="utf-8")
    with pytest.raises(Exception, match="suggested <= matched"):
        config.load("fakenews", FakenewsSettings)


def test_detect_cli_with_a_seeded_claim_bank(home, tmp_path, capsys):
    """What the demo does: seed the bank from a shipped CSV, then `canhbao detect --json` a post."""
    from canhbao.cli import main

    root = ["--home", str(home.root)]
    assert main(root + ["claims", "import", str(DATA / "claims_covid_vi.csv")]) == 0
    post = tmp_path / "post.txt"
    post.write_text(
        "Tin nóng 🔥 đêm nay trực thăng sẽ phun thuốc khử trùng khắp thành phố, "
        "người dân phải đóng kín cửa ở trong nhà nhé!!! #HaNoi",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(root + ["detect", "--json", "--only", "pii,fakenews", str(post)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fakenews"]["label"] == "matched" and out["fakenews"]["claims"][0]["id"] == "vn-truc-thang"
    assert out["pii"]["exposure"] is False and out["pii"]["masked_text"].startswith("Tin nóng")


def test_lexical_view_and_polarity_pieces():
    from canhbao.detectors.fakenews import text as ft

    # tone-mark blind, function syllables dropped, amounts as numbers
    assert (
        ft.grams("Uống nước NÓNG") == ft.grams("uong nuoc nong") == {"uong", "nuoc", "nong", "uong nuoc", "nuoc nong"}
    )
    assert "#1800000" in ft.grams("phát 1 triệu 8", facts.specifics("phát 1 triệu 8").numbers)
    assert ft.negated_words("Uống nước ấm nhưng không diệt được virus") == ft.negated_words("ko diệt đc virus")
    assert not ft.negated_words("Ô nhiễm không khí ở Hà Nội") and not ft.negated_words("Uống nước nóng diệt virus")


def test_scoped_negation():
    from canhbao.detectors.fakenews import text as ft

    true_version = "Uống nước ấm giúp dịu cổ họng nhưng không tiêu diệt được virus"
    assert ft.negated_words(true_version) == {"tieu", "diet", "virus"}
    # reach ends at the clause: the demo's unaccented rumour negates "ai di tiem" only
    assert ft.negated_words("Tiem vac xin covid la bi vo sinh do, ca nha minh khong ai di tiem dau") == {"tiem"}
    assert ft.negated_words("Đeo khẩu trang vải vô dụng, lại còn dễ lây bệnh") == {"dung"}
    assert ft.negated_words("Tiêm vắc xin gây vô sinh có đúng không?") == frozenset()  # a question, not a denial
    assert ft.negated_words("Ô nhiễm không khí ở Hà Nội") == frozenset()


def test_scored_point_ranks_unaccented_paraphrase_and_penalises_other_versions(e5_embedder):
    """The "scored" point (bench/fakenews_quality.py SCORED, set on its dev split): lexical view, scoped
    negation, aside negation and specifics penalties."""
    from dataclasses import replace

    plain_settings = config.load("fakenews", FakenewsSettings)
    assert plain_settings == FakenewsSettings()  # the file and the code agree on the default
    scored = replace(
        plain_settings,
        lexical_weight=0.15,
        negation_penalty=0.08,
        aside_penalty=0.08,
        specifics_penalty=0.04,
        suggested=0.84,
        matched=0.84,
    )
    index = ClaimIndex(CLAIMS, e5_embedder, scored.thresholds)
    plain = ClaimIndex(CLAIMS, e5_embedder, plain_settings.thresholds)
    ids = [c.id for c in CLAIMS]
    rumour = "Cu uong nuoc that nong la virus corona trong hong chet het, moi nguoi lam ngay"
    assert _ranked_first(plain, rumour) != "vn-nuoc-nong" and _ranked_first(index, rumour) == "vn-nuoc-nong"
    true_version = "Uống nước ấm giúp dịu cổ họng khi bị ho nhưng không tiêu diệt được virus"
    s = index.scores(true_version)
    i = ids.index("vn-nuoc-nong")
    assert s.negation[i] and s.tier[i] < s.rank[i] - 0.079
    assert all(r.id != "vn-nuoc-nong" for r in index.match(true_version))
    # a denial of something the claim never mentions (the true version adds one)
    other_denial = "Súc miệng bằng nước muối giúp giữ vệ sinh răng miệng, nhưng không thay được vắc xin"
    k = ids.index("vn-nuoc-muoi")
    assert index.scores(other_denial).negation[k] and all(r.id != "vn-nuoc-muoi" for r in index.match(other_denial))
    other_group = "Trẻ em từ 12 đến 17 tuổi ở Hà Nội bắt đầu được tiêm vắc xin Pfizer từ tuần này"
    j = ids.index("vn-tre-dot-quy")
    assert index.scores(other_group).tier[j] < index.scores(other_group).rank[j] - 0.039
    refs = index.match("Hàng loạt cháu bé đột quỵ sau mũi tiêm Pfizer")
    assert refs and refs[0].id == "vn-tre-dot-quy" and refs[0].tier == "matched"


def test_learned_point_ranks_and_tiers_by_one_score(e5_embedder):
    """The "learned" point (bench/claim_tiers_fit.py, fitted on the dev split): one logistic score ranks and
    tiers; the true version, another version's denial and another hospital get no tier, the claim re-typed
    without tone marks is matched."""
    from dataclasses import replace

    from canhbao.detectors.fakenews.detector import TIER_MODEL

    learned = replace(FakenewsSettings(), tier_model=dict(TIER_MODEL), suggested=0.5, matched=0.5)
    index = ClaimIndex(CLAIMS, e5_embedder, learned.thresholds)
    ids = [c.id for c in CLAIMS]
    rumour = "Cu uong nuoc that nong la virus corona trong hong chet het, moi nguoi lam ngay"
    assert _ranked_first(index, rumour) == "vn-nuoc-nong"
    s = index.scores(rumour)
    assert np.array_equal(s.rank, s.tier) and 0.0 <= s.tier.min() and s.tier.max() <= 1.0
    true_version = "Uống nước ấm giúp dịu cổ họng khi bị ho nhưng không tiêu diệt được virus"
    assert all(r.id != "vn-nuoc-nong" for r in index.match(true_version))
    other_denial = "Súc miệng bằng nước muối giúp giữ vệ sinh răng miệng, nhưng không thay được vắc xin"
    assert all(r.id != "vn-nuoc-muoi" for r in index.match(other_denial))
    assert all(
        r.id != "vn-giau-ca" for r in index.match("Bệnh viện Chợ Rẫy đang giấu hàng trăm ca tử vong vì Covid-19")
    )
    same = index.match("benh vien bach mai dang giau hang tram ca tu vong vi covid-19")
    assert same and same[0].id == "vn-giau-ca" and same[0].tier == "matched"
    assert index.scores(true_version).tier[ids.index("vn-nuoc-nong")] < 0.5


def test_tier_model_names_known_features(config_dir):
    (config_dir / "fakenews.yaml").write_text("tier_model: {cos: 1.0, cosine: 2.0}\n", encoding="utf-8")
    with pytest.raises(Exception, match="unknown features"):
        config.load("fakenews", FakenewsSettings)
