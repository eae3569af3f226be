"""CLI for partner data: `csp-dash ingest partner PATH --dataset NAME [--mapping FILE]` and
`csp-dash partner list|mapping|remove|refresh`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from csp_dash.cli.common import open_engine as _engine
from csp_dash.db.version import bump


def cmd_ingest_partner(args: argparse.Namespace) -> int:
    from csp_dash.ingest.partner.load import ingest_partner
    from csp_dash.ingest.partner.mapping import PartnerMapping

    engine = _engine(args)
    mapping = None
    if args.mapping:
        mapping = PartnerMapping.from_json(Path(args.mapping).read_text(encoding="utf-8"))
    r = ingest_partner(engine, args.path, args.dataset, mapping, sensitive=args.sensitive)
    if r.status == "unchanged":
        print(f"{r.file_name}: unchanged (already loaded into '{r.dataset}' with this mapping)")
        return 0
    print(
        f"{r.file_name} -> dataset '{r.dataset}': {r.status}, {r.rows} rows loaded "
        f"({r.first_month} to {r.last_month}), {r.no_location} with no location, "
        f"{r.rejected} rejected"
        + (f"; {r.replaced_rows} earlier rows replaced" if r.replaced_rows else "")
    )
    for row in r.rejects.head(args.show_rejects).itertuples():
        print(f"  rejected row {row.row_no}: {row.reason}", file=sys.stderr)
    if r.rejected > args.show_rejects:
        print(
            f"  ... and {r.rejected - args.show_rejects} more (see the Data page)", file=sys.stderr
        )
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    """The public release of a dataset, exactly as every public page reads it."""
    from csp_dash.disclosure.published import public_release

    engine = _engine(args)
    source = args.dataset
    if "/" not in source and args.flag is None:  # the DA page's subset, where there is one
        from csp_dash.db.partner_queries import partner_sources

        if f"{source}/domestic" in set(partner_sources(engine)["source"]):
            source = f"{source}/domestic"
    elif "/" not in source and args.flag:
        source = f"{source}/{args.flag}"
    rel = public_release(engine, source)
    long = rel.long()
    state = "sensitive: suppressed" if rel.sensitive else "not sensitive: true counts"
    print(f"# public release of {source} ({state}); hidden cells show {rel.label!r}",
          file=sys.stderr)
    if args.format == "json":
        print(json.dumps({"source": source, "sensitive": rel.sensitive, "threshold": rel.limit,
                          "label": rel.label, "cells": long.to_dict("records")}, indent=1))
    else:
        long.to_csv(sys.stdout, index=False)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from csp_dash.db.partner_queries import dataset_table

    df = dataset_table(_engine(args))
    if df.empty:
        print("no partner datasets loaded")
        return 0
    for col in ("first_month", "last_month"):
        df[col] = df[col].dt.strftime("%Y-%m")
    df.drop(columns=["updated_at"]).to_csv(sys.stdout, index=False)
    return 0


def cmd_mapping(args: argparse.Namespace) -> int:
    from csp_dash.ingest.partner.load import saved_mapping

    m = saved_mapping(_engine(args), args.dataset)
    if m is None:
        print(f"error: no mapping saved for dataset '{args.dataset}'", file=sys.stderr)
        return 2
    print(m.to_json())
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from csp_dash.ingest.partner.load import remove_dataset

    remove_dataset(_engine(args), args.dataset)
    print(f"dataset '{args.dataset}' removed (records, rejects, log, mapping and cube rows)")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    from csp_dash.ingest.partner.cube import rebuild_all_partner_cubes

    with _engine(args).begin() as conn:
        done = rebuild_all_partner_cubes(conn)
        bump(conn)
    print(f"partner cube rebuilt for {len(done)} dataset(s): {', '.join(done) or 'none'}")
    return 0


def register(sub, ingest_sub, add) -> None:
    sp = add(
        ingest_sub,
        "partner",
        cmd_ingest_partner,
        "Load partner data (CSV or XLSX: DA, referrals, hate, fire ...) into a dataset",
    )
    sp.add_argument("path")
    sp.add_argument("--dataset", required=True, help="dataset name, e.g. police_da")
    sp.add_argument(
        "--mapping",
        help="mapping JSON file (saved for the dataset; omit to reuse "
        "the saved one). Keys are pseudonymised with CSP_DASH_PSEUDONYM_SECRET",
    )
    sp.add_argument("--show-rejects", type=int, default=20, help="rejected rows to print")
    flag = sp.add_mutually_exclusive_group()
    flag.add_argument("--sensitive", dest="sensitive", action="store_true", default=None,
                      help="publish only through the disclosure release (default for domestic "
                      "abuse, sexual offences, hate, modern slavery, FGM)")
    flag.add_argument("--not-sensitive", dest="sensitive", action="store_false",
                      help="publish true counts")
    partner = sub.add_parser("partner", help="Partner datasets").add_subparsers(
        dest="partner_command", required=True
    )
    add(partner, "list", cmd_list, "List partner datasets")
    sp = add(partner, "mapping", cmd_mapping, "Print a dataset's saved mapping as JSON")
    sp.add_argument("dataset")
    sp = add(partner, "remove", cmd_remove, "Remove a partner dataset entirely")
    sp.add_argument("dataset")
    sp = add(partner, "release", cmd_release,
             "Print a dataset's public release (estates x months, suppressed as every page shows it)")
    sp.add_argument("--dataset", required=True, help="dataset, or dataset/flag (police_da/domestic)")
    sp.add_argument("--flag", default=None,
                    help="a flagged subset (default: 'domestic' where the dataset has it, as "
                    "the Domestic abuse page shows; '' for every record)")
    sp.add_argument("--format", choices=["csv", "json"], default="csv")
    add(
        partner,
        "refresh",
        cmd_refresh,
        "Rebuild partner counts (after boundaries were loaded or replaced)",
    )
