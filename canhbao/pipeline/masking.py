"""The masking step between detection and alerts: the only way post text reaches an alert or an index.

Its input is an analysis (every detector's report for one post), its output a `MaskedText`; alerts take
`MaskedText.text`, so the privacy invariant rides on a type rather than on a dictionary key. When the pii
detector did not run (`--only leak`), the step masks the text itself, with plain placeholders: nothing
unmasked is ever handed on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from canhbao.detectors.pii import PiiSection, find_entities, mask


@dataclass(frozen=True)
class MaskedText:
    text: str
    entity_types: tuple[str, ...]  # kinds that were hidden, sorted
    by: str  # "pii" (the detector's keyed mask) or "fallback" (placeholders, the detector did not run)


def mask_step(analysis: Any) -> MaskedText:
    report = analysis.reports.get("pii")
    if report is not None and isinstance(report.section, PiiSection):
        section = report.section
        return MaskedText(section.masked_text, tuple(sorted({e.type for e in section.entities})), "pii")
    text = "\n\n".join(t for _, t in analysis.subject.texts())
    entities = find_entities(text)
    return MaskedText(mask(text, entities, "placeholder"), tuple(sorted({e.type for e in entities})), "fallback")
