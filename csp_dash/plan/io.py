"""The plan as a spreadsheet: CSV and XLSX with the columns in ``model.COLUMNS``.

A file is checked whole before anything is stored: a problem refuses it with the row and the
problem (``IngestError``), and the stored plan is replaced in one transaction.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from csp_dash.export import FORMULA_PREFIXES, to_csv_bytes, to_xlsx_bytes
from csp_dash.ingest.errors import IngestError
from csp_dash.plan import series as plan_series
from csp_dash.plan import store
from csp_dash.plan.model import (
    COLUMNS,
    REQUIRED,
    Action,
    Measure,
    Objective,
    check_action,
    check_measure,
    parse_series,
)

FORMATS = ("csv", "xlsx")


def _cell(value) -> str:
    """A cell as text; undoes the export's formula neutralising ("'-5" back to "-5")."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    text = text.strip()
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]
    return text


def _date(text: str, what: str) -> date | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"{what} '{text}' is not a date (YYYY-MM-DD)")


def _month(text: str, what: str) -> date:
    if not text:
        raise ValueError(f"{what} is empty (give a month, YYYY-MM)")
    for fmt in ("%Y-%m", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%m/%Y"):
        try:
            d = datetime.strptime(text, fmt).date()
            return date(d.year, d.month, 1)
        except ValueError:
            pass
    raise ValueError(f"{what} '{text}' is not a month (YYYY-MM)")


def _number(text: str, what: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise ValueError(f"{what} '{text}' is not a number (e.g. -5)") from None
    if not pd.notna(value) or abs(value) > 1000:
        raise ValueError(f"{what} '{text}' is not a sensible percentage")
    return value


def _frame(data: bytes, name: str) -> pd.DataFrame:
    suffix = Path(name).suffix.lower()
    try:
        if suffix == ".xlsx":
            df = pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False)
        elif suffix == ".csv":
            df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False,
                             encoding="utf-8-sig")
        else:
            raise IngestError(name, "a plan file must be .csv or .xlsx")
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - any unreadable file is refused whole, with why
        raise IngestError(name, f"cannot be read as a {suffix[1:].upper()} table "
                                f"({type(exc).__name__}: {exc})") from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise IngestError(name, f"needs the column(s) {', '.join(missing)}")
    return df


def _row(r: pd.Series) -> tuple[str, str, Action | None, Measure | None]:
    v = {c: _cell(r.get(c)) for c in COLUMNS}
    if not v["priority"]:
        raise ValueError("the priority is empty")
    if not v["objective"]:
        raise ValueError("the objective is empty")
    action = None
    if v["action"]:
        action = Action(v["action"], v["owner"], v["lead"] or None,
                        _date(v["start"], "start"), _date(v["due"], "due"),
                        (v["status"] or "not started").lower(),
                        _date(v["progress_date"], "progress_date"), v["progress"] or None)
        check_action(action)
        if bool(action.progress) != bool(action.progress_date):
            raise ValueError("give both progress_date and progress, or neither")
    elif any(v[c] for c in ("owner", "lead", "start", "due", "status")):
        raise ValueError("action details are given without an action")
    measure = None
    if v["measure_series"]:
        measure = Measure(parse_series(v["measure_series"]), (v["measure_value"] or "").lower(),
                          _month(v["baseline_from"], "baseline_from"),
                          _month(v["baseline_to"], "baseline_to"),
                          (v["direction"] or "").lower(), v["measure_layer"] or None,
                          v["measure_area"] or None, _number(v["target_pct"], "target_pct"))
        check_measure(measure)
    elif any(v[c] for c in ("measure_value", "baseline_from", "baseline_to", "target_pct")):
        raise ValueError("measure details are given without a measure_series")
    return v["priority"], v["objective"], action, measure


def read_plan(data: bytes, name: str, engine: Engine | None = None) -> list[Objective]:
    """Parse and check a plan file; with ``engine``, priorities must be on the latest agreed
    list and series must exist. Raises IngestError naming the row and the problem."""
    df = _frame(data, name)
    if df.empty:
        raise IngestError(name, "has no rows")
    year, agreed = store.agreed_priorities(engine) if engine is not None else (None, [])
    spelling = {" ".join(p.split()).casefold(): p for p in agreed}
    plan: dict[tuple[str, str], Objective] = {}
    for i, (_, r) in enumerate(df.iterrows(), start=1):
        try:
            priority, objective, action, measure = _row(r)
            if agreed:
                priority = spelling.get(" ".join(priority.split()).casefold(), "")
                if not priority:
                    raise ValueError(f"priority '{_cell(r['priority'])}' is not on the {year} "
                                     f"agreed list ({', '.join(agreed)})")
            if measure is not None and engine is not None:
                plan_series.check_series(engine, measure)
            obj = plan.setdefault((priority, objective.casefold()), Objective(priority, objective))
            if action is not None:
                same = [a for a in obj.actions if a.name.casefold() == action.name.casefold()]
                if same and same[0] != action:
                    raise ValueError(f"action '{action.name}' is given twice with different details")
                if not same:
                    obj.actions.append(action)
            if measure is not None and measure not in obj.measures:
                obj.measures.append(measure)
        except ValueError as exc:
            raise IngestError(name, str(exc), row=i) from None
    return list(plan.values())


def import_plan(engine: Engine, source: str | Path | bytes,
                file_name: str | None = None) -> dict[str, int]:
    """Check a plan file whole, then replace the stored plan with it in one transaction."""
    if isinstance(source, bytes):
        data, name = source, file_name or "plan.csv"
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise IngestError(str(source), f"cannot be opened ({exc.strerror})") from None
        name = file_name or Path(source).name
    return store.replace_plan(engine, read_plan(data, name, engine))


def _iso(d: date | None, month: bool = False) -> str:
    return "" if d is None else (f"{d:%Y-%m}" if month else d.isoformat())


def plan_table(objectives: list[Objective]) -> pd.DataFrame:
    """The plan in the file layout: an objective's actions and measures paired row by row."""
    rows = []
    for o in objectives:
        for k in range(max(len(o.actions), len(o.measures), 1)):
            a = o.actions[k] if k < len(o.actions) else None
            m = o.measures[k] if k < len(o.measures) else None
            rows.append({
                "priority": o.priority, "objective": o.name,
                "action": a.name if a else "", "owner": a.owner if a else "",
                "lead": (a.lead or "") if a else "", "start": _iso(a.start) if a else "",
                "due": _iso(a.due) if a else "", "status": a.status if a else "",
                "measure_series": m.series if m else "", "measure_layer": (m.layer or "") if m else "",
                "measure_area": (m.area or "") if m else "", "measure_value": m.value if m else "",
                "baseline_from": _iso(m.baseline_from, True) if m else "",
                "baseline_to": _iso(m.baseline_to, True) if m else "",
                "target_pct": m.target_pct if m and m.target_pct is not None else float("nan"),
                "direction": m.direction if m else "",
                "progress_date": _iso(a.progress_date) if a else "",
                "progress": (a.progress or "") if a else "",
            })
    return pd.DataFrame(rows, columns=COLUMNS)


def export_plan(objectives: list[Objective], fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    table = plan_table(objectives)
    # read back in by import_plan: every digit kept, not rounded for display
    if fmt == "csv":
        return to_csv_bytes(table, rounded=False)
    return to_xlsx_bytes(table, sheet="Action plan", rounded=False)
