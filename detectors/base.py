"""The detector interface and discovery by name."""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping

from canhbao.core.home import Home
from canhbao.core.records import Finding, Subject


@dataclass(frozen=True)
class Report:
    """A detector's answer for one subject: its section of `detect --json`, and the findings it raises."""

    section: Mapping[str, Any]
    findings: tuple[Finding, ...] = field(default=())


class Detector(ABC):
    name: ClassVar[str]
    # Lower runs first; only matters for output order, detectors do not see each other's results.
    order: ClassVar[int] = 100

    @classmethod
    @abstractmethod
    def from_home(cls, home: Home) -> "Detector":
        """Build the detector with its state (registry, model, claim bank) loaded from the data home."""

    @abstractmethod
    def detect(self, subject: Subject) -> Report:
        ...


def detector_classes() -> dict[str, type[Detector]]:
    """Every Detector subclass in this package's modules and sub-packages, keyed by name (walks them like
    Scrapy's spider loader). Two detectors with one name is a programming error, raised, never a silent
    overwrite."""
    package = importlib.import_module(__package__)
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__package__}.{info.name}")
    found: dict[str, type[Detector]] = {}
    stack = list(Detector.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if getattr(cls, "name", None) and not getattr(cls, "__abstractmethods__", None):
            other = found.setdefault(cls.name, cls)
            if other is not cls:
                raise TypeError(f"two detectors named {cls.name!r}: {other.__module__}.{other.__qualname__} "
                                f"and {cls.__module__}.{cls.__qualname__}")
    return dict(sorted(found.items(), key=lambda kv: (kv[1].order, kv[0])))
