"""Detectors: pure functions of a `Subject` (post + OCR'd media) that return findings.

One module per detector, each a `Detector` subclass with a unique `name` (its key in `detect --json`).
`media.py` is the stage before detection: it turns media files into `MediaText` (document or photo,
OCR text, perceptual hash) once per SHA-256. Heavy state (registry index, embedding model) is loaded
once in `from_home` and injected, so `detect` itself does no I/O.
"""
