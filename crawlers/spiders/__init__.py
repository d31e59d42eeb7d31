"""One spider per source type; `SPIDERS` maps `SourceConfig.type` to its class."""

from __future__ import annotations

import importlib
import pkgutil

from canhbao.crawlers.spiders.base import SourceSpider


def spider_class(source_type: str) -> type[SourceSpider]:
    """The spider whose `source_types` include `source_type` (modules found by walking this package)."""
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, SourceSpider) and source_type in obj.source_types:
                return obj
    raise KeyError(f"no spider for source type {source_type!r}")
