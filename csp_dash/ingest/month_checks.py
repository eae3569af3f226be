"""A month whose row count is far from its neighbours': loaded, but worth a second look
(a partial download, a file of another force-month, a force's recording change)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from csp_dash.db.cube import POLICE
from csp_dash.db.schema import ingest_files

FAR = 2.0  # a month under half or over twice the median of its neighbours
NEIGHBOURS = 2  # months each side


def month_count_notes(engine: Engine, months: set[tuple[str, str]] | None = None) -> list[str]:
    """Notes for (force, YYYY-MM) months (all if None) whose rows are far from their neighbours'."""
    f = ingest_files.c
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(select(f.force, f.month, f.rows_loaded)
                                       .where(f.source == POLICE)).all(),
                          columns=["force", "month", "rows"])
    notes = []
    for force, g in df.groupby("force"):
        g = g.sort_values("month").reset_index(drop=True)
        for i, r in g.iterrows():
            label = f"{r.month:%Y-%m}"
            if months is not None and (force, label) not in months:
                continue
            near = pd.concat([g["rows"].iloc[max(i - NEIGHBOURS, 0):i],
                              g["rows"].iloc[i + 1:i + 1 + NEIGHBOURS]])
            if len(near) < 2:
                continue  # too few neighbours to call anything unusual
            ref = float(near.median())
            if ref > 0 and not (ref / FAR <= r.rows <= ref * FAR):
                notes.append(f"{force} {label}: {r.rows:,} rows, far from its neighbouring "
                             f"months' {ref:,.0f} (median); check the file is complete and "
                             "for the right month")
    return notes
