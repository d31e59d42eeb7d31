"""`canhbao evidence export ALERT_ID` and `canhbao evidence verify ZIP`: signed violation evidence."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from canhbao.core.home import Home


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evidence", help="export signed evidence of an alert, or verify an evidence bundle")
    cmds = p.add_subparsers(dest="evidence_command", metavar="ACTION")
    cmds.required = True
    e = cmds.add_parser("export", help="write a signed evidence ZIP for one alert")
    e.add_argument("alert_id", metavar="ALERT_ID")
    e.add_argument("--out", type=Path, help="output folder (default: <home>/evidence/<alert id>/)")
    e.add_argument("--unpacked", action="store_true", help="also write the bundle unpacked beside the ZIP")
    e.add_argument(
        "--unmasked",
        action="store_true",
        help="include personal data unmasked (only for roles allowed in config/evidence.yaml)",
    )
    e.add_argument("--lang", choices=("vi", "en"), help="language of the PDF record (default from config: vi)")
    e.add_argument("--strict", action="store_true", help="fail instead of exporting when something is missing")
    e.add_argument("--no-live", action="store_true", help="do not visit the live URL")
    e.set_defaults(func=run_export)
    v = cmds.add_parser("verify", help="check every hash and the signature of an evidence ZIP (or folder)")
    v.add_argument("bundle", type=Path, metavar="ZIP")
    v.add_argument(
        "--key",
        type=Path,
        help="trusted public key (PEM); default: this deployment's key if present. Without "
        "either, verify fails: a bundle signed only by its own key proves nothing",
    )
    v.add_argument(
        "--tsa-ca",
        type=Path,
        metavar="PEM",
        help="trusted time-stamping authority certificate(s); default: tsa_ca_file in config",
    )
    v.set_defaults(func=run_verify)


def open_store(home: Home):
    from canhbao.index import open_store as factory

    return factory(home)


def run_export(args: argparse.Namespace) -> int:
    import dataclasses

    from canhbao.evidence import export, settings

    home = Home.resolve(args.home)
    cfg = settings.load()
    if args.no_live:
        cfg = dataclasses.replace(cfg, screenshot_live=False)
    store = open_store(home)
    try:
        done = export.export(
            home,
            store,
            args.alert_id,
            cfg,
            out_dir=args.out,
            unmasked=args.unmasked,
            unpacked=args.unpacked,
            lang=args.lang,
            strict=args.strict,
        )
    finally:
        store.close()
    for line in done.missing:
        print(f"canhbao: warning: {done.alert_id}: missing from the bundle: {line}", file=sys.stderr)
    for line in done.withheld:
        print(f"canhbao: note: {done.alert_id}: withheld (masked export): {line}", file=sys.stderr)
    print(f"{done.zip_path}  sha256:{done.sha256}  ({len(done.files)} files)")
    if done.dir_path:
        print(done.dir_path)
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from canhbao.core.errors import InputError
    from canhbao.evidence import bundle, settings, signing

    if not args.bundle.exists():
        raise InputError(args.bundle, "no such file")
    cfg = settings.load()
    trusted = None
    if args.key:
        try:
            pem = args.key.read_bytes()
        except OSError as exc:
            raise InputError(args.key, f"cannot read the trusted key ({exc.strerror or exc})") from None
        trusted = signing.load_public(pem, str(args.key))
    else:
        key_file = cfg.key_file(Home.resolve(args.home))
        if key_file.exists():  # never created here: a verifier without a key has nothing to trust
            trusted = signing.load_or_create(key_file).public_key()
    from canhbao.evidence import timestamp

    ca = args.tsa_ca or cfg.tsa_ca_file
    roots = timestamp.load_roots(ca) if ca else ()
    verdict = bundle.verify(args.bundle, trusted, limits=cfg.verify_limits(), tsa_roots=roots)
    if verdict.ok and verdict.trusted:
        print(
            f"OK {args.bundle}: {verdict.checked} files match manifest.sha256; signature valid "
            f"(trusted key {verdict.fingerprint})"
        )
        if verdict.timestamp_trusted:
            print(f"timestamp: manifest.sha256 existed at {verdict.timestamp} (RFC 3161, trusted TSA)")
        for note in verdict.notes:
            print(f"note: {note}")
        return 0
    if verdict.ok:  # self-consistent, but anyone can re-seal a bundle with a key of their own
        print(
            f"UNTRUSTED {args.bundle}: {verdict.checked} files match manifest.sha256, but the "
            f"{bundle.NOT_TRUSTED} (bundled key {verdict.fingerprint})"
        )
        return 1
    for problem in verdict.problems:
        print(f"ALTERED {args.bundle}: {problem}")
    print(f"FAILED {args.bundle}: {len(verdict.problems)} problem(s)", file=sys.stderr)
    return 1
