"""The analysts' web console (`canhbao serve`): server-rendered pages over the configured alert store."""

from __future__ import annotations

from typing import Any


def create_app(*args: Any, **kwargs: Any) -> Any:
    from canhbao.console.app import create_app as factory

    return factory(*args, **kwargs)
