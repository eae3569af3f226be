"""Demo action plan: objectives, actions and measures under last year's agreed list, written as
the partnership's spreadsheet and loaded through the real plan import, with a few progress
updates and calendar entries. Statuses come from the demo's data. All synthetic."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine

from csp_dash.analysis.periods import shift
from csp_dash.demo.police import DemoFiles
from csp_dash.plan import calendar, store
from csp_dash.plan.io import import_plan
from csp_dash.plan.model import COLUMNS

PLAN_FILE = "action_plan.csv"
COUNCIL, POLICE, FIRE = "Kestrel Vale District Council", "Essex Police", "Essex Fire and Rescue"
HOUSING, YOS = "Vale Homes", "Youth Offending Service"
# priority, objective, actions (name, owner, lead, status), measures
# (series, layer, area, value, baseline: years before the latest 12 months, target %, direction)
PLAN = [
    ("Violence", "Reduce violence in the night-time economy",
     [("Street pastors and a safe haven on Friday and Saturday nights", COUNCIL,
       "Community Safety Manager", "on track"),
      ("Licensing visits to late-night premises", POLICE, "Licensing Sergeant", "at risk")],
     [("theme:Violence", "", "", "count", 2, -5, "down"),
      ("theme:Violence", "", "", "rate", 2, -5, "down")]),
    ("ASB and disorder", "Reduce anti-social behaviour on the estates",
     [("Estate walkabouts with residents", HOUSING, "Tenancy Services Lead", "on track"),
      ("Diversionary youth sessions in the summer holidays", YOS, "Youth Engagement Officer",
       "complete")],
     [("category:Anti-social behaviour", "", "", "count", 1, -5, "down"),
      ("category:Criminal damage and arson", "", "", "harm", 2, -5, "down")]),
    ("Drugs", "Disrupt open drug markets",
     [("Warrants and stop and search at known markets", POLICE, "Neighbourhood Inspector",
       "on track")],
     [("category:Drugs", "", "", "count", 2, 10, "up")]),
    ("County lines", "Safeguard children from exploitation",
     [("Exploitation training for taxi drivers and hotel staff", COUNCIL,
       "Safeguarding Lead", "not started"),
      ("Knife arches and weapon sweeps in the town centre", POLICE, "Neighbourhood Inspector",
       "off track")],
     [("category:Possession of weapons", "", "", "count", 2, 0, "down")]),
    ("Hate crime", "Increase confidence to report hate",
     [("Third-party reporting centres in libraries", COUNCIL, "Community Cohesion Officer",
       "on track")],
     [("dataset:hate_incidents", "", "", "count", 2, 5, "up")]),
]
CALENDAR = [  # label, kind, start (months before the last month, day), days, scope, owner
    ("ASB Awareness Week", "campaign", (3, 30), 6, "Anti-social behaviour", COUNCIL),
    ("Knife Crime Week (Operation Sceptre)", "operation", (4, 13), 6, "Possession of weapons",
     POLICE),
    ("Town centre public spaces protection order", "order", (10, 1), None, "all", COUNCIL),
]


def write_plan(files: DemoFiles) -> pd.DataFrame:
    """The plan spreadsheet: one row per action and measure, baselines before the latest year."""
    end = date.fromisoformat(files.months[-1] + "-01")
    rows = []
    for priority, objective, actions, measures in PLAN:
        for k in range(max(len(actions), len(measures))):
            row = dict.fromkeys(COLUMNS, "")
            row.update(priority=priority, objective=objective)
            if k < len(actions):
                name, owner, lead, status = actions[k]
                row.update(action=name, owner=owner, lead=lead, status=status,
                           start=shift(end, -8 - k).isoformat(), due=shift(end, 4 + k).isoformat())
            if k < len(measures):
                series, layer, area, value, years, target, direction = measures[k]
                row.update(measure_series=series, measure_layer=layer, measure_area=area,
                           measure_value=value, target_pct=target, direction=direction,
                           baseline_from=f"{shift(end, -12 * years - 11):%Y-%m}",
                           baseline_to=f"{shift(end, -12 * years):%Y-%m}")
            rows.append(row)
    df = pd.DataFrame(rows, columns=COLUMNS)
    df.to_csv(files.root / PLAN_FILE, index=False, lineterminator="\n")
    return df


def load(engine: Engine, files: DemoFiles) -> None:
    write_plan(files)
    import_plan(engine, files.root / PLAN_FILE)
    end = date.fromisoformat(files.months[-1] + "-01")
    acts = store.frames(engine)["actions"].set_index("name")["action_id"]
    if not len(store.frames(engine)["updates"]):
        for name, months, status, comment in (
            ("Licensing visits to late-night premises", 2, "at risk",
             "Two of five planned visits done; officers abstracted to the summer operation."),
            ("Diversionary youth sessions in the summer holidays", 1, "complete",
             "Six weeks of sessions run; 140 young people attended."),
            ("Knife arches and weapon sweeps in the town centre", 1, "off track",
             "Arch deployment postponed twice for want of staff."),
        ):
            store.add_update(engine, int(acts[name]), status=status, comment=comment,
                             role="analyst", org=None, update_date=shift(end, -months),
                             author="Demo analyst")
    have = set(calendar.list_entries(engine)["label"])
    for label, kind, (back, day), days, scope, owner in CALENDAR:
        if label in have:  # a rebuild must not repeat it
            continue
        start = shift(end, -back).replace(day=day)
        stop = (pd.Timestamp(start) + pd.Timedelta(days=days)).date() if days else None
        calendar.add_entry(engine, label, kind, start, stop, scope=scope, owner=owner)
