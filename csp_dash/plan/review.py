"""The scrutiny (annual) review of the action plan: each priority, its actions and statuses,
each measure's chart and sentence, the calendar, and what changed since the last review.

``build_review`` returns a structured ``document.Document``; ``record_review`` stores the
statuses so the next review can say what changed.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Engine, func, insert, select

from csp_dash.db.schema_plan import plan_reviews
from csp_dash.db.version import bump
from csp_dash.export import chart_png
from csp_dash.plan import calendar, store
from csp_dash.plan.charts import measure_chart
from csp_dash.plan.document import Document, Image, Section, Table
from csp_dash.plan.status import MeasureRow, measure_rows, where_label

FORMATS = ("docx", "pdf")


def _action_key(r) -> str:
    return f"{r['priority']} / {r['objective']} / {r['name']}"


def _measure_key(row: MeasureRow) -> str:
    return f"{row.priority} / {row.objective} / {row.measure.key}"


def measure_title(row: MeasureRow) -> str:
    m = row.measure
    return f"Measure: {m.series} ({m.value}, {where_label(m)})"


def status_line(row: MeasureRow) -> str:
    met = {True: "met", False: "missed", None: "not judged"}[row.status.target_met]
    return f"Status: {row.status.trend}; target {met}."


def snapshot(actions: pd.DataFrame, rows: list[MeasureRow]) -> dict:
    return {
        "actions": {_action_key(r): r["status"] for _, r in actions.iterrows()},
        "measures": {_measure_key(r): r.status.trend for r in rows},
    }


def last_review(engine: Engine) -> tuple[datetime, dict] | None:
    with engine.connect() as conn:
        row = conn.execute(select(plan_reviews.c.reviewed_at, plan_reviews.c.snapshot)
                           .order_by(plan_reviews.c.review_id.desc()).limit(1)).first()
    return None if row is None else (pd.Timestamp(row[0]).to_pydatetime(), json.loads(row[1]))


def record_review(engine: Engine) -> datetime:
    """Store today's statuses as a review; the next review compares with them."""
    f = store.frames(engine)
    snap = snapshot(f["actions"], measure_rows(engine))
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        next_id = (conn.execute(select(func.max(plan_reviews.c.review_id))).scalar() or 0) + 1
        conn.execute(insert(plan_reviews).values(review_id=next_id, reviewed_at=now,
                                                 snapshot=json.dumps(snap)))
        bump(conn)
    return now


def changes(engine: Engine, f: dict, rows: list[MeasureRow]) -> list[str]:
    """What changed since the last recorded review, one line each."""
    last = last_review(engine)
    if last is None:
        return ["This is the first review of the plan: there is no earlier review to compare."]
    when, before = last
    now = snapshot(f["actions"], rows)
    lines = [f"Since the review of {when:%d %B %Y}:"]
    for kind, word in (("actions", "action"), ("measures", "measure")):
        for key, value in now[kind].items():
            old = before.get(kind, {}).get(key)
            if old is None:
                lines.append(f"New {word}: {key} ({value}).")
            elif old != value:
                lines.append(f"{word.capitalize()} {key}: {old} to {value}.")
        lines += [f"{word.capitalize()} removed: {key}." for key in before.get(kind, {})
                  if key not in now[kind]]
    u = f["updates"]
    recent = u[[d is not None and d >= when.date() for d in u["update_date"]]]
    names = f["actions"].set_index("action_id")["name"]
    lines += [f"Update {d:%d %b %Y} on {names.get(a, a)}: {c}"
              for d, a, c in zip(recent["update_date"], recent["action_id"], recent["comment"],
                                 strict=True)]
    if len(lines) == 1:
        lines.append("no status changed and no progress update was recorded.")
    return lines


def _day(d) -> str:
    return "" if d is None or pd.isna(d) else f"{pd.Timestamp(d):%d %b %Y}"


def build_review(engine: Engine, *, charts: bool = True, today: date | None = None) -> Document:
    f = store.frames(engine)
    rows = measure_rows(engine)
    cal = calendar.list_entries(engine)
    today = today or date.today()
    year, agreed = store.agreed_priorities(engine)
    doc = Document("Action plan: scrutiny review",
                   f"Community Safety Partnership action plan, reviewed {today:%d %B %Y}"
                   + (f"; priorities agreed for {year}" if year else ""))
    acts = f["actions"]
    counts = acts["status"].value_counts()
    trends = pd.Series([r.status.trend for r in rows]).value_counts()
    doc.sections.append(Section("Summary", 1, [
        f"{len(f['objectives'])} objectives, {len(acts)} actions and {len(rows)} measures. "
        "Actions: " + (", ".join(f"{n} {s}" for s, n in counts.items()) or "none") + ". "
        "Measures: " + (", ".join(f"{n} {t}" for t, n in trends.items()) or "none") + ".",
        "Each measure is computed from the data loaded in CSP Dash: the latest 12 months "
        "against the baseline period's 12-month equivalent, with SPC (Making Data Count) for "
        "special-cause variation. Months with no data are named, never counted as zero.",
    ]))
    doc.sections.append(Section("What changed since the last review", 1, changes(engine, f, rows)))
    priorities = list(dict.fromkeys([*agreed, *f["objectives"]["priority"]]))
    for p in priorities:
        objs = f["objectives"][f["objectives"]["priority"] == p]
        doc.sections.append(Section(f"Priority: {p}", 1, [] if len(objs) else
                                    ["No objectives are set for this priority yet."]))
        for _, o in objs.iterrows():
            a = acts[acts["objective_id"] == o["objective_id"]]
            blocks: list = [Table(
                ["Action", "Owner", "Lead", "Start", "Due", "Status", "Latest update"],
                [[r["name"], r["owner"], r["lead"] or "", _day(r["start_date"]),
                  _day(r["due_date"]), r["status"],
                  f"{_day(r['progress_date'])}: {r['progress']}"
                  if isinstance(r["progress"], str) else ""]
                 for _, r in a.iterrows()])] if len(a) else ["No actions yet."]
            doc.sections.append(Section(f"Objective: {o['name']}", 2, blocks))
            for row in (r for r in rows if r.priority == p and r.objective == o["name"]):
                blocks = [status_line(row), row.status.sentence]
                if charts and row.series.notna().any():
                    png = chart_png(measure_chart(row, cal, width=520, height=170), scale=2)
                    blocks.append(Image(png, f"{row.measure.series}: monthly {row.label.lower()}"
                                             " with the baseline mean and target", 15.5))
                doc.sections.append(Section(measure_title(row), 3, blocks))
    doc.sections.append(Section("Partnership calendar", 1, [Table(
        ["Start", "End", "Entry", "Kind", "Owner"],
        [[_day(r["start"]), _day(r["end"]), r["label"], r["kind"], r["owner"] or ""]
         for _, r in cal.iterrows()])] if len(cal) else ["No calendar entries."]))
    return doc


def review_bytes(engine: Engine, fmt: str) -> bytes:
    from csp_dash.plan.document import to_docx, to_pdf

    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    doc = build_review(engine)
    return to_docx(doc) if fmt == "docx" else to_pdf(doc)
