"""``csp-dash plan``: import and export the action plan, its measures' status, the review."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from csp_dash.cli.common import engine_for as _engine


def cmd_import(args: argparse.Namespace) -> int:
    from csp_dash.plan.io import import_plan

    with _engine(args) as engine:
        n = import_plan(engine, args.path)
    print(f"action plan loaded: {n['objectives']} objectives, {n['actions']} actions, "
          f"{n['measures']} measures, {n['updates']} progress updates")
    return 0


def _write(data: bytes, out: str | None) -> None:
    if out:
        Path(out).write_bytes(data)
        print(f"written {out} ({len(data):,} bytes)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def cmd_export(args: argparse.Namespace) -> int:
    from csp_dash.plan.io import export_plan
    from csp_dash.plan.store import load_plan

    if args.format == "xlsx" and not args.out and sys.stdout.isatty():
        raise ValueError("give --out FILE for an XLSX export")
    with _engine(args) as engine:
        data = export_plan(load_plan(engine), args.format)
    _write(data, args.out)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from csp_dash.plan.status import measure_rows, text_line

    with _engine(args) as engine:
        rows = measure_rows(engine)
    if args.format == "json":
        print(json.dumps([r.record() for r in rows], indent=1))
    else:
        for r in rows:
            print(text_line(r))
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from csp_dash.plan.review import record_review, review_bytes

    with _engine(args) as engine:
        data = review_bytes(engine, args.format)
        if args.record:
            record_review(engine)
    Path(args.out).write_bytes(data)
    print(f"scrutiny review written to {args.out}" + (" and recorded" if args.record else ""))
    return 0


def register(sub, ingest_sub, add) -> None:
    plan = sub.add_parser("plan", help="The action plan: import, export, status, review")
    psub = plan.add_subparsers(dest="plan_command", required=True)
    sp = add(psub, "import", cmd_import, "Replace the action plan with a CSV or XLSX file")
    sp.add_argument("path")
    sp = add(psub, "export", cmd_export, "Write the action plan as CSV or XLSX")
    sp.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    sp.add_argument("--out", help="file to write (default: standard output)")
    sp = add(psub, "status", cmd_status, "Each measure's status computed from the data")
    sp.add_argument("--format", choices=["json", "text"], default="text")
    sp = add(psub, "review", cmd_review, "Write the scrutiny review (Word or PDF)")
    sp.add_argument("--format", choices=["docx", "pdf"], default="docx")
    sp.add_argument("--out", required=True)
    sp.add_argument("--record", action="store_true",
                    help="record this review, so the next one says what changed since")
