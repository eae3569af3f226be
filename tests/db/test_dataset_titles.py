"""Partner datasets by title (what pages, exports and the report call them), on both engines."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import insert

from csp_dash.db.partner_queries import dataset_titles, titles_of
from csp_dash.db.schema_partner import partner_datasets


def test_titles_of_names_theme_and_unit_and_tells_twins_apart() -> None:
    table = pd.DataFrame({
        "dataset": ["da_referrals", "police_da", "fire_a", "fire_b"],
        "theme": ["Domestic abuse", "Domestic abuse", "Fire", "Fire"],
        "unit": ["referrals", "records", "records", "records"],
    })
    assert titles_of(table) == {
        "da_referrals": "Domestic abuse referrals",
        "police_da": "Domestic abuse records",
        "fire_a": "Fire records (fire a)",
        "fire_b": "Fire records (fire b)",
    }


def test_dataset_titles_read_the_registry(engine) -> None:
    now = dt.datetime(2026, 1, 1)
    with engine.begin() as conn:
        conn.execute(insert(partner_datasets), [
            {"dataset": "da_referrals", "theme": "Domestic abuse", "unit": "referrals",
             "mapping": "{}", "updated_at": now},
            {"dataset": "hate_incidents", "theme": "hate", "unit": "records",
             "mapping": "{}", "updated_at": now},
        ])
    titles = dataset_titles(engine)
    assert titles == {"da_referrals": "Domestic abuse referrals", "hate_incidents": "Hate records"}
    assert not any("_" in t for t in titles.values())
