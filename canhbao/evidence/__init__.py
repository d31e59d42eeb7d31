"""Violation evidence: signed export bundles (`canhbao evidence export|verify`) and takedown tracking.

export.py builds a bundle (post as seen, archived capture, metadata, PDF record, custody log),
bundle.py writes it atomically and verifies it, signing.py holds the deployment's Ed25519 key,
takedown.py re-visits confirmed posts. Chromium and HTTP stay at the edges (browser.py, fetch.py).
"""
