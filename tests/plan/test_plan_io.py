"""The plan round-trips through CSV and XLSX; a malformed file is refused with the row and the
problem and nothing half-imports; edits are checked against the role and organisation;
calendar entries are declared events. Both engines."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from csp_dash.events import list_events
from csp_dash.ingest.errors import IngestError
from csp_dash.plan import calendar, store
from csp_dash.plan.io import export_plan, import_plan, read_plan
from csp_dash.plan.model import COLUMNS
from csp_dash.priorities.agreed import AgreedItem, record_agreed_list


def _row(**kw) -> dict:
    row = dict.fromkeys(COLUMNS, "")
    row.update(kw)
    return row


PLAN = pd.DataFrame([
    _row(priority="Violence", objective="Reduce night-time violence",
         action="=Street pastors, Fri & Sat", owner="Kestrel Vale Council", lead="A. Officer",
         start="2025-04-01", due="2026-03-31", status="on track",
         measure_series="theme:Violence", measure_value="count", baseline_from="2023-04",
         baseline_to="2024-03", target_pct="-5", direction="down",
         progress_date="2025-06-30", progress="Two nights a week since May."),
    _row(priority="Violence", objective="Reduce night-time violence",
         action="Licensing visits", owner="Essex Police", status="at risk",
         measure_series="category:Robbery", measure_layer="estate", measure_area="EST001",
         measure_value="rate", baseline_from="2023-04", baseline_to="2024-03",
         direction="down"),
    _row(priority="Drugs", objective="Disrupt drug markets", action="Warrants",
         owner="Essex Police", status="not started", measure_series="category:Drugs",
         measure_value="harm", baseline_from="2023-04", baseline_to="2024-03",
         target_pct="10", direction="up"),
    _row(priority="Drugs", objective="Treatment referrals"),
], columns=COLUMNS)


@pytest.fixture
def agreed(engine):
    record_agreed_list(engine, 2025, [AgreedItem("Violence"), AgreedItem("Drugs")],
                       need_rationale=False)
    return engine


def _csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip(agreed, fmt):
    engine = agreed
    n = import_plan(engine, _csv(PLAN), "plan.csv")
    assert n == {"objectives": 3, "actions": 3, "measures": 3, "updates": 1}
    first = store.load_plan(engine)
    data = export_plan(first, fmt)
    again = read_plan(data, f"plan.{fmt}", engine)
    assert again == first
    import_plan(engine, data, f"plan.{fmt}")  # re-importing keeps the update, without a copy
    assert store.load_plan(engine) == first
    assert len(store.frames(engine)["updates"]) == 1
    a = first[0].actions[0]
    assert a.name == "=Street pastors, Fri & Sat"  # neutralised in the file, restored on read
    assert (a.start, a.due, a.progress_date) == (date(2025, 4, 1), date(2026, 3, 31),
                                                 date(2025, 6, 30))
    m = first[0].measures[1]
    assert (m.layer, m.area, m.value, m.target_pct) == ("estate", "EST001", "rate", None)
    assert first[1].measures[0].target_pct == 10.0


@pytest.mark.parametrize(("change", "row", "problem"), [
    ({"status": "fine"}, 2, "status 'fine' must be one of"),
    ({"measure_series": "crime:Robbery"}, 2, "must be category:NAME, theme:NAME or dataset:NAME"),
    ({"baseline_from": "April 2023"}, 2, "baseline_from 'April 2023' is not a month"),
    ({"target_pct": "minus five"}, 2, "target_pct 'minus five' is not a number"),
    ({"direction": "sideways"}, 2, "direction 'sideways' must be down or up"),
    ({"priority": "Hate crime"}, 2, "priority 'Hate crime' is not on the 2025 agreed list"),
    ({"measure_series": "theme:Violnce"}, 2, "'Violnce' is not a theme"),
    ({"due": "2020-01-01", "start": "2021-01-01"}, 2, "is due before it starts"),
])
def test_malformed_plan_refused_with_row_and_problem(agreed, change, row, problem):
    engine = agreed
    import_plan(engine, _csv(PLAN), "plan.csv")
    before = store.frames(engine)
    bad = PLAN.copy()
    for col, value in change.items():
        bad.loc[row - 1, col] = value
    with pytest.raises(IngestError) as err:
        import_plan(engine, _csv(bad), "bad.csv")
    assert err.value.row == row and problem in err.value.problem
    assert str(err.value).startswith(f"bad.csv, row {row} (line {row + 1}):")
    after = store.frames(engine)  # nothing half-imported: the old plan stands whole
    for name in ("objectives", "actions", "measures", "updates"):
        pd.testing.assert_frame_equal(before[name], after[name])


def test_missing_columns_and_unreadable_files_refused(agreed):
    with pytest.raises(IngestError, match="needs the column\\(s\\) direction"):
        import_plan(agreed, _csv(PLAN.drop(columns=["direction"])), "plan.csv")
    with pytest.raises(IngestError, match="cannot be read as a XLSX"):
        import_plan(agreed, b"not a workbook", "plan.xlsx")
    with pytest.raises(IngestError, match="given twice with different details"):
        dup = pd.concat([PLAN, PLAN.iloc[[1]].assign(owner="Someone else")])
        import_plan(agreed, _csv(dup), "plan.csv")
    assert store.frames(agreed)["objectives"].empty


def test_a_failing_write_leaves_the_old_plan(agreed, monkeypatch):
    """The store's replace is one transaction: a failure after the deletes rolls them back."""
    import_plan(agreed, _csv(PLAN), "plan.csv")
    before = store.load_plan(agreed)
    plan = read_plan(_csv(PLAN), "plan.csv", agreed)
    broken = plan + [type(plan[0])("Drugs", None)]  # a NULL objective name fails the insert
    with pytest.raises(Exception):  # noqa: B017 - whichever error the engine raises
        store.replace_plan(agreed, broken)
    assert store.load_plan(agreed) == before


def test_progress_updates_checked_against_role_and_organisation(agreed):
    import_plan(agreed, _csv(PLAN), "plan.csv")
    acts = store.frames(agreed)["actions"].set_index("name")["action_id"]
    police = int(acts["Licensing visits"])
    with pytest.raises(PermissionError):
        store.add_update(agreed, police, status="on track", comment="x", role="partner",
                         org="Kestrel Vale Council")
    with pytest.raises(PermissionError):
        store.add_update(agreed, police, status="on track", comment="x", role="public", org=None)
    store.add_update(agreed, police, status="off track", comment="Visits stopped.",
                     role="partner", org="essex police", update_date=date(2025, 7, 1))
    a = store.frames(agreed)["actions"].set_index("name").loc["Licensing visits"]
    assert (a["status"], a["progress"], a["progress_date"]) == (
        "off track", "Visits stopped.", date(2025, 7, 1))


def test_calendar_entries_are_declared_events(engine):
    eid = calendar.add_entry(engine, "ASB Awareness Week", "campaign", date(2025, 6, 30),
                             date(2025, 7, 6), scope="Anti-social behaviour", owner="Council")
    ev = list_events(engine, ["Anti-social behaviour"])
    assert list(ev["label"]) == ["ASB Awareness Week"] and list(ev["kind"]) == ["campaign"]
    assert ev["month"].iloc[0] == pd.Timestamp("2025-06-01")
    cal = calendar.list_entries(engine)
    assert (cal["start"].iloc[0], cal["end"].iloc[0]) == (date(2025, 6, 30), date(2025, 7, 6))
    with pytest.raises(ValueError, match="ends before it starts"):
        calendar.add_entry(engine, "Bad", "order", date(2025, 6, 30), date(2025, 6, 1))
    calendar.delete_entry(engine, eid)
    assert list_events(engine).empty and calendar.list_entries(engine).empty
