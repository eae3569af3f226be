"""Commands for the Strategic Risk Assessment: survey and agreed-list imports, the ranked list."""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from csp_dash.cli.common import engine_for as _engine


def cmd_ingest_survey(args: argparse.Namespace) -> int:
    from csp_dash.ingest.survey import ingest_survey

    scale = None
    if args.scale_min is not None or args.scale_max is not None:
        if args.scale_min is None or args.scale_max is None:
            raise ValueError("give both --scale-min and --scale-max")
        scale = (args.scale_min, args.scale_max)
    with _engine(args) as engine:
        report = ingest_survey(
            engine,
            args.path,
            survey_id=args.name,
            kind=args.kind,
            scale=scale,
            layer=args.layer or None,
            area_column=args.area_column,
            respondent_column=args.respondent_column,
        )
    print(
        f"survey '{report.survey_id}': {report.status}; {report.respondents} respondents, "
        f"{report.answers} answers on {len(report.themes)} themes: {', '.join(report.themes)}"
    )
    if report.unmatched_areas:
        print(f"areas not matched to layer '{args.layer}': {', '.join(report.unmatched_areas)}")
    if report.no_area:
        print(f"{report.no_area} respondents gave no area")
    return 0


def cmd_ingest_agreed(args: argparse.Namespace) -> int:
    from csp_dash.priorities.agreed import import_agreed_list

    with _engine(args) as engine:
        loaded = import_agreed_list(engine, args.path, year=args.year)
    for year, n in sorted(loaded.items()):
        print(f"agreed list {year}: {n} priorities")
    return 0


def _print(df: pd.DataFrame, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(json.loads(df.to_json(orient="records", date_format="iso")), indent=1))
    else:
        df.to_csv(sys.stdout, index=False)


def cmd_priorities(args: argparse.Namespace) -> int:
    from csp_dash.db.queries import month_range
    from csp_dash.priorities.candidates import ensure_candidates
    from csp_dash.priorities.models import analyst_score_grid, load_model
    from csp_dash.priorities.proposals import propose_from_data
    from csp_dash.priorities.table import display_table, ranked_table

    with _engine(args) as engine:
        model = load_model(engine)
        cands = ensure_candidates(engine)
        rng = month_range(engine)
        props = None
        if rng is not None:
            end = pd.Timestamp(args.end).date() if args.end else rng[1]
            props = propose_from_data(
                engine,
                cands,
                end,
                layer=args.layer,
                area=args.area,
                scheme=args.scheme,
                model=model,
                length=args.months,
                public=not args.analyst,
            )
            print(f"# {props.note}", file=sys.stderr)
            if args.analyst:
                print("# RESTRICTED: true counts of sensitive datasets; not for public "
                      "circulation", file=sys.stderr)
        table = display_table(ranked_table(cands, props, analyst_score_grid(engine), model))
    _print(table, args.format)
    return 0


def cmd_workshop_results(args: argparse.Namespace) -> int:
    from csp_dash.priorities.workshop.onepage import one_page, one_page_html
    from csp_dash.priorities.workshop.results import (
        ranking_table,
        summary_display,
        workshop_results,
    )

    with _engine(args) as engine:
        res = workshop_results(engine, args.workshop, unit=args.unit)
        page = one_page(engine, res) if args.what == "onepage" else None
    if args.what == "onepage":
        if page is None:
            raise ValueError("the workshop's year has no agreed list yet: close the workshop first")
        sys.stdout.write(one_page_html(page))
        return 0
    table = summary_display(res) if args.what == "summary" else ranking_table(res)
    print(
        f"# {res.workshop.title} ({res.workshop.status}): {res.n_participants} participants",
        file=sys.stderr,
    )
    _print(table, args.format)
    return 0


def register(sub, ingest_sub, add) -> None:
    sp = add(
        ingest_sub,
        "survey",
        cmd_ingest_survey,
        "Load a consultation survey CSV (respondent area and a concern rating or rank per theme)",
    )
    sp.add_argument("path")
    sp.add_argument("--name", help="survey name (default: the file name)")
    sp.add_argument(
        "--kind",
        choices=["rating", "rank"],
        default="rating",
        help="rating: higher = more concern; rank: 1 = most concern",
    )
    sp.add_argument("--scale-min", type=float, help="lowest possible answer (rating default 1)")
    sp.add_argument("--scale-max", type=float, help="highest possible answer (rating default 5)")
    sp.add_argument(
        "--layer", default="estate", help="area layer respondents' areas match (default estate)"
    )
    sp.add_argument("--area-column", help="the column naming the respondent's area")
    sp.add_argument("--respondent-column", help="the column identifying the respondent")

    sp = add(
        ingest_sub,
        "agreed-list",
        cmd_ingest_agreed,
        "Load an agreed priority list (CSV: priority, rank, rationale, year)",
    )
    sp.add_argument("path")
    sp.add_argument("--year", type=int, help="the year of the list (else a 'year' column)")

    sp = add(
        sub, "priorities", cmd_priorities, "The ranked candidate priorities with their evidence"
    )
    sp.add_argument("--end", help="last month of the period, YYYY-MM (default: latest)")
    sp.add_argument("--months", type=int, default=12, help="period length in months (default 12)")
    sp.add_argument("--layer", default="all")
    sp.add_argument("--area")
    sp.add_argument("--scheme", default="css", help="harm weights: css, cchi, equal or custom")
    sp.add_argument("--format", choices=["csv", "json"], default="csv")
    sp.add_argument("--analyst", action="store_true",
                    help="true counts of sensitive datasets (RESTRICTED); by default only "
                    "their public release")

    sp = add(sub, "workshop-results", cmd_workshop_results, "A workshop's live ranking or summary")
    sp.add_argument("workshop", help="the workshop id (from its link: ?w=ID)")
    sp.add_argument(
        "--what",
        choices=["ranking", "summary", "onepage"],
        default="ranking",
        help="the live ranking, median and spread per candidate, or the one-page "
        "summary as HTML (after closing)",
    )
    sp.add_argument("--unit", choices=["participant", "organisation"], default="participant")
    sp.add_argument("--format", choices=["csv", "json"], default="csv")
