"""Fake-news detector: passage-level matching against the claim bank (`claim_match`) and a trained
likely-fake classifier (`model`, features in `text`); `detector` is the `Detector` adapter."""

from canhbao.detectors.fakenews.detector import FakenewsDetector, FakenewsSettings

__all__ = ["FakenewsDetector", "FakenewsSettings"]
