"""The detector contract, run for every discovered detector (python-threatexchange's SignalType auto-test
idea): each declares a name and version and ships examples it must get right; its report survives a JSON
round trip; no finding's summary or signals carry raw personal data. A new detector gets these tests free."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from canhbao.core.home import Home
from canhbao.core.records import Finding, Post, Subject, from_dict, to_dict
from canhbao.detectors.base import Detector, detector_classes

CLASSES = detector_classes()
# Kinds that identify a person by themselves; ages and health terms may appear in a masked summary.
IDENTIFYING = {"name", "address", "phone", "email", "cccd", "cmnd", "health_insurance", "licence_plate"}


@pytest.fixture(scope="module", params=sorted(CLASSES))
def detector(request, tmp_path_factory) -> Detector:
    home = Home.resolve(tmp_path_factory.mktemp(f"contract-{request.param}") / "home")
    return CLASSES[request.param].for_examples(home)


def _subject(text: str) -> Subject:
    post = Post(
        source="contract",
        platform="web",
        post_id="p1",
        url="https://example.org/p1",
        captured_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
        text=text,
    )
    return Subject(post)


def test_declares_name_version_and_both_kinds_of_example(detector):
    cls = type(detector)
    assert cls.name and isinstance(cls.name, str)
    assert isinstance(cls.version, str) and cls.version
    assert any(e.fires for e in cls.EXAMPLES), f"{cls.name}: no example it must flag"
    assert any(not e.fires for e in cls.EXAMPLES), f"{cls.name}: no example it must leave alone"


def test_examples(detector):
    wrong = []
    for example in type(detector).EXAMPLES:
        report = detector.detect(_subject(example.text))
        if bool(report.findings) != example.fires:
            wrong.append(f"{'missed' if example.fires else 'false alarm'}: {example.note}")
        assert all(f.detector == detector.name for f in report.findings)
    assert not wrong, wrong


def test_report_round_trips_through_json(detector):
    for example in type(detector).EXAMPLES:
        report = detector.detect(_subject(example.text))
        section = dict(report.section)
        assert json.loads(json.dumps(section, ensure_ascii=False)) == json.loads(json.dumps(section))
        for finding in report.findings:
            assert from_dict(Finding, json.loads(json.dumps(to_dict(finding)))) == finding


def test_findings_carry_no_raw_personal_data(detector):
    from canhbao.detectors.pii import find_entities

    for example in type(detector).EXAMPLES:
        for finding in detector.detect(_subject(example.text)).findings:
            for text in (finding.summary, json.dumps(dict(finding.signals), ensure_ascii=False)):
                leaked = [(e.type, text[e.start : e.end]) for e in find_entities(text) if e.type in IDENTIFYING]
                assert not leaked, f"{detector.name}: {leaked} in {text!r}"


def test_discovery_refuses_two_detectors_with_one_name():
    from canhbao.detectors import base

    class Twin(Detector):  # same name as a real detector, defined in this test module
        name = next(iter(CLASSES))
        version = "0"

        @classmethod
        def from_home(cls, home):
            return cls()

        def detect(self, subject):
            return base.Report({})

    try:
        with pytest.raises(TypeError, match="two detectors named"):
            base.detector_classes()
    finally:
        del Twin
        import gc

        gc.collect()
    assert set(base.detector_classes()) == set(CLASSES)
