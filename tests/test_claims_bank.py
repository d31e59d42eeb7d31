"""The claim bank: CSV / JSON / JSON lines / ClaimReview JSON-LD import, upsert, and the `claims` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canhbao.claims import ClaimBank, claim_id, parse_file
from canhbao.cli import main
from canhbao.core.audit import AuditLog
from canhbao.core.errors import InputError

DATA = Path(__file__).parent / "data"

CLAIM_REVIEW = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "datePublished": "2021-05-05T08:00:00+07:00",
    "url": "https://factcheckvietnam.afp.com/vac-xin-khong-chua-vi-mach",
    "claimReviewed": "Vắc xin Covid-19 có gắn vi mạch để theo dõi người được tiêm",
    "author": {"@type": "Organization", "name": "AFP Kiểm chứng"},
    "reviewRating": {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Sai",
    },
    "reviewBody": "Vắc xin không chứa vi mạch nào.",
    "itemReviewed": {
        "@type": "Claim",
        "appearance": [{"@type": "CreativeWork", "url": "https://facebook.com/x"}],
    },
}


def test_csv_import_is_idempotent(home, state):
    claims, errors = parse_file(DATA / "claims_covid_vi.csv")
    assert len(claims) == 30 and not errors
    bank = ClaimBank(home.claims_db)
    assert bank.put_many(claims) == 30
    assert bank.put_many(claims) == 0  # same file again: nothing changes
    assert bank.count() == 30
    c = bank.get("vn-5g")
    assert c.text.startswith("Sóng 5G") and c.source == "WHO" and c.url.startswith("https://")


def test_claim_review_jsonld_graph_and_json_lines(tmp_path):
    graph = tmp_path / "reviews.jsonld"
    graph.write_text(json.dumps({"@context": "https://schema.org", "@graph": [CLAIM_REVIEW]}), encoding="utf-8")
    (claim,), errors = parse_file(graph)
    assert not errors
    assert claim.verdict == "sai" and claim.source == "AFP Kiểm chứng" and claim.date == "2021-05-05"
    assert claim.debunk == "Vắc xin không chứa vi mạch nào." and claim.id == claim_id(claim.text)
    lines = tmp_path / "claims.jsonl"
    lines.write_text(
        json.dumps({"text": "Uống nước muối diệt virus"}) + "\n" + json.dumps(CLAIM_REVIEW) + "\n",
        encoding="utf-8",
    )
    claims, errors = parse_file(lines)
    assert [c.verdict for c in claims] == ["false", "sai"] and not errors


def test_ids_ignore_case_punctuation_and_tone_marks():
    assert claim_id("Uống nước nóng diệt virus!") == claim_id("uong nuoc nong diet virus")


def test_bad_rows_reported_rest_loaded(tmp_path):
    path = tmp_path / "claims.json"
    path.write_text(json.dumps([{"text": "Ăn tỏi chống Covid"}, {"text": ""}, {"txt": "typo"}, 5]), encoding="utf-8")
    claims, errors = parse_file(path)
    assert len(claims) == 1 and len(errors) == 3
    assert all(str(path) in str(e) for e in errors)
    assert "unknown field(s) txt" in str(errors[1])


@pytest.mark.parametrize(
    "content,problem",
    [("", "empty file"), ("{not json", "not valid JSON"), ("a,b\n1,2\n", "needs a 'text' column")],
)
def test_bad_files(tmp_path, content, problem):
    path = tmp_path / ("bad.csv" if "," in content else "bad.json")
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=problem):
        parse_file(path)


def test_cli_add_import_list(home, capsys, tmp_path, state):
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["--home", str(home.root), "claims", "import", str(DATA / "claims_covid_vi.csv"), str(bad)]) == 0
    out, err = capsys.readouterr()
    assert "30 claims (30 new or changed)" in out and "broken.json: not valid JSON" in err
    assert (
        main(
            [
                "--home",
                str(home.root),
                "claims",
                "add",
                "Uống nước dừa chữa khỏi Covid-19",
                "--source",
                "Bộ Y tế",
                "--url",
                "https://moh.gov.vn/x",
            ]
        )
        == 0
    )
    assert main(["--home", str(home.root), "claims", "list", "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert len(listed) == 31 and listed[-1]["source"] == "Bộ Y tế"
    actions = [e.action for e in AuditLog(home.audit_log).entries()]
    assert actions == ["claims.import", "claims.add"]
