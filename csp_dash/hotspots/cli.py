"""`csp-dash hotspots`: Gi* hotspots, classes and concentration for one layer and category.

    csp-dash hotspots --layer lsoa --category "Violence and sexual offences" --period 12m --format json

Per area (or H3 cell with --layer h3): code, name, count, rate, gi_z, p, p_fdr, significance and
class, plus the concentration figures and a statement of the method.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import pandas as pd

from csp_dash.analysis.periods import label
from csp_dash.db.cube import H3_LAYER, H3_RESOLUTION
from csp_dash.hotspots.analysis import HotspotQuery, HotspotResult, analyse
from csp_dash.hotspots.cells import RESOLUTIONS
from csp_dash.hotspots.periods import parse_period
from csp_dash.hotspots.stats import GiSettings

UNIT_COLUMNS = ["code", "name", "count", "previous", "change", "pct", "z", "direction", "rate", "gi_z",
                "p", "p_fdr", "significance", "class"]


def _clean(value):
    """JSON-safe: NaN and NA become null, numpy numbers plain numbers."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def result_frame(result: HotspotResult) -> pd.DataFrame:
    """The per-unit rows the command prints, busiest first."""
    t = result.table.reset_index()
    return t.sort_values(["count", "code"], ascending=[False, True])[UNIT_COLUMNS]


def result_json(result: HotspotResult) -> dict:
    q, conc = result.query, result.concentration
    units = [
        {k: _clean(v) for k, v in row.items()} for row in result_frame(result).to_dict("records")
    ]
    return {
        "layer": H3_LAYER if q.unit == "cells" else q.layer,
        "unit": q.unit,
        "resolution": q.resolution if q.unit == "cells" else None,
        "categories": list(q.categories) if q.categories is not None else "all",
        "label": result.label,
        "period": {"start": f"{q.current[0]:%Y-%m}", "end": f"{q.current[1]:%Y-%m}",
                   "label": label(q.current)},
        "rate_per_1000": result.rate_base or None,
        "method": {
            "statistic": "Getis-Ord Gi* (star=True, binary weights; as esda G_Local)",
            "weights": result.weights_statement,
            "p_method": q.gi.p_method,
            "permutations": q.gi.permutations if q.gi.p_method == "permutation" else None,
            "seed": q.gi.seed,
            "fdr": "Benjamini-Hochberg",
            "statement": result.gi_statement,
            "classes": result.classes.note,
            "units": result.domain_description,
        },
        "concentration": {
            "headline": conc.headline, "units": conc.units, "n_units": conc.n_units,
            "unit_share": conc.unit_share, "crime_share": conc.crime_share,
        },
        "outside_study_area": result.outside,
        "missing_months": [f"{m:%Y-%m}" for m in result.missing_months],
        "units": units,
    }  # fmt: skip


def cmd_hotspots(args: argparse.Namespace) -> int:
    from csp_dash import harm
    from csp_dash.cli.common import engine_for
    from csp_dash.db.queries import month_range

    with engine_for(args) as engine:
        span = month_range(engine)
        if span is None:
            print("error: no crime data loaded", file=sys.stderr)
            return 2
        cells = args.layer == H3_LAYER
        q = HotspotQuery(
            layer=args.layer,
            categories=tuple(args.category) if args.category else None,
            current=parse_period(args.period, *span),
            unit="cells" if cells else "areas",
            resolution=args.resolution,
            weights=args.weights,
            distance_m=args.distance,
            gi=GiSettings(args.p_method, args.permutations, args.seed),
            sub_period=args.sub_period,
        )
        result = analyse(engine, q, harm.weights(engine, args.harm))
    if args.format == "json":
        print(json.dumps(result_json(result), indent=1))
    else:
        print(f"# {result.concentration.headline}")
        print(f"# Gi*: {result.weights_statement}; {result.gi_statement}")
        result_frame(result).to_csv(sys.stdout, index=False)
    return 0


def register(sub, ingest_sub, add) -> None:  # noqa: ARG001 (the shared CLI signature)
    sp = add(
        sub,
        "hotspots",
        cmd_hotspots,
        "Gi* hotspots (FDR-controlled), classes over time and concentration",
    )
    sp.add_argument(
        "--layer",
        required=True,
        help="an area layer with boundaries (estate, ward, lsoa...) or h3 for cells",
    )
    sp.add_argument(
        "--category",
        action="append",
        help="a police.uk category; repeat for several (default: every category)",
    )
    sp.add_argument(
        "--period",
        help="YYYY-MM:YYYY-MM, YYYY-MM or Nm for the latest N months "
        "(default: the latest 12 months loaded)",
    )
    sp.add_argument(
        "--resolution",
        type=int,
        choices=sorted(RESOLUTIONS),
        default=H3_RESOLUTION,
        help="H3 resolution with --layer h3 (9, or 8 for larger cells)",
    )
    sp.add_argument("--weights", choices=["auto", "queen", "distance"], default="auto")
    sp.add_argument("--distance", type=float, help="distance band in metres (--weights distance)")
    sp.add_argument("--p-method", choices=["normal", "permutation"], default="normal")
    sp.add_argument("--permutations", type=int, default=999)
    sp.add_argument("--seed", type=int, default=12345)
    sp.add_argument("--sub-period", choices=["month", "quarter"], default="month")
    sp.add_argument("--harm", choices=["css", "cchi", "equal", "custom"], default="css")
    sp.add_argument("--format", choices=["json", "csv"], default="json")
