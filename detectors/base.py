"""The detector contract and discovery by name.

A detector is a package (or module) of `canhbao.detectors` with one `Detector` subclass that declares:
- `name`: its key in `detect --json`, in findings and in config; unique (discovery raises on a duplicate);
- `version`: bumped whenever the same input can give different findings;
- `EXAMPLES`: posts it must flag and posts it must leave alone. `tests/test_detector_contract.py` runs every
  detector's examples, checks the JSON round trip of its report and that no finding carries raw personal
  data, in the manner of python-threatexchange's SignalType auto-tests: a new detector gets those tests free.
"""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping

from canhbao.core.home import Home
from canhbao.core.records import Finding, Subject


@dataclass(frozen=True)
class Example:
    """A post the detector must flag (`fires=True`) or must leave alone, with why it is there."""

    text: str
    fires: bool
    note: str = ""


@dataclass(frozen=True)
class Report:
    """A detector's answer for one subject: its section of `detect --json`, and the findings it raises."""

    section: Mapping[str, Any]
    findings: tuple[Finding, ...] = field(default=())


class Detector(ABC):
    name: ClassVar[str]
    version: ClassVar[str]
    EXAMPLES: ClassVar[tuple[Example, ...]] = ()
    # Set by `from_home` when the detector runs without part of its state (the leak matcher without its
    # background table): one sentence, printed once at start by `detect` and `scan`, never only logged.
    degraded: str = ""
    # Lower runs first; only matters for output order, detectors do not see each other's results.
    order: ClassVar[int] = 100

    @classmethod
    @abstractmethod
    def from_home(cls, home: Home) -> "Detector":
        """Build the detector with its state (registry, model, claim bank) loaded from the data home."""

    @classmethod
    def for_examples(cls, home: Home) -> "Detector":
        """The detector with the state its EXAMPLES assume (a registered letter, a claim bank) put into the
        empty data home `home`. Detectors that need no state use `from_home` as it is."""
        return cls.from_home(home)

    @abstractmethod
    def detect(self, subject: Subject) -> Report: ...


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
                raise TypeError(
                    f"two detectors named {cls.name!r}: {other.__module__}.{other.__qualname__} "
                    f"and {cls.__module__}.{cls.__qualname__}"
                )
    return dict(sorted(found.items(), key=lambda kv: (kv[1].order, kv[0])))
