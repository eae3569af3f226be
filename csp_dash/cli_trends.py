"""Trends commands: `csp-dash headlines` and `csp-dash ingest comparison PATH`."""

from __future__ import annotations

import argparse
from datetime import date

from csp_dash.db.engine import init_db, make_engine


def _month(text: str) -> date:
    try:
        year, month = (int(x) for x in text.split("-")[:2])
        return date(year, month, 1)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a month (YYYY-MM)") from exc


def cmd_headlines(args: argparse.Namespace) -> int:
    from csp_dash.headlines import build_headlines, to_json, to_text

    engine = make_engine(args.db)
    init_db(engine)
    if args.area and args.layer == "all":
        raise ValueError("--area needs --layer (estate, ward, lsoa, district ...)")
    result = build_headlines(engine, args.layer, args.area, args.end, top_n=args.top)
    print(to_json(result) if args.format == "json" else to_text(result))
    return 0


def cmd_ingest_comparison(args: argparse.Namespace) -> int:
    from csp_dash.ingest.comparison import ingest_comparison

    engine = make_engine(args.db)
    init_db(engine)
    report = ingest_comparison(engine, args.path)
    print(
        f"{report.file_name}: {report.rows} rows for {len(report.areas)} area(s) "
        f"({', '.join(report.areas)}), {report.first_month:%Y-%m} to {report.last_month:%Y-%m}"
    )
    return 0


def register(sub, ingest_sub, add) -> None:
    sp = add(
        sub,
        "headlines",
        cmd_headlines,
        "Strategic Assessment headlines: latest 12 months against the previous 12",
    )
    sp.add_argument("--layer", default="all", help="area layer (default: all = the whole area)")
    sp.add_argument("--area", help="area code within the layer (default: every area of it)")
    sp.add_argument("--end", type=_month, help="last month of the latest 12 (default: newest)")
    sp.add_argument("--top", type=int, default=3, help="risers and fallers to list (default 3)")
    sp.add_argument("--format", choices=["json", "text"], default="text")
    sp = add(
        ingest_sub,
        "comparison",
        cmd_ingest_comparison,
        "Load a comparison table (CSV: area, period, category, count, population)",
    )
    sp.add_argument("path")
