"""csp-dash: the command line analysts script their monthly updates with."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import OperationalError

from csp_dash import config
from csp_dash.cli.common import close_engines, open_engine
from csp_dash.db import cli as db_cli
from csp_dash.district import cli as district_cli
from csp_dash.fetch import cli as fetch_cli
from csp_dash.horizon import cli as horizon_cli
from csp_dash.hotspots import cli as hotspots_cli
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.partner import cli as partner_cli
from csp_dash.overview import cli as overview_cli
from csp_dash.plan import cli as plan_cli
from csp_dash.priorities import cli as priorities_cli
from csp_dash.report import cli as report_cli
from csp_dash.trends import cli as trends_cli


def _progress(done: int, total: int, message: str) -> None:
    if total:
        print(f"\r[{done}/{total}] {message:<60}", end="" if done < total else "\n",
              file=sys.stderr, flush=True)


def cmd_demo(args: argparse.Namespace) -> int:
    from csp_dash.demo.loader import load_demo

    args.db = args.db or config.explicit_db_url() or config.DEMO_DB_URL  # never the own data
    engine = open_engine(args)
    summary = load_demo(engine, Path(args.out) if args.out else None, progress=_progress)
    print(f"Synthetic demo data loaded: {summary}")
    return 0


def cmd_ingest_police(args: argparse.Namespace) -> int:
    from csp_dash.db.queries import missing_months
    from csp_dash.ingest.police import ingest_police

    engine = open_engine(args)
    report = ingest_police(engine, args.paths, progress=_progress)
    for f in report.files:
        if f.status == "refused":
            print(f"REFUSED {f.error}", file=sys.stderr)
        elif f.note:
            print(f"NOTE {f.file_name}: {f.note}", file=sys.stderr)
    done = [f for f in report.files if f.status != "refused"]
    print(f"files: {len(done)} ({sum(f.status == 'unchanged' for f in done)} unchanged), "
          f"refused: {len(report.refused)}, skipped: {len(report.skipped)}")
    print(f"rows loaded: {report.total('rows')}, no location: {report.total('no_location')}, "
          f"rejected: {report.total('rejected')}")
    by_force: dict[str, list[str]] = {}
    for f in done:
        by_force.setdefault(f.force, []).append(f.month)
    from csp_dash.ingest.month_checks import month_count_notes

    loaded = {(f.force, f.month) for f in done if f.status in ("loaded", "replaced")}
    for note in month_count_notes(engine, loaded) if loaded else []:
        print(f"NOTE {note}", file=sys.stderr)
    gaps = missing_months(engine)
    for force, months in sorted(by_force.items()):
        months = sorted(months)
        print(f"{force}: {len(months)} month(s) {months[0]} to {months[-1]}; "
              f"missing months in the database: {', '.join(gaps.get(force, [])) or 'none'}")
    return 1 if report.refused else 0


def cmd_ingest_boundaries(args: argparse.Namespace) -> int:
    from csp_dash.ingest.boundaries import import_boundaries

    engine = open_engine(args)
    notes: list[str] = []
    n = import_boundaries(engine, args.path, args.layer, args.code_field, args.name_field,
                          crs=args.crs, notes=notes)
    for note in notes:
        print(f"NOTE {note}", file=sys.stderr)
    print(f"layer '{args.layer}': {n} areas loaded; crimes reassigned and the cube rebuilt")
    return 0


def cmd_ingest_population(args: argparse.Namespace) -> int:
    from csp_dash.ingest.boundaries import import_population

    engine = open_engine(args)
    notes: list[str] = []
    n = import_population(engine, args.path, args.layer, args.code_field, args.population_field,
                          args.households_field, notes=notes)
    for note in notes:
        print(f"NOTE {note}", file=sys.stderr)
    print(f"layer '{args.layer}': population set for {n} areas")
    return 0


def cmd_counts(args: argparse.Namespace) -> int:
    from csp_dash.db.queries import cube_counts

    engine = open_engine(args)
    by = [b.strip() for b in args.by.split(",") if b.strip()]
    df = cube_counts(engine, layer=args.layer, by=by,
                     categories=[args.category] if args.category else None)
    if "month" in df:
        df["month"] = df["month"].dt.strftime("%Y-%m")
    if args.format == "json":
        print(json.dumps(df.to_dict("records"), indent=1))
    else:
        df.to_csv(sys.stdout, index=False)
    return 0


def cmd_use(args: argparse.Namespace) -> int:
    if config.explicit_db_url():
        print(f"note: CSP_DASH_DB_URL (or secrets.toml db_url) is set and wins: "
              f"{config.explicit_db_url()}", file=sys.stderr)
    config.set_active_choice(args.which)
    what = "your own data" if args.which == config.OWN else "the synthetic demo"
    print(f"now using {what}: {config.db_url()}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    app = Path(__file__).resolve().parents[2] / "app.py"
    # Loopback by default: without sign-in configured the one local user is the analyst, and
    # any other address serves the public role only (csp_dash/ui/auth.py).
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port),
           "--server.address", args.address]
    env_db = ["--", "--db", args.db] if args.db else []
    return subprocess.call(cmd + env_db)


# Each feature adds its own commands: a module with register(sub, ingest_sub, add), listed here.
COMMAND_MODULES = [district_cli, overview_cli, trends_cli, hotspots_cli, partner_cli, priorities_cli,
                   fetch_cli, horizon_cli, plan_cli, report_cli, db_cli]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="csp-dash", description="CSP Dash: Strategic Assessment dashboard")
    sub = p.add_subparsers(dest="command", required=True)

    def add(parser_obj, name, func, help_text):
        sp = parser_obj.add_parser(name, help=help_text, description=help_text)
        sp.add_argument("--db", help="SQLAlchemy URL (default: CSP_DASH_DB_URL or data/csp_dash.duckdb)")
        sp.set_defaults(func=func)
        return sp

    sp = add(sub, "demo", cmd_demo, "Write the synthetic demo district's files and load them")
    sp.add_argument("--out", help="folder for the demo files (default data/demo)")

    ingest = sub.add_parser("ingest", help="Load data").add_subparsers(dest="kind", required=True)
    sp = add(ingest, "police", cmd_ingest_police, "Load police.uk street-crime CSVs, folders or zips")
    sp.add_argument("paths", nargs="+")
    sp = add(ingest, "boundaries", cmd_ingest_boundaries, "Load a polygon layer (GeoJSON, GPKG, zipped shapefile)")
    sp.add_argument("path")
    sp.add_argument("--layer", required=True, help="lsoa, ward, estate, district or a custom name")
    sp.add_argument("--code-field")
    sp.add_argument("--name-field")
    sp.add_argument("--crs", help="the file's CRS when it names none or a wrong one, e.g. EPSG:27700")
    sp = add(ingest, "population", cmd_ingest_population, "Load populations (CSV of area code -> people)")
    sp.add_argument("path")
    sp.add_argument("--layer", required=True)
    sp.add_argument("--code-field")
    sp.add_argument("--population-field")
    sp.add_argument("--households-field")

    sp = add(sub, "counts", cmd_counts, "Counts from the monthly cube")
    sp.add_argument("--layer", default="all", help="area layer (default: all = the whole loaded area)")
    sp.add_argument("--by", default="month,category", help="comma list of month, category, area, theme")
    sp.add_argument("--category")
    sp.add_argument("--format", choices=["json", "csv"], default="csv")

    sp = add(sub, "use", cmd_use, "Use your own data (an empty database to load) or the demo")
    sp.add_argument("which", choices=[config.OWN, config.DEMO])

    sp = add(sub, "serve", cmd_serve, "Run the dashboard")
    sp.add_argument("--port", type=int, default=8501)
    sp.add_argument("--address", default="127.0.0.1",
                    help="address to bind (default 127.0.0.1, this computer only; another "
                    "address without sign-in configured serves the public role only)")
    for module in COMMAND_MODULES:
        module.register(sub, ingest, add)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except IngestError as exc:
        print(f"REFUSED {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        if "lock" in str(exc).lower():
            print("error: the database file is in use by another process (is the dashboard "
                  "running?). Stop it, or load files from the Data page, or use PostgreSQL for "
                  f"several processes.\n{exc.orig}", file=sys.stderr)
            return 3
        raise
    finally:
        close_engines()


if __name__ == "__main__":
    sys.exit(main())
