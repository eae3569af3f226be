"""Fetch commands: `csp-dash fetch police` and `csp-dash update`."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from csp_dash.cli.common import open_engine
from csp_dash.fetch.district import district_spec
from csp_dash.fetch.errors import FetchError
from csp_dash.fetch.police import ROUTES, fetch_police, month_range, parse_month


def _progress(done: int, total: int, message: str) -> None:
    if total:
        print(f"\r[{done}/{total}] {message:<70}", end="" if done < total else "\n",
              file=sys.stderr, flush=True)


def _previous_month(d: date) -> str:
    return f"{d.year - 1}-12" if d.month == 1 else f"{d.year}-{d.month - 1:02d}"


def cmd_fetch_police(args: argparse.Namespace) -> int:
    engine = open_engine(args)
    try:
        spec = district_spec(engine, args)
        end = args.to or _previous_month(date.today())
        start = args.from_ or end
        parse_month(start), parse_month(end)
        report = fetch_police(engine, spec, month_range(start, end), args.route,
                              cache_dir=Path(args.cache_dir) if args.cache_dir else None,
                              progress=_progress)
    except FetchError as exc:
        print(f"\nfetch failed: {exc}", file=sys.stderr)
        return 4
    for note in report.notes:
        print(f"note: {note}")
    for f in report.ingest.refused:
        print(f"REFUSED {f.error}", file=sys.stderr)
    print(report.summary())
    return 1 if report.ingest.refused else 0


def cmd_update(args: argparse.Namespace) -> int:
    from csp_dash.fetch.update import update

    engine = open_engine(args)
    try:
        spec = district_spec(engine, args)
        if args.from_:
            parse_month(args.from_)
        result = update(engine, spec, args.route, args.from_,
                        cache_dir=Path(args.cache_dir) if args.cache_dir else None,
                        progress=_progress if sys.stderr.isatty() else None)
    except FetchError as exc:
        print(f"update failed: {exc}")
        return 4
    print(result.line)
    return 0 if result.ok else 1


def _district_args(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--boundary", help="district polygon file (GeoJSON/GPKG; features dissolved)")
    sp.add_argument("--lsoa-codes", help="file of LSOA codes, one a line: the district is their "
                    "union in the loaded 'lsoa' layer")
    sp.add_argument("--force", help="police.uk force id (e.g. essex); alone, loads that force")
    sp.add_argument("--route", choices=ROUTES, default="auto",
                    help="archive (history), api (new months) or auto (archive, else API)")
    sp.add_argument("--cache-dir", help="where archives are kept (default CSP_DASH_POLICE_CACHE_DIR)")


def register(sub, ingest_sub, add) -> None:
    fetch = sub.add_parser("fetch", help="Download data").add_subparsers(dest="kind", required=True)
    sp = add(fetch, "police", cmd_fetch_police,
             "Fetch police.uk street crime for the district and load it")
    sp.add_argument("--from", dest="from_", help="first month YYYY-MM (default: --to)")
    sp.add_argument("--to", help="last month YYYY-MM (default: last month)")
    _district_args(sp)
    sp = add(sub, "update", cmd_update,
             "Fetch and load every police.uk month newer than the database holds (cron-safe)")
    sp.add_argument("--from", dest="from_", help="on an empty database, start here (YYYY-MM)")
    _district_args(sp)
