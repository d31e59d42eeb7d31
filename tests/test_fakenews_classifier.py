"""`canhbao fakenews train|evaluate` on VFND (held-out sources), versioned models used by detect,
and analysts' decisions exported as training rows."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from canhbao.cli import main
from canhbao.commands.fakenews import feedback_rows
from canhbao.core.errors import NotFound
from canhbao.core.posts import PostStore
from canhbao.core.records import Alert, Finding, Post, Subject, utcnow
from canhbao.detectors.fakenews import boilerplate
from canhbao.detectors.fakenews import model as fm
from canhbao.detectors.fakenews import text as ft
from canhbao.detectors.fakenews.detector import FakenewsDetector
from canhbao.testing import vfnd

DATA_VFND = Path(__file__).parent / "data" / "vfnd"


@pytest.fixture(scope="module")
def vfnd_csvs(tmp_path_factory):
    """VFND (tests/data/vfnd) as train.csv and test.csv, the test sources fixed by rule (canhbao.testing.vfnd),
    plus one bad row in the test file."""
    d = tmp_path_factory.mktemp("vfnd")
    _, test = vfnd.write_split(d)
    with test.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["một dòng nhãn sai", "maybe", "x.vn", "", ""])
    return d


def test_held_out_sources_share_nothing_with_training(vfnd_csvs):
    train = {r["domain"] for r in csv.DictReader((vfnd_csvs / "train.csv").open(encoding="utf-8"))}
    test = [r for r in csv.DictReader((vfnd_csvs / "test.csv").open(encoding="utf-8")) if r["label"] in "01"]
    assert not train & {r["domain"] for r in test}
    assert {r["label"] for r in test} == {"0", "1"} and len(test) >= 20


def test_train_evaluate_version_and_detect(home, vfnd_csvs, capsys, e5_embedder):
    """Trained and scored through the CLI: candidates compared by cross-validation grouped by source, the
    model card stored and printed, and ROC-AUC >= 0.92 on sources never seen in training."""
    root = ["--home", str(home.root)]
    assert main(root + ["fakenews", "train", str(vfnd_csvs / "train.csv")]) == 0
    out = capsys.readouterr().out
    assert "model v0001 (e5onnx:original)" in out and "cross-validation (grouped by source)" in out
    assert main(root + ["fakenews", "evaluate", str(vfnd_csvs / "test.csv")]) == 0
    out, err = capsys.readouterr()
    assert "model card v0001" in out and "split: 5-fold cross-validation grouped by source" in out
    assert "text views read: links, dateline" in out
    auc = float(out.split("test.csv: ")[1].split("ROC-AUC ")[1].split()[0])
    assert auc >= 0.92, out
    assert "test.csv:" in err and "is not 1/fake or 0/real" in err
    model = fm.load(home.models)
    card = model.meta
    assert set(card["candidates"]) == set(fm.CANDIDATES) and card["chosen"] in card["candidates"]
    assert card["data"]["metadata_columns"] == ["published", "account"] and 0 < model.threshold < 1
    # retrained with the chosen candidate only (no comparison): a new version, the old one kept
    retrain = ["fakenews", "train", str(vfnd_csvs / "train.csv"), "--c", "0.5", "--candidate", card["chosen"]]
    assert main(root + retrain) == 0
    assert fm.load(home.models).version == "v0002" and fm.load(home.models, "v0001").version == "v0001"
    assert list(fm.load(home.models).meta["candidates"]) == [card["chosen"]] and fm.load(home.models).meta["C"] == 0.5
    assert main(root + ["fakenews", "train", str(vfnd_csvs / "train.csv"), "--candidate", "bogus"]) != 0
    assert "bogus: no such candidate" in capsys.readouterr().err
    assert fm.load(home.models).version == "v0002"  # nothing stored for the refused run

    detector = FakenewsDetector.from_home(home)  # empty claim bank, but a model: the classifier runs
    post = Post(
        source="t",
        platform="facebook",
        post_id="1",
        url="u",
        captured_at=utcnow(),
        text="NÓNG!!! CHIA SẺ NGAY trước khi bị xóa: sự thật động trời không ai dám nói!!! http://bit.ly/x",
        engagement={"reactions": 1200, "comments": 300, "shares": 950},
    )
    section = detector.detect(Subject(post)).section
    assert section["classifier"]["version"] == "v0002" and 0 <= section["classifier"]["probability"] <= 1
    assert section["label"] in ("likely_fake", "no_match") and section["claims"] == []


def test_metadata_columns_are_optional_and_read(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(
        "text,label,reactions,comments,shares,published,account\n"
        'Tin nóng,1,"1,200",30,,2020-03-01T23:10:00,page-a\nTin thường,0,,,,,\n',
        encoding="utf-8",
    )
    rows, errors = fm.read_rows(path)
    assert not errors and rows[0].reactions == 1200 and rows[0].comments == 30 and rows[0].shares is None
    x = fm.style(rows)
    names = list(fm.STYLE_NAMES)
    assert x.shape == (2, len(names))
    assert x[0, names.index("no_shares")] == 1 and x[0, names.index("no_reactions")] == 0
    assert x[1, names.index("no_time")] == 1 and x[0, names.index("no_time")] == 0


def test_signals_measure_sensational_style():
    calm = ft.signals("Bộ Y tế khuyến cáo người dân tiêm đủ liều vắc xin theo lịch.")
    loud = ft.signals("NÓNG!!! KHẨN CẤP chia sẻ ngay 😱😱 http://x.co")
    assert loud["sensational"] > calm["sensational"] and loud["exclamations"] > calm["exclamations"]
    assert loud["caps_ratio"] > 0.3 > calm["caps_ratio"] and loud["emoji"] > 0 == calm["emoji"]
    assert ft.signals("Xem ngay kẻo bị xóa https://bit.ly/abc")["link_only"] == 1.0 and calm["link_only"] == 0.0


def test_threshold_and_metrics_are_consistent():
    y = np.array([0, 0, 0, 1, 1, 1])
    p = np.array([0.1, 0.2, 0.7, 0.6, 0.8, 0.9])
    t = fm.best_threshold(y, p)
    m = fm.metrics(y, p, t)
    assert t == pytest.approx(0.6) and m["recall"] == 1.0 and m["precision"] == 0.75
    assert m["roc_auc"] == pytest.approx(8 / 9)


def test_boilerplate_strip_drops_the_outlet_keeps_the_content():
    """The outlet's dateline, links, addresses and closing attribution/byline go; what the post says stays."""
    text = (
        "Khởi tố cặp nữ quái chuyên cung cấp ma túy\n"
        "(Dân trí) - Theo tài liệu cơ quan điều tra, vào khoảng 18h15 ngày 3/12 hai đối tượng bị bắt.\n"
        "Chi tiết xem tại https://dantri.com.vn/phap-luat/abc.htm hoặc Dantri.com.vn, liên hệ toasoan@dantri.com.vn.\n"
        "Vụ việc đang được tiếp tục điều tra làm rõ.\n"
        "Theo đại diện cơ quan công an, hai đối tượng đã khai nhận toàn bộ hành vi mua bán trái phép chất ma túy.\n"
        "Theo Tuổi Trẻ\n"
        "Tiến Hiệp - Lan Anh"
    )
    out = boilerplate.remove(text)
    assert out.startswith("Khởi tố cặp nữ quái") and "Theo tài liệu cơ quan điều tra" in out
    assert "Vụ việc đang được tiếp tục điều tra làm rõ." in out and "Theo đại diện cơ quan công an" in out
    for gone in ("Dân trí", "https://", "dantri", "@", "Theo Tuổi Trẻ", "Tiến Hiệp"):
        assert gone not in out, gone
    # a real fake post's closing lines from VFND (tingame.info): the address and the source link go
    row = next(r for r in vfnd.rows() if r["domain"] == "tingame.info")
    assert "tingame.info" in row["text"] and "yahoo.com" in row["text"]
    stripped = boilerplate.remove(row["text"])
    assert "tingame.info" not in stripped and "yahoo.com" not in stripped
    assert stripped.startswith("MC Lại Văn Sâm đột ngột qua đời")
    # short posts and posts that are all content are left alone
    assert boilerplate.remove("Quảng Bình - Hà Tĩnh mưa lớn") == "Quảng Bình - Hà Tĩnh mưa lớn"
    assert boilerplate.remove("Tin nóng!") == "Tin nóng!"


def test_nb_character_view_is_stored_and_scores_the_same_after_loading(tmp_path):
    """The NB-weighted character view (no embedding needed) survives save/load without pickle."""
    rows, _ = fm.read_rows(vfnd.write_split(tmp_path)[0])
    rows = rows[::3]
    model, card = fm.train(
        rows, None, candidates={"nbchars": ("nbchars",), "tfidf+style": ("syllables", "chars", "style")}
    )
    assert set(card["candidates"]) == {"nbchars", "tfidf+style"} and card["cv_split"] == "grouped by source"
    before = model.score_rows(rows, None)
    fm.save(tmp_path / "models", model, card)
    loaded = fm.load(tmp_path / "models")
    assert [v.name for v in loaded.views] == [v.name for v in model.views]
    np.testing.assert_allclose(loaded.score_rows(rows, None), before, rtol=1e-9)
    meta = tmp_path / "models" / "fakenews" / loaded.version / "meta.json"  # a model of the older format
    meta.write_text(json.dumps({**json.loads(meta.read_text(encoding="utf-8")), "format": 1}), encoding="utf-8")
    with pytest.raises(NotFound, match="older version: retrain"):
        fm.load(tmp_path / "models")
    nb = fm.ViewModel("nbchars", np.zeros(0), 0.0)
    x = fm._vectorizer("nbchars").fit_transform(fm.Views(rows, None).get("nbchars"))
    ratio = fm.nb_ratio(x, np.array([r.label for r in rows]))
    assert nb.ratio is None and ratio.shape == (x.shape[1],) and ratio.min() < 0 < ratio.max()


def test_embedding_view_is_the_opening_beside_the_mean_of_windows(e5_embedder):
    short = fm.Row("Bộ Y tế khuyến cáo người dân tiêm đủ liều vắc xin theo lịch.")
    long_text = " ".join(f"Câu số {i} nói về giá xăng dầu, thời tiết và bóng đá hôm nay." for i in range(300))
    x = fm.embed([short, fm.Row(long_text)], e5_embedder)
    dim = e5_embedder.dim
    assert x.shape == (2, 2 * dim)
    np.testing.assert_allclose(x[0, :dim], x[0, dim:], atol=1e-6)  # one window: the opening itself
    assert np.linalg.norm(x[1, dim:]) == pytest.approx(1.0) and float(x[1, :dim] @ x[1, dim:]) < 0.9999


def test_bad_training_file(tmp_path, home):
    path = tmp_path / "x.csv"
    path.write_text("body,label\nabc,1\n", encoding="utf-8")
    assert main(["--home", str(home.root), "fakenews", "train", str(path)]) == 2


def _alert(post: Post, status: str, minutes: int) -> Alert:
    finding = Finding(type="fake_news", detector="fakenews", score=0.95, target="vn-5g")
    return Alert(
        id=f"a{minutes}",
        type="fake_news",
        score=0.95,
        source=post.source,
        platform=post.platform,
        post_id=post.post_id,
        post_url=post.url,
        captured_at=post.captured_at,
        finding=finding,
        masked_text="(masked)",
        status=status,
        updated_at=post.captured_at + timedelta(minutes=minutes),
    )


def test_feedback_rows_from_decided_alerts(home):
    now = utcnow()
    kept = Post(
        source="fb",
        platform="facebook",
        post_id="1",
        url="https://www.facebook.com/p/1",
        captured_at=now,
        text="Sóng 5G làm lây virus corona",
    )
    gone = Post(source="news", platform="news", post_id="2", url="https://tinvn.info/a/2", captured_at=now, text="")
    posts = PostStore(home.posts_db)
    posts.put(kept)
    rows = feedback_rows(
        [_alert(kept, "dismissed", 1), _alert(kept, "confirmed", 2), _alert(gone, "dismissed", 3)], posts
    )
    assert sorted(rows) == [
        ("(masked)", 0, "tinvn.info"),
        ("Sóng 5G làm lây virus corona", 1, "www.facebook.com"),
    ]


def test_export_feedback_from_the_alert_store(home, capsys, tmp_path, monkeypatch, config_dir):
    """Real SQLite alert store: confirmed -> 1, dismissed -> 0, open alerts and other types left out."""
    from canhbao.core.alerts import alert_from_finding
    from canhbao.index import open_store

    now = utcnow()
    posts = [
        Post(
            source="fb",
            platform="facebook",
            post_id=str(i),
            url=f"https://www.facebook.com/p/{i}",
            captured_at=now,
            text=text,
        )
        for i, text in enumerate(
            (
                "Sóng 5G làm lây virus corona, chia sẻ ngay!",
                "Hà Nội tiêm vắc xin cho trẻ 5-11 tuổi",
                "Uống nước nóng diệt virus",
                "Bệnh nhân Nguyễn Văn An 45 tuổi",
            )
        )
    ]
    PostStore(home.posts_db).put_many(posts)
    fake = Finding(type="fake_news", detector="fakenews", score=0.95, target="vn-5g")
    pii = Finding(type="pii_exposure", detector="pii", score=0.9)
    alerts = [alert_from_finding(p, f, "(masked)") for p, f in zip(posts, (fake, fake, fake, pii), strict=True)]
    store = open_store(home)
    store.upsert(alerts)
    store.transition(alerts[0].id, "confirmed", actor="analyst1")
    store.transition(alerts[1].id, "dismissed", actor="analyst1")
    store.transition(alerts[3].id, "confirmed", actor="analyst1")
    store.close()
    out = tmp_path / "feedback.csv"
    assert main(["--home", str(home.root), "fakenews", "export-feedback", "--out", str(out)]) == 0
    assert "2 rows (1 fake, 1 real)" in capsys.readouterr().out
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert sorted((r["text"], r["label"], r["domain"]) for r in rows) == [
        ("Hà Nội tiêm vắc xin cho trẻ 5-11 tuổi", "0", "www.facebook.com"),
        ("Sóng 5G làm lây virus corona, chia sẻ ngay!", "1", "www.facebook.com"),
    ]
    assert main(["--home", str(home.root), "fakenews", "train", str(out)]) == 2  # too few rows: a clear error


def test_clean_lowers_shouting_but_keeps_acronyms():
    shouted = "NÓNG: KIÊN GIANG SẼ PHONG TỎA TOÀN TỈNH, cấm xe"
    assert ft.clean(shouted) == "nóng: kiên giang sẽ phong tỏa toàn tỉnh, cấm xe"
    assert ft.clean("WHO nói 5G lây virus 😱 #tinnong https://x.co") == "WHO nói 5G lây virus tinnong"
    assert ft.clean("ko dc ra đg, vacxin gây vô sinh") == "không được ra đg, vắc xin gây vô sinh"


def test_clean_undoes_disguised_letters_of_real_fake_posts():
    """VFND's fake posts (tests/data/vfnd, GPL-3.0) hide words from keyword filters with combining low lines
    and seagulls, small capitals and Cyrillic/Greek/Armenian look-alikes; `clean` reads them as Vietnamese."""
    articles = DATA_VFND / "Dataset" / "Fake" / "Article_Contents"
    title = json.loads((articles / "VFND_Ac_Fake_121.json").read_text(encoding="utf-8"))["title"]
    assert "U̲k̲r̲a̲i̲n̲e" in title
    assert "Nghi vấn Ukraine tự thảm sát" in ft.clean(title)
    body = json.loads((articles / "VFND_Ac_Fake_118.json").read_text(encoding="utf-8"))["maintext"]
    assert "Dù ʟɑɴ cứ xιɴ tôi" in body
    assert ft.clean(body).startswith("Dù lan cứ xin tôi nhẹ nhàng thôi nhưng tôi không làm chủ được bản thân.")
    assert ft.clean("кɦôпg ᵭσ̛̀ι ռhật ⵕuốc Пɦυ̛пg мᾶɴ ɴɢᾳτ b̼.̼o̼.̼m̼") == "không đời nhật quốc Nhưng mãn ngạt b.o.m"
    assert ft.clean("𝐓𝐢𝐧 𝐧𝐨́𝐧𝐠") == "Tin nóng"  # mathematical bold letters: NFKC
    # every disguised letter of these posts is undone; Vietnamese and a Russian quotation are left as written
    for path in sorted(articles.glob("*.json")):
        text = ft.clean(json.loads(path.read_text(encoding="utf-8")).get("maintext") or "")
        assert all(not c.isalpha() or ord(c) <= 0x24F or 0x1E00 <= ord(c) <= 0x1EFF for c in text), path.name
    assert ft.clean("Cộng hòa xã hội chủ nghĩa Việt Nam, ưu đãi ở Đà Nẵng") == (
        "Cộng hòa xã hội chủ nghĩa Việt Nam, ưu đãi ở Đà Nẵng"
    )
    assert ft.clean("Япония откажется") == "Япония откажется"
