"""Horizon-scanning commands: `csp-dash forecast` and `csp-dash near-repeat`."""

from __future__ import annotations

import argparse
import json
import sys

from csp_dash.cli.common import open_engine


def _bands(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma list of numbers") from exc


def cmd_forecast(args: argparse.Namespace) -> int:
    from csp_dash.analysis.forecast import RANGE_WORDING
    from csp_dash.horizon.series import forecast_for

    engine = open_engine(args)
    if args.area and args.layer == "all":
        raise ValueError("--area needs --layer (estate, ward, lsoa, district ...)")
    fc, y = forecast_for(engine, category=args.category, theme=args.theme, layer=args.layer,
                         area=args.area, horizon=args.horizon,
                         borrow_season=not args.no_borrow)
    table = fc.table.assign(month=fc.table["month"].dt.strftime("%Y-%m"))
    if args.format == "csv":
        table.to_csv(sys.stdout, index=False, float_format="%.1f", lineterminator="\n")
        return 0
    out = {
        "series": args.category or args.theme,
        "layer": args.layer,
        "area": args.area,
        "months_used": [f"{y.index[0]:%Y-%m}", f"{y.index[-1]:%Y-%m}"],
        "method": fc.method,
        "ets_form": fc.ets_form,
        "reason": fc.reason,
        "mase": fc.mase,
        "estimated_months": [f"{m:%Y-%m}" for m in fc.estimated_months],
        "intervals": f"80% and 95% {RANGE_WORDING}, clipped at zero",
        "forecast": table.round(2).to_dict("records"),
    }
    print(json.dumps(out, indent=2))
    return 0


def cmd_near_repeat(args: argparse.Namespace) -> int:
    from csp_dash.analysis.near_repeat import describe_knox, run_knox
    from csp_dash.horizon.series import partner_events

    engine = open_engine(args)
    ev = partner_events(engine, args.dataset, args.category)
    f = ev.frame
    res = run_knox(f["x"], f["y"], f["day"], args.space_bands, args.time_bands,
                   distance=args.distance, permutations=args.permutations, seed=args.seed)
    table = res.table()
    if args.format == "csv":
        table.to_csv(sys.stdout, index=False, float_format="%.4g", lineterminator="\n")
        return 0
    out = {
        "dataset": args.dataset,
        "category": args.category,
        "events": res.n_events,
        "dropped_no_location": ev.dropped_no_location,
        "first_date": f"{f['record_date'].min():%Y-%m-%d}",
        "last_date": f"{f['record_date'].max():%Y-%m-%d}",
        "distance": res.distance,
        "projection": ev.crs,
        "permutations": res.permutations,
        "seed": res.seed,
        "reading": describe_knox(res, (args.category or "crime").lower()),
        "cells": json.loads(table.to_json(orient="records")),
    }
    print(json.dumps(out, indent=2))
    return 0


def register(sub, ingest_sub, add) -> None:
    sp = add(sub, "forecast", cmd_forecast,
             "Forecast monthly counts (ETS beside seasonal naive, chosen by backtest)")
    what = sp.add_mutually_exclusive_group(required=True)
    what.add_argument("--category", help="police.uk category, e.g. Burglary")
    what.add_argument("--theme", help="theme, e.g. Acquisitive crime")
    sp.add_argument("--layer", default="all", help="area layer (default: all = the whole area)")
    sp.add_argument("--area", help="area code within the layer")
    sp.add_argument("--horizon", type=int, default=12, help="months ahead (default 12)")
    sp.add_argument("--no-borrow", action="store_true",
                    help="refuse a small area instead of borrowing the district's seasonal pattern")
    sp.add_argument("--format", choices=["json", "csv"], default="json")

    sp = add(sub, "near-repeat", cmd_near_repeat,
             "Near-repeat (Knox) analysis of a partner crime extract with exact dates and places")
    sp.add_argument("--dataset", required=True, help="partner dataset (not police.uk data)")
    sp.add_argument("--category", help="the dataset's category, e.g. Burglary (default: all)")
    sp.add_argument("--space-bands", type=_bands, default=[0, 100, 200, 300, 400],
                    help="metres, starting at 0 = same location (default 0,100,200,300,400)")
    sp.add_argument("--time-bands", type=_bands, default=[0, 7, 14, 21, 28],
                    help="days (default 0,7,14,21,28)")
    sp.add_argument("--distance", choices=["manhattan", "euclidean"], default="manhattan")
    sp.add_argument("--permutations", type=int, default=999)
    sp.add_argument("--seed", type=int, help="fixes the shuffles, so a run can be reproduced")
    sp.add_argument("--format", choices=["json", "csv"], default="json")
