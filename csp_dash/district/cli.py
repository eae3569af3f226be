"""`csp-dash district set|show|clear`: declare the partnership's district, and see what it holds."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from csp_dash.cli.common import open_engine


def cmd_district_set(args: argparse.Namespace) -> int:
    from csp_dash.district import declare

    engine = open_engine(args)
    if args.layer:
        if args.layer != "lsoa":
            raise ValueError("--layer takes 'lsoa' (every loaded LSOA is the district); "
                             "for another polygon layer's outline use --boundary FILE")
        n = declare.from_lsoa_layer(engine, args.name)
    elif args.boundary:
        n = declare.from_boundary(engine, args.boundary, args.name)
    elif args.lsoa_codes:
        codes = declare.read_code_file(args.lsoa_codes)
        n = declare.from_lsoa_codes(engine, codes, args.name or Path(args.lsoa_codes).stem,
                                    Path(args.lsoa_codes).name)
    else:
        n = declare.from_name_prefix(engine, args.prefix)
    print(f"district declared: {n:,} LSOAs; every figure is rebuilt for it")
    return cmd_district_show(args)


def cmd_district_show(args: argparse.Namespace) -> int:
    from csp_dash.district.coverage import coverage

    cov = coverage(open_engine(args))
    if getattr(args, "format", "text") == "json":
        print(json.dumps(cov.as_dict(), indent=1))
    else:
        print(cov.status_note)
        print(cov.sentence)
    return 0


def cmd_district_clear(args: argparse.Namespace) -> int:
    from csp_dash.district import declare

    declare.clear(open_engine(args))
    print("district cleared: the loaded LSOA layer (if any) is proposed as the district")
    return 0


def cmd_ingest_deprivation(args: argparse.Namespace) -> int:
    from csp_dash.district.deprivation import import_deprivation

    n = import_deprivation(open_engine(args), args.path, args.code_field, args.decile_field)
    print(f"deprivation: deciles loaded for {n:,} LSOAs")
    return 0


def register(sub, ingest_sub, add) -> None:
    sp = add(ingest_sub, "deprivation", cmd_ingest_deprivation,
             "Load the English Indices of Deprivation by LSOA (CSV of code and decile)")
    sp.add_argument("path")
    sp.add_argument("--code-field", help="the LSOA code column (default: guessed)")
    sp.add_argument("--decile-field", help="the IMD decile column (default: guessed)")
    parent = sub.add_parser("district", help="The partnership's district: set, show or clear")
    dsub = parent.add_subparsers(dest="district_command", required=True)
    sp = add(dsub, "set", cmd_district_set, "Declare the district; figures count only its records")
    how = sp.add_mutually_exclusive_group(required=True)
    how.add_argument("--layer", help="'lsoa': every loaded LSOA is the district")
    how.add_argument("--boundary", help="a boundary file (GeoJSON, GeoPackage, zipped shapefile)")
    how.add_argument("--lsoa-codes", help="a file of LSOA codes, one a line (or a CSV's first column)")
    how.add_argument("--prefix", help="LSOAs whose name starts with this, e.g. 'Colchester'")
    sp.add_argument("--name", help="the district's name as pages say it (default from the source)")
    sp.add_argument("--format", choices=["text", "json"], default="text")
    sp = add(dsub, "show", cmd_district_show, "What the district holds and what it leaves out")
    sp.add_argument("--format", choices=["text", "json"], default="text")
    add(dsub, "clear", cmd_district_clear, "Forget the declared district")
