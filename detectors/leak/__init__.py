"""Leak detector: does a post reproduce a registered internal document (OCR text shingles, pHash)?

`matcher` holds the index, the template model and the decision, `fingerprint` the shingles, `prints` the
cached fingerprints of registered pages, `background` the table of published documents' shingles (package
data `data/background.npz`, rebuilt by `scripts/build_background.py`), `settings` its configuration,
`detector` the `Detector` adapter that the pipeline discovers."""

from canhbao.detectors.leak.detector import LeakDetector

__all__ = ["LeakDetector"]
