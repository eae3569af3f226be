"""`csp-dash report assessment`: the Strategic Assessment as Word or PDF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from csp_dash.cli.common import month_arg, open_engine
from csp_dash.report.model import EDITIONS, PUBLIC

FORMATS = ("docx", "pdf")


def render(report, fmt: str) -> bytes:
    if fmt == "docx":
        from csp_dash.report.docx import render_docx

        return render_docx(report)
    from csp_dash.report.pdf import render_pdf

    return render_pdf(report)


def cmd_assessment(args: argparse.Namespace) -> int:
    from csp_dash.report.assessment import build_assessment

    engine = open_engine(args)
    report = build_assessment(engine, args.period_end, args.edition, author=args.author,
                              partnership=args.partnership)
    out = Path(args.out or f"strategic-assessment-{args.period_end:%Y-%m}-{args.edition}."
                           f"{args.format}")
    if out.parent and not out.parent.is_dir():
        raise ValueError(f"the folder {out.parent} does not exist")
    out.write_bytes(render(report, args.format))
    sections = ", ".join(s.title for s in report.sections)
    print(f"{out}: {report.edition} edition, {len(report.sections)} sections ({sections})",
          file=sys.stderr)
    print(out)
    return 0


def register(sub, ingest_sub, add) -> None:
    report = sub.add_parser("report", help="Documents drafted from the live figures")
    rsub = report.add_subparsers(dest="report_kind", required=True)
    sp = add(rsub, "assessment", cmd_assessment,
             "The Strategic Assessment (Word or PDF) for the 12 months to a period end")
    sp.add_argument("--period-end", required=True, type=month_arg,
                    help="last month of the assessment period (YYYY-MM)")
    sp.add_argument("--edition", choices=EDITIONS, default=PUBLIC,
                    help="public (small partner counts suppressed, no appendices) or partners "
                         "(appendices; 'Not for public circulation' on every page)")
    sp.add_argument("--format", choices=FORMATS, default="docx")
    sp.add_argument("--out", help="file to write (default strategic-assessment-YYYY-MM-EDITION.FMT)")
    sp.add_argument("--author", default="Community safety analyst")
    sp.add_argument("--partnership", help="the partnership's name (default: the demo's name)")
