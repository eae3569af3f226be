"""Issue 11, before the fix: replay the public page logic of commit 25b308c (its
public_window_sums) for every period end and estate, then attack. Run at that commit:
  git stash; python benchmarks/attack_before_issue11.py  (needs a demo DuckDB; ~30 min
  on a loaded machine). Printed: recovered, hidden: (941, 941)."""
import sys

import pandas as pd

sys.path.insert(0, "tests")
from disclosure_attacker import TOTAL, LinearAttacker, recovered

from csp_dash.db import queries
from csp_dash.db.cube import ALL_LAYER
from csp_dash.db.engine import make_engine
from csp_dash.disclosure.public_figures import public_window_sums
from csp_dash.disclosure.release import protect, release_table, visible_series
from csp_dash.domestic_abuse.baseline import monthly_series, year_on_year

e = make_engine("duckdb:////tmp/wt11/demo.duckdb")
src = "police_da/domestic"
rng = queries.month_range(e, src)
whole = monthly_series(queries.cube_counts(e, source=src, layer=ALL_LAYER, by=("month",)), *rng)
by_est = queries.cube_counts(e, source=src, layer="estate", by=("area", "month"))
names = queries.area_options(e, "estate")
table = release_table(by_est, whole, names)
rel = protect(table, 5, "<5")
months = list(table.columns)
att = LinearAttacker(list(table.index), months)
vis = ~rel.hidden
for r in table.index:
    for m in months:
        if vis.loc[r, m]:
            att.add_sum(r, [m], table.loc[r, m])
for m in months:
    if vis.loc[TOTAL, m]:
        att.add_sum(TOTAL, [m], rel.column_totals[m])
rows = [(TOTAL, TOTAL)] + [(n, n) for n in names.values()]
for length in (12,):
    for end in months:
        for row, area_row in rows:
            series = table.sum(axis=0) if row == TOTAL else table.loc[row]
            shown = visible_series(rel, row)
            y = year_on_year(series, end.date(), [], length=length)
            sums = public_window_sums(series, shown, rel, area_row, [y.current_window, y.previous_window])
            for w, v in zip([y.current_window, y.previous_window], sums, strict=False):
                ms = [m for m in months if pd.Timestamp(w[0]) <= m <= pd.Timestamp(w[1])]
                if v is not None and ms:
                    att.add_sum(row, ms, v)
print("recovered, hidden:", recovered(att, table, rel.hidden))
