"""Thin HTTP fetch for live checks and takedowns: the policy-guarded client of `canhbao.net.http`
(http/https only, no internal addresses after DNS and after every redirect, size and time limits),
recording what it saw as WARC records."""

from __future__ import annotations

from canhbao.net.http import Fetched
from canhbao.net.http import get as _get
from canhbao.net.policy import FetchPolicy
from canhbao.net.policy import load as load_policy

__all__ = ["Fetched", "fetch"]


def fetch(
    url: str, *, timeout: float, user_agent: str, max_bytes: int = 20 * 1024 * 1024, policy: FetchPolicy | None = None
) -> Fetched:
    """GET `url` (redirects followed, each hop checked). A refused or unreachable URL is `status` 0 with
    `error` set, never an exception: one bad post URL is that alert's problem, not the run's."""
    from dataclasses import replace

    policy = policy or load_policy()
    policy = replace(policy, timeout_s=min(policy.timeout_s, timeout))
    return _get(url, policy, user_agent=user_agent, max_bytes=max_bytes)
