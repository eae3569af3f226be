"""Every measure's status, computed once: the rows ``csp-dash plan status``, the Action plan
page and the scrutiny review all show."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from csp_dash.analysis import periods
from csp_dash.plan import store
from csp_dash.plan.measure import MeasureStatus
from csp_dash.plan.model import Measure
from csp_dash.plan.series import status_of

FIELDS = ["series", "baseline", "latest", "change_pct", "target_met", "trend", "sentence"]


@dataclass
class MeasureRow:
    measure_id: int
    priority: str
    objective: str
    measure: Measure
    status: MeasureStatus
    series: pd.Series  # monthly values, NaN where not loaded
    label: str  # the value's axis label

    def record(self) -> dict:
        """The JSON record: FIELDS first, then where, what, the periods and the target."""
        st, m = self.status, self.measure

        def num(x):
            return None if x is None else round(float(x), 2)

        return {
            "series": m.series, "baseline": num(st.baseline), "latest": num(st.latest),
            "change_pct": num(st.change_pct), "target_met": st.target_met, "trend": st.trend,
            "sentence": st.sentence, "priority": self.priority, "objective": self.objective,
            "layer": m.layer, "area": m.area, "value": m.value, "direction": m.direction,
            "target_pct": m.target_pct,
            "baseline_period": periods.label(st.baseline_window),
            "latest_period": periods.label(st.latest_window) if st.latest_window else None,
            "missing_months": [f"{d:%Y-%m}" for d in [*st.baseline_missing, *st.latest_missing]],
        }


def measure_rows(engine: Engine) -> list[MeasureRow]:
    f = store.frames(engine)
    out = []
    for _, r in f["measures"].iterrows():
        m = store.measure_of(r)
        st, series, label = status_of(engine, m)
        out.append(MeasureRow(int(r["measure_id"]), r["priority"], r["objective"], m, st,
                              series, label))
    return out


def where_label(m: Measure) -> str:
    return f"{m.layer} {m.area}" if m.layer else "the district"


def text_line(row: MeasureRow) -> str:
    m = row.measure
    return (f"{row.priority} / {row.objective} / {m.series} ({m.value}, {where_label(m)}): "
            f"{row.status.trend}: {row.status.sentence}")
