"""The demo's partner data: loaded through the real ingest, with the story it should tell."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import String, Text, select

from csp_dash import events
from csp_dash.analysis.repeat import repeat_rate
from csp_dash.db import partner_queries
from csp_dash.db.engine import make_engine
from csp_dash.db.queries import cube_counts, month_range
from csp_dash.db.schema import metadata
from csp_dash.demo.partner import CHANGE_LABEL, SCOPE
from csp_dash.domestic_abuse.baseline import monthly_series


@pytest.fixture(scope="module")
def demo(demo_db):
    eng = make_engine(demo_db)
    yield eng
    eng.dispose()


def test_five_datasets_are_loaded_with_their_rejects(demo):
    t = partner_queries.dataset_table(demo).set_index("dataset")
    assert set(t.index) == {"police_da", "da_referrals", "hate_incidents", "fire_incidents",
                            "crime_extract"}
    assert t.loc["police_da", "rejected"] == 2 and t.loc["da_referrals", "rejected"] == 1
    assert t.loc["da_referrals", "unit"] == "referrals"
    assert partner_queries.flagged_datasets(demo) == ["police_da"]
    assert partner_queries.uses_demo_secret(demo, "police_da")


def test_the_recording_change_steps_the_level_up_and_is_declared(demo):
    base = events.get_baseline(demo, SCOPE)
    ev = events.list_events(demo, [SCOPE])
    change = ev.loc[ev["label"] == CHANGE_LABEL, "month"].iloc[0]
    assert pd.Timestamp(base.start) == change
    assert (pd.Timestamp(base.end) - change).days // 28 == 11  # a 12-month baselining year
    s = monthly_series(
        cube_counts(demo, by=("month",), source="police_da/domestic"),
        *month_range(demo, "police_da/domestic"),
    )
    before = s[(s.index < change) & (s.index >= change - pd.DateOffset(months=12))].mean()
    after = s[(s.index >= change) & (s.index < change + pd.DateOffset(months=12))].mean()
    assert after / before > 1.15
    # Seasonal: July above February in every full year.
    for year in (2022, 2023, 2025):
        assert s[f"{year}-07-01"] > s[f"{year}-02-01"]


def test_victim_keys_give_a_plausible_repeat_rate(demo):
    recs = partner_queries.victim_records(demo, "police_da")
    r = repeat_rate(recs, period=("2025-10-01", "2026-09-30"))
    assert 0.15 < r["repeat_rate"] < 0.40 and r["lookback_complete"]


def test_no_demo_victim_id_or_crime_reference_is_stored(demo):
    raw = pd.read_csv(
        next(p for p in _demo_files(demo) if p.name == "police_da.csv"),
        dtype=str,
        keep_default_na=False,
    )
    probes = {v.lower() for v in raw["Victim ID"].iloc[:50] if v} | {
        v.lower() for v in raw["Crime reference"].iloc[:50]
    }
    with demo.connect() as conn:
        for table in metadata.sorted_tables:
            cols = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not cols or table.name in ("crimes",):
                continue  # police.uk rows hold no partner data
            for values in conn.execute(select(*cols)):
                for v in values:
                    if v is not None:
                        low = str(v).lower()
                        assert not any(p in low for p in probes), table.name


def _demo_files(demo):
    from pathlib import Path

    url = demo.url.database
    return sorted((Path(url).parent / "files" / "partner").glob("*.csv"))
