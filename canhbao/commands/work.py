"""`canhbao work plan|run|status STAGE`: OCR and detection spread over worker processes and machines that
share the PostgreSQL state database (config/state.yaml) and the media store."""

from __future__ import annotations

import argparse
import json

from canhbao.core.errors import InputError
from canhbao.core.home import Home


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("work", help="shared work batches for OCR and detection (backend postgresql)")
    cmds = p.add_subparsers(dest="work_command", metavar="ACTION")
    cmds.required = True
    pl = cmds.add_parser("plan", help="split the outstanding work of STAGE into batches")
    pl.add_argument("stage", choices=("media", "detect"))
    pl.add_argument("--batch-size", type=int, default=None, help="default: scan.yaml batch_size")
    pl.add_argument("--since", default=None, help="only posts stored from this ISO time on (default: all)")
    pl.set_defaults(func=run_plan)
    r = cmds.add_parser("run", help="be one worker: claim and finish batches of STAGE until none is left")
    r.add_argument("stage", choices=("media", "detect"))
    r.add_argument("--lease", type=float, default=600.0, help="seconds a claim is held without renewal")
    r.add_argument("--batch", default=None, help="work exactly this batch (Airflow maps one task per batch)")
    r.add_argument("--max-batches", type=int, default=None)
    r.set_defaults(func=run_work)
    d = cmds.add_parser("dispatch", help="plan STAGE and send one Celery task per batch (config/celery.yaml)")
    d.add_argument("stage", choices=("media", "detect"))
    d.add_argument("--batch-size", type=int, default=None, help="default: scan.yaml batch_size")
    d.add_argument("--wait", action="store_true", help="wait for every task and print what each worker did")
    d.set_defaults(func=run_dispatch)
    s = cmds.add_parser("status", help="done / leased / open batches of STAGE")
    s.add_argument("stage", choices=("media", "detect"))
    s.set_defaults(func=run_status)


def run_plan(args: argparse.Namespace) -> int:
    from canhbao.pipeline import workers
    from canhbao.pipeline.settings import load

    size = args.batch_size or load().batch_size
    since = None
    if args.since:
        from datetime import datetime

        try:
            since = datetime.fromisoformat(args.since)
        except ValueError:
            raise InputError("--since", f"not an ISO date/time: {args.since!r}") from None
        if since.tzinfo is None:
            raise InputError("--since", "give a time zone, e.g. 2026-01-01T00:00+07:00")
    ids = workers.plan(Home.resolve(args.home), args.stage, batch_size=size, since=since)
    print(json.dumps({"stage": args.stage, "batches": len(ids)}))
    return 0


def run_work(args: argparse.Namespace) -> int:
    from canhbao.pipeline import workers

    totals = workers.work(
        Home.resolve(args.home), args.stage, lease_s=args.lease, batch=args.batch, max_batches=args.max_batches
    )
    print(json.dumps({"stage": args.stage, **totals}))
    return 0


def run_dispatch(args: argparse.Namespace) -> int:
    try:
        from canhbao.pipeline import celery_app
    except ImportError as exc:
        raise InputError("work dispatch", f"needs Celery ({exc}); pip install 'canhbao[celery]'") from None
    from canhbao.pipeline.settings import load

    results = celery_app.dispatch(Home.resolve(args.home), args.stage, args.batch_size or load().batch_size)
    out: dict = {"stage": args.stage, "batches": len(results)}
    if args.wait:
        done = [r.get() for r in results]
        # batches each worker committed (a task whose batch another worker finished commits none)
        out["workers"] = {
            w: sum(d.get("batches", 0) for d in done if d["worker"] == w) for w in {d["worker"] for d in done}
        }
    print(json.dumps(out))
    return 0


def run_status(args: argparse.Namespace) -> int:
    from canhbao.pipeline.workqueue import WorkQueue

    print(json.dumps({"stage": args.stage, **WorkQueue().counts(args.stage)}))
    return 0
