"""Leak detector: does a post reproduce a registered internal document (OCR text shingles, pHash)?

`matcher` holds the index and the decision, `fingerprint` the shingles, `settings` its configuration,
`detector` the `Detector` adapter that the pipeline discovers."""

from canhbao.detectors.leak.detector import LeakDetector

__all__ = ["LeakDetector"]
