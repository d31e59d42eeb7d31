"""Register documents exported by the document-management system into a watched folder."""

from __future__ import annotations

import logging
from pathlib import Path

from canhbao.core.audit import AuditLog
from canhbao.core.errors import ConfigError, InputError
from canhbao.core.home import Home

log = logging.getLogger("canhbao.registry_sync")


def register_folder(home: Home, folder: str | Path, *, classification: str = "internal") -> list[str]:
    """Add every file in `folder` (recursively); returns the ids of documents that were new.

    Re-adding a known file is a no-op in the registry, so the folder needs no bookkeeping of its own;
    a file that cannot be read is logged with its reason and the others are still registered.
    """
    from canhbao.registry import Registry

    if not folder:
        raise ConfigError("config/scan.yaml", "registry_watch_dir", "not set; nothing to watch")
    base = Path(folder).expanduser()
    if not base.is_dir():
        raise ConfigError("config/scan.yaml", "registry_watch_dir", f"{base} is not a directory")
    new: list[str] = []
    audit = AuditLog(home.audit_log)
    with Registry.open(home) as registry:
        for path in sorted(p for p in base.rglob("*") if p.is_file() and not p.name.startswith(".")):
            try:
                doc, added = registry.add(path, classification=classification)
            except InputError as exc:
                log.warning("registry sync: %s", exc)
                continue
            if added:
                new.append(doc.id)
                audit.append("registry.add", doc.id, source=doc.source, via="registry_sync")
    return new
