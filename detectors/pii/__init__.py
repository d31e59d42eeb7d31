"""Patient-data detector: Vietnamese personal data next to health context (Decree 13/2023 categories).

`patterns` and `address` are the recognizers, `gazetteer` the administrative units, `masking` the keyed
placeholders, `detector` the `Detector` adapter with the exposure rule and its typed `PiiSection`."""

from canhbao.detectors.pii.detector import PiiDetector, PiiSection, PiiSettings, find_entities
from canhbao.detectors.pii.masking import mask

__all__ = ["PiiDetector", "PiiSection", "PiiSettings", "find_entities", "mask"]
