"""Patient-data detector: Vietnamese personal data next to health context (Decree 13/2023 categories).

`patterns` and `address` are the recognizers, `gazetteer` the administrative units, `detector` the
`Detector` adapter with the exposure rule and `mask()`."""

from canhbao.detectors.pii.detector import PiiDetector, PiiSettings, find_entities, mask

__all__ = ["PiiDetector", "PiiSettings", "find_entities", "mask"]
