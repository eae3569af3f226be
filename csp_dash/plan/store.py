"""The plan in the database: replace it whole (one transaction), read it, add progress updates.

Progress updates outlive a re-import: they follow their action by (priority, objective,
action) name. Every write that edits an action checks the editor's role and organisation.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, update

from csp_dash.db.schema_plan import plan_actions, plan_measures, plan_objectives, plan_updates
from csp_dash.db.version import bump
from csp_dash.plan.model import STATUSES, Action, Measure, Objective, can_edit
from csp_dash.priorities.agreed import agreed_list, agreed_years


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _key(*names: str) -> tuple[str, ...]:
    return tuple(" ".join(n.split()).casefold() for n in names)


def _day(value) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def agreed_priorities(engine: Engine) -> tuple[int | None, list[str]]:
    """The latest agreed list's year and priorities, in rank order (None, [] if none)."""
    years = agreed_years(engine)
    if not years:
        return None, []
    return years[0], list(agreed_list(engine, years[0])["name"])


def replace_plan(engine: Engine, objectives: list[Objective]) -> dict[str, int]:
    """Store the plan in place of the old one, in one transaction; counts of what was stored."""
    now = _now()
    with engine.begin() as conn:
        old = conn.execute(
            select(plan_objectives.c.priority, plan_objectives.c.name, plan_actions.c.name,
                   plan_updates.c.update_date, plan_updates.c.status, plan_updates.c.comment,
                   plan_updates.c.author, plan_updates.c.created_at)
            .select_from(plan_updates
                         .join(plan_actions, plan_actions.c.action_id == plan_updates.c.action_id)
                         .join(plan_objectives,
                               plan_objectives.c.objective_id == plan_actions.c.objective_id))
            .order_by(plan_updates.c.update_id)
        ).all()
        for table in (plan_updates, plan_measures, plan_actions, plan_objectives):
            conn.execute(delete(table))
        obj_rows, act_rows, mea_rows, upd_rows = [], [], [], []
        ids: dict[tuple[str, ...], int] = {}
        for i, o in enumerate(objectives, start=1):
            obj_rows.append({"objective_id": i, "priority": o.priority, "name": o.name,
                             "sort_order": i})
            for a in o.actions:
                aid = len(act_rows) + 1
                ids[_key(o.priority, o.name, a.name)] = aid
                act_rows.append({"action_id": aid, "objective_id": i, "name": a.name,
                                 "owner": a.owner, "lead": a.lead, "start_date": a.start,
                                 "due_date": a.due, "status": a.status, "sort_order": aid})
            for m in o.measures:
                mid = len(mea_rows) + 1
                mea_rows.append({"measure_id": mid, "objective_id": i, "series": m.series,
                                 "layer": m.layer, "area": m.area, "value": m.value,
                                 "baseline_from": m.baseline_from, "baseline_to": m.baseline_to,
                                 "target_pct": m.target_pct, "direction": m.direction,
                                 "sort_order": mid})
        seen = set()
        for p, o, a, d, s, c, who, at in old:
            aid = ids.get(_key(p, o, a))
            if aid is not None:
                seen.add((aid, _day(d), c))
                upd_rows.append({"update_id": len(upd_rows) + 1, "action_id": aid,
                                 "update_date": _day(d), "status": s, "comment": c,
                                 "author": who, "created_at": at})
        for o in objectives:  # a progress update given in the file, unless already stored
            for a in o.actions:
                aid = ids[_key(o.priority, o.name, a.name)]
                if a.progress and a.progress_date and (aid, a.progress_date, a.progress) not in seen:
                    upd_rows.append({"update_id": len(upd_rows) + 1, "action_id": aid,
                                     "update_date": a.progress_date, "status": a.status,
                                     "comment": a.progress, "author": None, "created_at": now})
        for table, rows in ((plan_objectives, obj_rows), (plan_actions, act_rows),
                            (plan_measures, mea_rows), (plan_updates, upd_rows)):
            if rows:
                conn.execute(insert(table), rows)
        bump(conn)
    return {"objectives": len(obj_rows), "actions": len(act_rows), "measures": len(mea_rows),
            "updates": len(upd_rows)}


def _read(engine: Engine, stmt) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(stmt, conn)


def frames(engine: Engine) -> dict[str, pd.DataFrame]:
    """The plan's tables: objectives, actions (with priority, objective, latest update),
    measures (with priority, objective) and updates, each in plan order."""
    o, a, m, u = plan_objectives.c, plan_actions.c, plan_measures.c, plan_updates.c
    objectives = _read(engine, select(o.objective_id, o.priority, o.name).order_by(o.sort_order))
    actions = _read(engine, select(plan_actions).order_by(a.sort_order))
    measures = _read(engine, select(plan_measures).order_by(m.sort_order))
    updates = _read(engine, select(plan_updates).order_by(u.update_date, u.update_id))
    names = objectives.set_index("objective_id")
    for df in (actions, measures):
        df["priority"] = df["objective_id"].map(names["priority"])
        df["objective"] = df["objective_id"].map(names["name"])
    latest = updates.groupby("action_id").tail(1).set_index("action_id")
    actions["progress_date"] = actions["action_id"].map(latest["update_date"])
    actions["progress"] = actions["action_id"].map(latest["comment"])
    for df, cols in ((actions, ("start_date", "due_date", "progress_date")),
                     (measures, ("baseline_from", "baseline_to")), (updates, ("update_date",))):
        for c in cols:
            df[c] = [_day(v) for v in df[c]]
    return {"objectives": objectives, "actions": actions, "measures": measures,
            "updates": updates}


def _text(v) -> str | None:
    return None if v is None or pd.isna(v) else str(v)


def measure_of(row) -> Measure:
    return Measure(series=row["series"], value=row["value"], baseline_from=row["baseline_from"],
                   baseline_to=row["baseline_to"], direction=row["direction"],
                   layer=_text(row["layer"]), area=_text(row["area"]),
                   target_pct=None if pd.isna(row["target_pct"]) else float(row["target_pct"]))


def load_plan(engine: Engine) -> list[Objective]:
    f = frames(engine)
    out = []
    for _, o in f["objectives"].iterrows():
        acts = f["actions"][f["actions"]["objective_id"] == o["objective_id"]]
        meas = f["measures"][f["measures"]["objective_id"] == o["objective_id"]]
        out.append(Objective(
            o["priority"], o["name"],
            [Action(r["name"], r["owner"], _text(r["lead"]), r["start_date"], r["due_date"],
                    r["status"], r["progress_date"], _text(r["progress"]))
             for _, r in acts.iterrows()],
            [measure_of(r) for _, r in meas.iterrows()]))
    return out


def add_update(engine: Engine, action_id: int, *, status: str, comment: str, role: str,
               org: str | None, update_date: date | None = None,
               author: str | None = None) -> None:
    """Record a dated progress update and set the action's status; refused unless the role
    and organisation may edit the action (checked here, on the server)."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    comment = (comment or "").strip()
    if not comment:
        raise ValueError("a progress update needs a comment")
    with engine.begin() as conn:
        owner = conn.execute(select(plan_actions.c.owner)
                             .where(plan_actions.c.action_id == int(action_id))).scalar()
        if owner is None:
            raise ValueError(f"there is no action {action_id}")
        if not can_edit(role, org, owner):
            raise PermissionError(f"only analysts and {owner} may update this action")
        next_id = (conn.execute(select(func.max(plan_updates.c.update_id))).scalar() or 0) + 1
        conn.execute(insert(plan_updates).values(
            update_id=next_id, action_id=int(action_id), update_date=update_date or date.today(),
            status=status, comment=comment, author=author, created_at=_now()))
        conn.execute(update(plan_actions).where(plan_actions.c.action_id == int(action_id))
                     .values(status=status))
        bump(conn)
