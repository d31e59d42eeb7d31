"""The console shows the raw captured page and the media as posted only to roles allowed to unmask: an analyst
opening a leak alert whose captured page is a feed that also names a patient sees the post's own element with
personal data masked, never the other post; an image that carries personal data is not served to the analyst
even on a leak alert, while the inspector sees everything."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from canhbao.console import accounts, masked_view
from canhbao.console.settings import ConsoleSettings
from canhbao.console.store import ConsoleStore
from canhbao.core.audit import AuditLog
from canhbao.core.records import LEAK, PII_EXPOSURE
from canhbao.detectors.pii import find_entities
from canhbao.evidence import masked

PATIENT = ["Nguyễn Văn Hùng", "0912 345 678", "091188001234"]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@pytest.fixture(scope="module")
def world(evidence_world, seeds):
    from starlette.testclient import TestClient

    from canhbao.console import create_app
    from canhbao.testing import evidence_world as sample

    home, site, store, cases = evidence_world
    feed = sample.feed_case(home, site, store, seeds[0])
    users, audit = ConsoleStore.for_home(home), AuditLog(home.audit_log)
    accounts.add_user(users, audit, "lan", "analyst", "correct-horse-1", actor="setup")
    accounts.add_user(users, audit, "minh", "inspector", "correct-horse-2", actor="setup")
    settings = ConsoleSettings(trusted_proxy_header="X-Forwarded-User", trusted_proxies=("testclient",))
    client = TestClient(create_app(home, settings), base_url="https://testserver")
    return home, client, feed, cases


def _get(client, user, path):
    return client.get(path, headers={"X-Forwarded-User": user})


def test_an_analyst_sees_the_post_masked_not_the_feed(world):
    home, client, feed, _ = world
    raw = (home.root / feed.post.raw_html).read_text(encoding="utf-8")
    assert all(p in raw for p in PATIENT)  # the page really holds the other post's patient
    seen = _get(client, "lan", f"/alerts/{feed.alert.id}/captured")
    assert seen.status_code == 200 and "Công văn nội bộ vừa lộ ra đây" in seen.text
    assert not [p for p in PATIENT if p in seen.text] and "Trần Thị Bích" not in seen.text
    page = _get(client, "lan", f"/alerts/{feed.alert.id}").text
    assert 'id="withheld"' in page and "/captured" in page
    full = _get(client, "minh", f"/alerts/{feed.alert.id}/captured")
    assert "Nguyễn Văn Hùng" in full.text  # the inspector's role sees the page as captured
    assert 'id="withheld"' not in _get(client, "minh", f"/alerts/{feed.alert.id}").text


def test_the_post_text_itself_is_masked_for_an_analyst(world):
    _, client, _, cases = world
    pii = cases["pii"]
    seen = _get(client, "lan", f"/alerts/{pii.alert.id}/captured")
    assert seen.status_code == 200
    assert "Nguyễn Thị Hoa" not in seen.text and "0912345678" not in seen.text and "[NAME·" in seen.text
    assert "Nguyễn Thị Hoa" in _get(client, "minh", f"/alerts/{pii.alert.id}/captured").text


def test_media_with_personal_data_go_only_to_the_unmask_role(world, tmp_path):
    home, client, feed, cases = world
    sha = feed.alert.media_sha256[0]  # the leaked letter: no personal data in it
    assert _get(client, "lan", f"/alerts/{feed.alert.id}/media/{sha}").status_code == 200

    img = Image.new("RGB", (1400, 160), "white")
    ImageDraw.Draw(img).text(
        (20, 50), "Bệnh nhân Nguyễn Văn Hùng, SĐT 0912 345 678", fill="black", font=ImageFont.truetype(FONT, 44)
    )
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    path = tmp_path / "notice.png"
    path.write_bytes(buf.getvalue())
    letter = home.root / feed.post.media[0].path
    assert masked_view.image_shown(cases["leak"].alert, letter)
    assert cases["leak"].alert.type == LEAK and not masked_view.image_shown(cases["leak"].alert, path)
    assert cases["pii"].alert.type == PII_EXPOSURE and not masked_view.image_shown(cases["pii"].alert, letter)


def _letter(tmp_path, name: str, body: str = ""):
    """An official letter as a photographed page: motto, number, body, "Nơi nhận" beside the signature block and
    running below the signer's name, as a long recipient list does (so the name is not the text's last line,
    which the name rules read as a byline)."""
    img = Image.new("RGB", (1240, 1500), "white")
    d = ImageDraw.Draw(img)
    f, b = ImageFont.truetype(FONT, 30), ImageFont.truetype(FONT.replace("Sans.ttf", "Sans-Bold.ttf"), 30)
    for xy, line, font in (
        ((60, 60), "ỦY BAN NHÂN DÂN", b),
        ((60, 100), "TỈNH BẮC NINH", b),
        ((560, 60), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", b),
        ((640, 100), "Độc lập - Tự do - Hạnh phúc", b),
        ((60, 160), "Số: 1234/UBND-VX", f),
        ((60, 260), "V/v tăng cường công tác phòng, chống dịch bệnh", f),
        ((60, 310), "Ủy ban nhân dân tỉnh yêu cầu các đơn vị triển khai ngay", f),
        ((60, 360), "các biện pháp phòng, chống dịch theo hướng dẫn.", f),
        ((60, 410), body, f),
        ((60, 560), "Nơi nhận:", b),
        ((760, 560), "KT. CHỦ TỊCH", b),
        ((60, 605), "- Như trên;", f),
        ((760, 605), "PHÓ CHỦ TỊCH", b),
        ((60, 650), "- Sở Y tế;", f),
        ((60, 700), "- Sở Thông tin và Truyền thông;", f),
        ((790, 700), "(Đã ký)", f),
        ((60, 750), "- UBND các huyện, thành phố;", f),
        ((60, 800), "- Trung tâm Kiểm soát bệnh tật;", f),
        ((720, 820), name, b),
        ((60, 900), "- Lưu: VT, VX.", f),
    ):
        d.text(xy, line, font=font, fill="black")
    path = tmp_path / f"letter-{abs(hash((name, body)))}.png"
    img.save(path, format="PNG")
    return path


def test_a_leaked_letters_signer_does_not_hide_it_but_a_patient_in_it_does(world, tmp_path):
    _, _, _, cases = world
    leak, pii = cases["leak"].alert, cases["pii"].alert
    signed = _letter(tmp_path, "Nguyễn Văn Sơn")
    text = masked.image_text(signed.read_bytes())
    assert "Nguyễn Văn Sơn" in text and [e for e in find_entities(text) if e.type == "name"]  # OCR reads the signer
    assert masked_view.image_shown(leak, signed)  # the official's signature is no patient data
    assert not masked_view.image_shown(pii, signed)  # a patient-data alert's images stay withheld
    listed = _letter(tmp_path, "Nguyễn Văn Sơn", "Bệnh nhân Trần Thị Mai, 45 tuổi, SĐT 0912 345 678.")
    assert not masked_view.image_shown(leak, listed)  # a patient named in the letter's body still hides it


def test_only_a_name_under_a_signing_title_in_a_letter_is_exempt():
    letter = (  # OCR reading the signature column before the recipients' column
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 12/SYT-NVY\nĐề nghị cách ly anh Lê Văn Tâm\n"
        "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\n(Đã ký)\nNguyễn Thị Hoa\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n"
    )
    found = {letter[a:b] for a, b in masked.signers(letter, find_entities(letter))}
    assert found == {"Nguyễn Thị Hoa"} and masked.identifying(letter) == ("name",)  # Lê Văn Tâm still counts
    post = "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\n(Đã ký)\nNguyễn Thị Hoa\nMọi người chia sẻ giúp\n"  # no letter: a title alone
    assert masked.signers(post, find_entities(post)) == set() and masked.identifying(post) == ("name",)
