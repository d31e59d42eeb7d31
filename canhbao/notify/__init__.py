"""Notifications (`config/notify.yaml`): email, webhook, Telegram; new alerts, failed or partial scans,
blocked sources, a daily digest. No personal data in any of them (see `messages`)."""

from __future__ import annotations

from typing import Any


def notify_failure(context: Any = None, **kwargs: Any) -> Any:
    """Airflow `on_failure_callback` (see `dispatch.notify_failure`)."""
    from canhbao.notify.dispatch import notify_failure as impl

    return impl(context, **kwargs)


def run(*args: Any, **kwargs: Any) -> Any:
    from canhbao.notify.dispatch import run as impl

    return impl(*args, **kwargs)
