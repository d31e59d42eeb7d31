"""One spider per platform, found by walking this package (like Scrapy's spider loader). Each declares the
`platform` its posts belong to and the `source_types` it serves; `config/sources.yml` types are checked
against them, so a new source is one spider module (plus its fixture and test), no list to edit."""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from canhbao.crawlers.spiders.base import SourceSpider


@lru_cache(maxsize=1)
def spider_classes() -> dict[str, type[SourceSpider]]:
    """source type -> spider class. Two spiders claiming one source type is a programming error, raised."""
    found: dict[str, type[SourceSpider]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for obj in vars(module).values():
            if not (isinstance(obj, type) and issubclass(obj, SourceSpider) and obj.__module__ == module.__name__):
                continue
            for source_type in obj.source_types:
                other = found.setdefault(source_type, obj)
                if other is not obj:
                    raise TypeError(
                        f"source type {source_type!r} claimed by both {other.__module__}.{other.__name__} "
                        f"and {obj.__module__}.{obj.__name__}"
                    )
    return found


def spider_class(source_type: str) -> type[SourceSpider]:
    """The spider whose `source_types` include `source_type`."""
    try:
        return spider_classes()[source_type]
    except KeyError:
        raise KeyError(f"no spider for source type {source_type!r}") from None
