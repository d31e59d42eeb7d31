"""The harness of the per-round PII rule tests (tests/test_pii_round*.py): each case is (text, spans that must
be found, spans that must not be), a span being (entity type, the text it covers)."""

from __future__ import annotations

from canhbao.detectors.pii.detector import find_entities

Span = tuple[str, str]
FormCase = tuple[str, set[Span], set[Span]]


def found(text: str) -> set[Span]:
    return {(e.type, text[e.start : e.end]) for e in find_entities(text)}


def case_ids(cases: list[FormCase]) -> list[str]:
    return [c[0][:40] for c in cases]


def check_form(text: str, present: set[Span], absent: set[Span]) -> None:
    got = found(text)
    assert present <= got, (present - got, got)
    assert not (absent & got), (absent & got, got)
