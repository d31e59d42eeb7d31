"""Shared foundation: records that flow between stages, configuration, data home, errors, audit log.

Every stage (crawlers, detectors, index, evidence) speaks the records in `records.py`; nothing here
imports from a stage, so the data flows one way: source -> post (+media) -> findings -> alert -> index/evidence.
"""
