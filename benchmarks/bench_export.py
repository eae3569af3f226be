"""Time the table exports against bare writers in the same run.

    python -m benchmarks.bench_export [--rows 20000]

An appendix-sized table (estate x category rows: text, counts, changes, %, z, rates, a few
gaps) is written by ``export.to_csv_bytes`` and ``export.to_xlsx_bytes`` (rounding, number
formats, widths, neutralising) and, as the baseline, by pandas' own ``to_csv`` and a bare
openpyxl workbook of the same cells. Not a test: it prints figures and exits 0
(docs/architecture.md, "Performance").
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import numpy as np
import pandas as pd
from openpyxl import Workbook

from csp_dash import export


def table(rows: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cur = rng.poisson(40, rows)
    prev = rng.poisson(40, rows)
    change = cur - prev
    pct = np.where(prev > 0, change / np.maximum(prev, 1) * 100, np.nan)
    z = 2 * (np.sqrt(cur) - np.sqrt(prev))
    rate = cur / rng.uniform(500, 3000, rows) * 1000
    rate[rng.random(rows) < 0.05] = np.nan
    return pd.DataFrame({
        "Estate code": [f"EST{i % 400:03d}" for i in range(rows)],
        "Estate": [f"Estate {i % 400}" for i in range(rows)],
        "Category": [f"Category {i % 14}" for i in range(rows)],
        "Oct 2025 to Sep 2026": cur, "Oct 2024 to Sep 2025": prev, "Change": change,
        "Change %": pct, "Poisson z": z,
        "Significance (|z| > 2)": np.where(np.abs(z) > 2, "increase", "no significant change"),
        "Rate per 1,000 residents": rate,
    })


def _median_ms(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _bare_xlsx(df: pd.DataFrame) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(df.columns))
    for row in df.itertuples(index=False, name=None):
        ws.append([None if isinstance(v, float) and np.isnan(v) else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20_000)
    args = ap.parse_args()
    df = table(args.rows)
    stamp = ["CSP Dash benchmark", "Not for public circulation"]
    csv_base = _median_ms(lambda: df.to_csv(index=False).encode())
    csv_ours = _median_ms(lambda: export.to_csv_bytes(df, stamp=stamp))
    xlsx_base = _median_ms(lambda: _bare_xlsx(df))
    xlsx_ours = _median_ms(lambda: export.to_xlsx_bytes(df, sheet="Appendix", stamp=stamp))
    print(f"rows: {args.rows:,}")
    print(f"csv: {csv_ours:,.0f} ms (pandas to_csv {csv_base:,.0f} ms, ratio {csv_ours / csv_base:.2f})")
    print(f"xlsx: {xlsx_ours:,.0f} ms (bare openpyxl {xlsx_base:,.0f} ms, "
          f"ratio {xlsx_ours / xlsx_base:.2f})")


if __name__ == "__main__":
    main()
