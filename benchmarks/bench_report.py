"""The full demo Strategic Assessment: time per section, per figure render and per format.

Target: the partners edition (five years, every chapter, both appendices) built and rendered
to Word and PDF in at most 30 s on 2 cores. Builds the demo first unless --db points at one.

    python -m benchmarks.bench_report [--db duckdb:///path/demo.duckdb] [--period-end 2026-03]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from csp_dash.db.engine import init_db, make_engine
from csp_dash.report.assessment import build_assessment
from csp_dash.report.docx import render_docx
from csp_dash.report.pdf import render_pdf

TARGET_S = 30.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--period-end", default="2026-03")
    ap.add_argument("--edition", default="partners")
    args = ap.parse_args()
    url = args.db
    if url is None:
        from csp_dash.demo.loader import load_demo

        folder = Path(tempfile.mkdtemp(prefix="bench_report_"))
        url = f"duckdb:///{folder / 'demo.duckdb'}"
        eng = make_engine(url)
        init_db(eng)
        t = time.perf_counter()
        load_demo(eng, folder / "files")
        print(f"demo built in {time.perf_counter() - t:.1f} s (not counted)")
    eng = make_engine(url)
    init_db(eng)
    year, month = (int(x) for x in args.period_end.split("-"))
    t0 = time.perf_counter()
    report = build_assessment(eng, date(year, month, 1), args.edition)
    build = time.perf_counter() - t0
    for name, secs in report.timings.items():
        print(f"  build {name:<36} {secs:6.2f} s")
    t = time.perf_counter()
    for f in report.figures():
        f.png()
    png = time.perf_counter() - t
    t = time.perf_counter()
    for f in report.figures():
        f.svg()
    svg = time.perf_counter() - t
    t = time.perf_counter()
    docx = render_docx(report)
    word = time.perf_counter() - t
    t = time.perf_counter()
    pdf = render_pdf(report)
    pdf_s = time.perf_counter() - t
    total = time.perf_counter() - t0
    print(f"build (figures and sections)           {build:6.2f} s")
    print(f"charts to PNG ({len(report.figures())} figures)             {png:6.2f} s")
    print(f"charts to SVG                          {svg:6.2f} s")
    print(f"Word layout ({len(docx) / 1e6:.1f} MB)                   {word:6.2f} s")
    print(f"PDF layout ({len(pdf) / 1e6:.1f} MB)                    {pdf_s:6.2f} s")
    print(f"total                                  {total:6.2f} s (target {TARGET_S:.0f} s: "
          f"{'met' if total <= TARGET_S else 'NOT met'})")


if __name__ == "__main__":
    main()
