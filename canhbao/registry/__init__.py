"""Registry of internal documents we watch for, and the index the leak detector matches against."""

from canhbao.registry.store import CLASSIFICATIONS, Registry, StoredPage

__all__ = ["CLASSIFICATIONS", "Registry", "StoredPage"]
