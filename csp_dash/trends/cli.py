"""Trends commands: `csp-dash ingest comparison PATH` (England and Wales or peer figures)."""

from __future__ import annotations

import argparse

from csp_dash.cli.common import open_engine


def cmd_ingest_comparison(args: argparse.Namespace) -> int:
    from csp_dash.ingest.comparison import ingest_comparison

    engine = open_engine(args)
    report = ingest_comparison(engine, args.path)
    print(
        f"{report.file_name}: {report.rows} rows for {len(report.areas)} area(s) "
        f"({', '.join(report.areas)}), {report.first_month:%Y-%m} to {report.last_month:%Y-%m}"
    )
    return 0


def register(sub, ingest_sub, add) -> None:
    sp = add(
        ingest_sub,
        "comparison",
        cmd_ingest_comparison,
        "Load a comparison table (CSV: area, period, category, count, population)",
    )
    sp.add_argument("path")
