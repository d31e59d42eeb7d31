"""Who captured a post, when, from which machine, how and why: kept on the manual alert (signals) and
in the hash-chained audit log, from where the evidence bundle's chain of custody reads it."""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from canhbao import __version__
from canhbao.core.audit import current_actor
from canhbao.core.records import utcnow


@dataclass(frozen=True)
class Provenance:
    method: str  # capture:html | capture:browser | import:zeeschuimer | import:4cat-telegram | import:html ...
    actor: str  # the analyst ($CANHBAO_ACTOR from the deployment's login, else the OS user)
    os_user: str  # the account the command ran under
    machine: str  # host name of the machine that captured or imported
    at: datetime
    note: str = ""  # why (the analyst's words)
    source: str = ""  # the URL captured or the file imported
    source_sha256: str = ""  # of the imported file
    tool: str = f"canhbao {__version__}"
    collected: Mapping[str, Any] = field(default_factory=dict)  # imports: when/where the browser saw it

    def with_collected(self, **seen: Any) -> "Provenance":
        from dataclasses import replace

        return replace(self, collected={k: v for k, v in seen.items() if v not in (None, "")})


def provenance(
    method: str,
    *,
    note: str = "",
    source: str = "",
    source_sha256: str = "",
    actor: str | None = None,
    at: datetime | None = None,
) -> Provenance:
    return Provenance(
        method=method,
        actor=actor or current_actor(),
        os_user=_os_user(),
        machine=socket.gethostname(),
        at=(at or utcnow()).replace(microsecond=0),
        note=note,
        source=source,
        source_sha256=source_sha256,
    )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
