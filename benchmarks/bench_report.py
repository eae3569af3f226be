"""The full demo Strategic Assessment: time per section, per figure render and per format.

Target: the partners edition (five years, every chapter, both appendices) built and rendered
to Word and PDF in at most 30 s on 2 cores. Builds the demo first unless --db points at one.

    python -m benchmarks.bench_report [--db duckdb:///path/demo.duckdb] [--period-end 2026-03]
"""

from __future__ import annotations

import argparse
import os
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
    clock = Clock()
    report = clock.run("build (figures and sections)",
                       lambda: build_assessment(eng, date(year, month, 1), args.edition))
    for name, secs in report.timings.items():
        print(f"  build {name:<36} {secs:6.2f} s wall")
    n = len(report.figures())
    clock.run(f"charts to SVG ({n} figures)", lambda: [f.svg() for f in report.figures()])
    clock.run("SVG to PNG (for Word)", lambda: [f.png() for f in report.figures()])
    docx = clock.run("Word layout", lambda: render_docx(report))
    pdf = clock.run("PDF layout (tagged)", lambda: render_pdf(report))
    wall, cpu = clock.totals
    build, svg, png, word, pdf_s = (clock.wall[k] for k in clock.wall)
    print(f"Word: {len(docx) / 1e6:.1f} MB, PDF: {len(pdf) / 1e6:.1f} MB")
    for name, w in (("PDF (build + SVG + PDF)", build + svg + pdf_s),
                    ("Word (build + SVG + PNG + Word)", build + svg + png + word),
                    ("both formats", wall)):
        print(f"{name:<38} {w:6.2f} s wall (target {TARGET_S:.0f} s: "
              f"{'met' if w <= TARGET_S else 'NOT met'})")
    print(f"process CPU time, everything           {cpu:6.2f} s "
          f"(the machine's load average: {os.getloadavg()[0]:.1f})")


class Clock:
    """Wall and process CPU time per step (CPU time is less disturbed by a shared machine)."""

    def __init__(self):
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def run(self, name: str, fn):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        self.wall[name] = time.perf_counter() - w
        self.cpu[name] = time.process_time() - c
        print(f"{name:<38} {self.wall[name]:6.2f} s wall {self.cpu[name]:6.2f} s CPU")
        return out

    @property
    def totals(self) -> tuple[float, float]:
        return sum(self.wall.values()), sum(self.cpu.values())

if __name__ == "__main__":
    main()
