"""Showing the plan: by priority with each measure's status and chart, the public summary and
the calendar. Plan text is the partnership's own: shown as plain text, never as Markdown."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from csp_dash.plan.charts import measure_chart
from csp_dash.plan.review import measure_title, status_line
from csp_dash.plan.status import MeasureRow
from csp_dash.ui.charts import draw
from csp_dash.ui.downloads import table_with_downloads
from csp_dash.ui.plan import data

TREND_ICON = {"improving": ":material/trending_down:", "worsening": ":material/warning:",
              "no significant change": ":material/trending_flat:",
              "not comparable": ":material/help:"}


def plain(text) -> str:
    """Text safe inside Streamlit Markdown: every Markdown/HTML character escaped."""
    return re.sub(r"([\\`*_{}\[\]<>()#+\-.!|~$:])", r"\\\1", str(text))


def _day(d) -> str:
    return "" if d is None or pd.isna(d) else f"{pd.Timestamp(d):%d %b %Y}"


def priorities_in_order(url: str, frames: dict) -> list[str]:
    _, agreed = data.agreed(url)
    return list(dict.fromkeys([*agreed, *frames["objectives"]["priority"]]))


def actions_table(actions: pd.DataFrame, with_people: bool = True) -> pd.DataFrame:
    table = pd.DataFrame({
        "Action": actions["name"], "Owner": actions["owner"],
        "Lead officer": actions["lead"].fillna(""),
        "Start": [_day(d) for d in actions["start_date"]],
        "Due": [_day(d) for d in actions["due_date"]], "Status": actions["status"],
        "Latest update": [f"{_day(d)}: {c}" if isinstance(c, str) else ""
                          for d, c in zip(actions["progress_date"], actions["progress"],
                                          strict=True)],
    })
    return table if with_people else table.drop(columns=["Lead officer", "Latest update"])


def measure_block(row: MeasureRow, cal: pd.DataFrame, key: str) -> None:
    left, right = st.columns([2, 3])
    with left:
        st.markdown(f"{TREND_ICON[row.status.trend]} **{plain(measure_title(row))}**")
        st.markdown(plain(status_line(row)))
        st.caption(plain(row.status.sentence))
    with right:
        if row.series.notna().any():
            draw(measure_chart(row, cal), width="stretch", key=key)


def plan_section(url: str) -> None:
    f = data.plan_frames(url)
    if f["objectives"].empty:
        st.info("No action plan yet: import the partnership's spreadsheet below "
                "(Review and files) or with `csp-dash plan import FILE`.")
        return
    rows, cal = data.rows(url), data.calendar_entries(url)
    for p in priorities_in_order(url, f):
        st.subheader(plain(p), divider="gray")
        objs = f["objectives"][f["objectives"]["priority"] == p]
        if objs.empty:
            st.caption("No objectives are set for this priority yet.")
        for _, o in objs.iterrows():
            st.markdown(f"**Objective:** {plain(o['name'])}")
            acts = f["actions"][f["actions"]["objective_id"] == o["objective_id"]]
            if len(acts):
                table_with_downloads(actions_table(acts), f"actions: {o['name']}",
                                     key=f"dl_plan_actions_{o['objective_id']}")
            for r in (r for r in rows if r.priority == p and r.objective == o["name"]):
                measure_block(r, cal, key=f"plan_chart_{r.measure_id}")


def public_summary(url: str) -> None:
    """What the public sees: priorities, objectives, how many actions are where, and each
    measure's sentence; no officer names and no internal progress comments."""
    f = data.plan_frames(url)
    st.subheader("Public summary")
    if f["objectives"].empty:
        st.info("The partnership has not published its action plan yet.")
        return
    rows = data.rows(url)
    for p in priorities_in_order(url, f):
        objs = f["objectives"][f["objectives"]["priority"] == p]
        st.markdown(f"#### {plain(p)}")
        for _, o in objs.iterrows():
            acts = f["actions"][f["actions"]["objective_id"] == o["objective_id"]]
            counts = acts["status"].value_counts()
            done = ", ".join(f"{n} {s}" for s, n in counts.items()) or "no actions yet"
            st.markdown(f"**{plain(o['name'])}**: {len(acts)} actions ({plain(done)})")
            for r in (r for r in rows if r.priority == p and r.objective == o["name"]):
                st.markdown(f"- {plain(r.measure.series.split(':', 1)[1])}: "
                            f"{plain(r.status.sentence)}")


def calendar_section(url: str) -> None:
    cal = data.calendar_entries(url)
    st.subheader("Partnership calendar")
    if cal.empty:
        st.caption("No campaign weeks, operations or orders are entered yet.")
        return
    table_with_downloads(pd.DataFrame({
        "Start": [_day(d) for d in cal["start"]], "End": [_day(d) for d in cal["end"]],
        "Entry": cal["label"], "Kind": cal["kind"], "Charts it marks": cal["scope"],
        "Owner": cal["owner"].fillna(""),
    }), "partnership calendar", key="dl_plan_calendar")
    st.caption("Each entry is marked on the Crime trends charts of the series it names "
               "(\"all\": every chart).")
