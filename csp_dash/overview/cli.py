"""Overview commands: `csp-dash headlines` (the Overview's sentences, as text or JSON)."""

from __future__ import annotations

import argparse

from csp_dash.cli.common import month_arg, open_engine


def cmd_headlines(args: argparse.Namespace) -> int:
    from csp_dash.overview.headlines import build_headlines, to_json, to_text

    engine = open_engine(args)
    if args.area and args.layer == "all":
        raise ValueError("--area needs --layer (estate, ward, lsoa, district ...)")
    result = build_headlines(engine, args.layer, args.area, args.end, top_n=args.top,
                             length=args.months)
    print(to_json(result) if args.format == "json" else to_text(result))
    return 0


def register(sub, ingest_sub, add) -> None:
    sp = add(
        sub,
        "headlines",
        cmd_headlines,
        "Strategic Assessment headlines: the period against its comparison period",
    )
    sp.add_argument("--layer", default="all", help="area layer (default: all = the whole area)")
    sp.add_argument("--area", help="area code within the layer (default: every area of it)")
    sp.add_argument("--end", type=month_arg, help="last month of the period (default: the newest loaded)")
    sp.add_argument("--months", type=int, default=12,
                    help="period length in months (default 12; compared with the same months a "
                         "year earlier, or the months just before for periods over 12)")
    sp.add_argument("--top", type=int, default=3, help="risers and fallers to list (default 3)")
    sp.add_argument("--format", choices=["json", "text"], default="text")
