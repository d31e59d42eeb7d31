"""Kibana saved objects (`index/kibana/*.ndjson`): bundle them and import through Kibana's saved objects API.

Kibana itself cannot run here, so this client stays thin: one multipart POST to
`/api/saved_objects/_import?overwrite=true` (or `/s/<space>/api/...`), with the `kbn-xsrf` header Kibana
requires, and a one-line error per object Kibana refused.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from importlib import resources
from typing import Any

from canhbao.core.errors import CanhbaoError

# Import order matters for humans reading errors, not for Kibana (it resolves references in one request).
FILES = ("data_view.ndjson", "saved_searches.ndjson", "dashboard.ndjson")
DEFAULT_PATTERN = "canhbao-alerts-*"


def objects(prefix: str = "canhbao") -> list[dict[str, Any]]:
    """Every saved object, with the data view pointed at `<prefix>-alerts-*`."""
    out = []
    for name in FILES:
        text = resources.files("canhbao.index").joinpath("kibana", name).read_text("utf-8")
        out += [json.loads(line) for line in text.splitlines() if line.strip()]
    for obj in out:
        if obj["type"] == "index-pattern" and obj["attributes"]["title"] == DEFAULT_PATTERN:
            obj["attributes"]["title"] = f"{prefix}-alerts-*"
    return out


def ndjson(prefix: str = "canhbao") -> bytes:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects(prefix)).encode("utf-8")


@dataclass(frozen=True)
class Imported:
    success_count: int
    errors: tuple[str, ...]  # "<type>/<id>: <problem>"


def import_objects(url: str, payload: bytes, *, space: str = "", username: str = "", password: str = "",
                   api_key: str = "", overwrite: bool = True, timeout: float = 30.0) -> Imported:
    base = url.rstrip("/") + (f"/s/{space}" if space else "")
    target = f"{base}/api/saved_objects/_import" + ("?overwrite=true" if overwrite else "")
    boundary = f"canhbao-{uuid.uuid4().hex}"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"canhbao.ndjson\"\r\n"
            f"Content-Type: application/ndjson\r\n\r\n")
    body = head.encode() + payload + f"\r\n--{boundary}--\r\n".encode()
    headers = {"kbn-xsrf": "canhbao", "Content-Type": f"multipart/form-data; boundary={boundary}"}
    if api_key:
        headers["Authorization"] = f"ApiKey {api_key}"
    elif username:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
    request = urllib.request.Request(target, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode("utf-8", "replace")
        try:
            detail = json.loads(detail).get("message", detail)
        except ValueError:
            pass
        raise CanhbaoError(f"Kibana at {url}: HTTP {exc.code} {' '.join(str(detail).split())}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CanhbaoError(f"Kibana at {url} is unreachable ({reason})") from None
    except ValueError:
        raise CanhbaoError(f"Kibana at {url}: the answer is not JSON (is this Kibana?)") from None
    errors = tuple(f"{e.get('type')}/{e.get('id')}: {_problem(e.get('error', {}))}"
                   for e in answer.get("errors", ()))
    return Imported(int(answer.get("successCount", 0)), errors)


def _problem(error: dict[str, Any]) -> str:
    kind = error.get("type", "error")
    if kind == "missing_references":
        refs = ", ".join(f"{r.get('type')}/{r.get('id')}" for r in error.get("references", ()))
        return f"missing references {refs}"
    return kind + (f" ({error['message']})" if error.get("message") else "")
