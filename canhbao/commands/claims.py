"""`canhbao claims add|import|list`: manage the bank of known false claims matched by `fakenews`."""

from __future__ import annotations

import argparse
import json
import sys

from canhbao.core.audit import AuditLog, current_actor
from canhbao.core.errors import InputError
from canhbao.core.home import Home
from canhbao.core.records import to_dict


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("claims", help="manage the claim bank (known false claims and their debunks)")
    cmds = p.add_subparsers(dest="claims_command", metavar="ACTION")
    cmds.required = True
    a = cmds.add_parser("add", help="add or update one claim")
    a.add_argument("text")
    a.add_argument("--id", default="", help="default: derived from the text")
    a.add_argument("--verdict", default="false", help="false | misleading | unverified | ... (default: false)")
    a.add_argument("--source", default="", help="who debunked it")
    a.add_argument("--date", default="", help="ISO date of the debunk")
    a.add_argument("--url", default="", help="URL of the debunk")
    a.add_argument("--debunk", default="", help="the correct information, in one or two sentences")
    a.set_defaults(func=run_add)
    i = cmds.add_parser("import", help="import claims from CSV, JSON / JSON lines, or ClaimReview JSON-LD files")
    i.add_argument("paths", nargs="+", metavar="FILE")
    i.set_defaults(func=run_import)
    ls = cmds.add_parser("list", help="list the claims")
    ls.add_argument("--json", action="store_true", help="one JSON object per claim per line")
    ls.set_defaults(func=run_list)


def _bank(args: argparse.Namespace):
    from canhbao.claims import ClaimBank

    home = Home.resolve(args.home)
    return home, ClaimBank(home.claims_db)


def run_add(args: argparse.Namespace) -> int:
    from canhbao.claims import make_claim

    home, bank = _bank(args)
    fields = {k: getattr(args, k) for k in ("id", "text", "verdict", "source", "date", "url", "debunk")}
    claim = make_claim(fields, "claims add")
    changed = bank.put(claim)
    AuditLog(home.audit_log).append("claims.add", claim.id, actor=current_actor(), changed=changed)
    print(f"{claim.id}  {'added' if changed else 'unchanged'}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from canhbao.claims import parse_file

    home, bank = _bank(args)
    audit = AuditLog(home.audit_log)
    loaded = 0
    for path in args.paths:
        try:
            claims, errors = parse_file(path)
        except InputError as exc:
            print(f"canhbao: {exc}", file=sys.stderr)
            continue
        for err in errors:
            print(f"canhbao: {err}", file=sys.stderr)
        changed = bank.put_many(claims)
        loaded += len(claims)
        audit.append(
            "claims.import",
            str(path),
            actor=current_actor(),
            claims=len(claims),
            changed=changed,
            errors=len(errors),
        )
        print(f"{path}: {len(claims)} claims ({changed} new or changed), {len(errors)} bad rows")
    print(f"claim bank: {bank.count()} claims")
    return 0 if loaded else 1


def run_list(args: argparse.Namespace) -> int:
    _, bank = _bank(args)
    for claim in bank.all():
        if args.json:
            print(json.dumps(to_dict(claim), ensure_ascii=False))
        else:
            print(f"{claim.id}  {claim.verdict:<10}  {claim.text[:90]}")
    return 0
