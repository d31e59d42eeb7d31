"""`canhbao registry add|list|show|remove`: the internal documents we watch for."""

from __future__ import annotations

import argparse
import json
import sys

from canhbao.core.audit import AuditLog
from canhbao.core.errors import InputError
from canhbao.core.home import Home
from canhbao.core.records import to_dict


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("registry", help="manage the registry of internal documents (add, list, show, remove)")
    rs = p.add_subparsers(dest="registry_command", metavar="ACTION")
    rs.required = True
    add = rs.add_parser("add", help="register documents: PDF (text or scanned), PNG/JPEG/TIFF, DOCX, TXT")
    add.add_argument("paths", nargs="+", metavar="PATH")
    add.add_argument("--classification", choices=("internal", "confidential"), default="internal")
    add.set_defaults(func=run_add)
    ls = rs.add_parser("list", help="list registered documents")
    ls.add_argument("--json", action="store_true", help="one JSON object per document per line")
    ls.set_defaults(func=run_list)
    show = rs.add_parser("show", help="show one document's metadata and pages")
    show.add_argument("id", help="document id (or a unique prefix of at least 6 characters)")
    show.set_defaults(func=run_show)
    rm = rs.add_parser("remove", help="remove a document, its original and its page images")
    rm.add_argument("id")
    rm.set_defaults(func=run_remove)


def _open(args: argparse.Namespace):
    from canhbao.registry import Registry

    home = Home.resolve(args.home)
    return home, Registry.open(home)


def run_add(args: argparse.Namespace) -> int:
    home, registry = _open(args)
    audit = AuditLog(home.audit_log)
    processed = 0
    with registry:
        for path in args.paths:
            try:
                doc, added = registry.add(path, args.classification)
            except InputError as exc:
                print(f"canhbao: {exc}", file=sys.stderr)
                continue
            processed += 1
            if added:
                audit.append(
                    "registry.add",
                    doc.id,
                    source=doc.source,
                    classification=doc.classification,
                    numbers=list(doc.numbers),
                    pages=doc.pages,
                )
            state = "added" if added else "already registered"
            print(f"{doc.id[:12]}  {state}  {path}  {', '.join(doc.numbers) or '-'}  {doc.pages} page(s)", flush=True)
    return 0 if processed else 1


def run_list(args: argparse.Namespace) -> int:
    _, registry = _open(args)
    with registry:
        docs = registry.list()
    for d in docs:
        if args.json:
            print(json.dumps(to_dict(d), ensure_ascii=False))
        else:
            print(
                f"{d.id[:12]}  {d.classification:12s}  {d.date or '-':10s}  {', '.join(d.numbers) or '-':28s}  "
                f"{d.pages:>2}p  {d.source}"
            )
    return 0


def run_show(args: argparse.Namespace) -> int:
    _, registry = _open(args)
    with registry:
        doc = registry.get(args.id)
        pages = [
            {
                "page": p.page,
                "method": p.method,
                "phash": p.phash,
                "image": p.image,
                "chars": len(p.text),
                "words": len(p.text.split()),
            }
            for p in registry.pages(doc.id)
        ]
        out = {**to_dict(doc), "file": str(registry.file_path(doc.id)), "page_list": pages}
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def run_remove(args: argparse.Namespace) -> int:
    home, registry = _open(args)
    with registry:
        doc = registry.remove(args.id)
    AuditLog(home.audit_log).append("registry.remove", doc.id, source=doc.source, numbers=list(doc.numbers))
    print(f"{doc.id[:12]}  removed  {doc.source}")
    return 0
