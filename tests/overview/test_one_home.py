"""One home for every figure: the same filter gives the same count, change and z on the
Overview, the trends year-on-year table, the hotspot table and the headline JSON; and on the
seven real Essex months no page, export or command claims a change across missing months."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from csp_dash.analysis.periods import comparison_window, window
from csp_dash.analysis.trends import NOT_COMPARABLE
from csp_dash.cli.commands import main as cli_main
from csp_dash.db import queries
from csp_dash.db.engine import make_engine
from csp_dash.hotspots.analysis import HotspotQuery, analyse
from csp_dash.overview.comparison import compare_periods
from csp_dash.overview.headlines import build_headlines
from csp_dash.trends.queries import area_population, loaded_months
from csp_dash.trends.view import yoy_table


@pytest.fixture(scope="module")
def demo_engine(demo_db: str):
    eng = make_engine(demo_db)
    yield eng
    eng.dispose()


def test_one_filter_gives_one_figure_on_every_page(demo_engine):
    """Layer ward, the busiest ward, 12 months to Dec 2023: one figure per category."""
    eng = demo_engine
    loaded = loaded_months(eng)
    end = date(2023, 12, 1)  # both 12-month windows fully loaded (the demo's gap is 2024-03)
    current = window(end, 12)
    previous, _ = comparison_window(current)
    by_ward = queries.cube_counts(eng, layer="ward", by=("area",))
    code = by_ward.sort_values("count").iloc[-1]["area"]
    counts = queries.cube_counts(eng, layer="ward", by=("month", "category"), areas_in=[code])
    themes = queries.theme_table(eng)
    overview = compare_periods(counts, themes, end, loaded, 12).categories.set_index("category")
    trends = yoy_table(counts, themes, list(themes["category"]), current, previous,
                       area_population(eng, "ward", code), loaded)
    trends = trends[trends["level"] == "Category"].set_index("name")
    heads = build_headlines(eng, "ward", code, end)
    assert heads["comparable"] and heads["current_period"] == "2023-01 to 2023-12"
    headline = {i["category"]: i for i in heads["items"] if i["kind"] == "category"}
    assert headline, "the demo's busiest ward has significant risers or fallers"
    weights = pd.Series(1.0, index=themes["category"])
    for cat in themes["category"]:
        ov = overview.loc[cat]
        hot = analyse(eng, HotspotQuery("ward", (cat,), current), weights).table.loc[code]
        hot = hot.rename({"count": "current"})
        pages = [("trends", trends.loc[cat]), ("hotspots", hot)]
        if cat in headline:
            pages.append(("headline JSON", headline[cat]))
        for name, got in pages:
            assert (got["current"], got["previous"]) == (ov["current"], ov["previous"]), name
            assert got["change"] == ov["change"], (name, cat)
            assert got["z"] == pytest.approx(ov["z"], rel=1e-12), (name, cat)
            assert got["direction"] == ov["direction"], (name, cat)


def test_period_length_is_the_period_everywhere(demo_engine):
    """Three months compare with the same three months a year earlier, on every path."""
    eng = demo_engine
    end = date(2023, 12, 1)
    heads = build_headlines(eng, last_month=end, length=3)
    assert heads["current_period"] == "2023-10 to 2023-12"
    assert heads["previous_period"] == "2022-10 to 2022-12"
    raw = queries.cube_counts(eng, by=("month", "category"))
    crime = raw[raw["category"] != "Anti-social behaviour"]
    months = pd.to_datetime(crime["month"])
    now = crime[(months >= "2023-10-01") & (months <= "2023-12-01")]["count"].sum()
    before = crime[(months >= "2022-10-01") & (months <= "2022-12-01")]["count"].sum()
    assert heads["items"][0]["current"] == now and heads["items"][0]["previous"] == before


# ------------------------------------------------------------- Essex: seven months only


def _cli_json(capsys, *args: str):
    assert cli_main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_essex_cli_claims_no_change_across_missing_months(essex_loaded, capsys):
    heads = _cli_json(capsys, "headlines", "--db", essex_loaded, "--format", "json")
    assert heads["comparable"] is False and len(heads["missing_months"]) == 17
    for item in heads["items"]:
        assert item["change"] is None and item["z"] is None and item["pct"] is None
        assert item["direction"] == NOT_COMPARABLE and not item["significant"]
        assert "no comparison" in item["sentence"]
    assert not [i for i in heads["items"] if i["kind"] == "category"]  # no risers or fallers

    hot = _cli_json(capsys, "hotspots", "--db", essex_loaded, "--layer", "lsoa",
                    "--category", "Burglary", "--format", "json")
    assert hot["missing_months"]
    for row in hot["units"]:
        assert row.get("z") is None and row.get("change") is None
        assert row.get("direction") in (None, NOT_COMPARABLE)

    assert cli_main(["priorities", "--db", essex_loaded, "--format", "json"]) == 0
    ranked = json.loads(capsys.readouterr().out)
    trend_text = " ".join(str(v) for r in ranked for k, v in r.items() if "rend" in k)
    assert "vs 0" not in trend_text and "significant rise" not in trend_text


@pytest.mark.slow
def test_essex_pages_claim_no_change_across_missing_months(essex_loaded, monkeypatch):
    from tests.apptest_helpers import run_app

    monkeypatch.setenv("CSP_DASH_DB_URL", essex_loaded)
    for page in ("app_pages/overview.py", "app_pages/trends.py", "app_pages/hotspots.py",
                 "app_pages/priorities.py"):
        at = run_app(None if page.endswith("overview.py") else page)
        deltas = [m for m in at.metric if m.delta not in (None, "")]
        assert not deltas, (page, [(m.label, m.delta) for m in deltas])
        text = " ".join(e.value for e in [*at.markdown, *at.caption] if isinstance(e.value, str))
        for claim in ("significant increase", "significant decrease", "against none"):
            assert claim not in text, (page, claim)
        for df in at.dataframe:
            frame = df.value
            for col in ("Change", "Change %", "Poisson z", "change", "pct", "z"):
                if col in frame.columns:
                    values = pd.to_numeric(frame[col], errors="coerce")
                    assert values.isna().all(), (page, col)
            for col in frame.columns:
                if frame[col].dtype == object:
                    words = frame[col].astype(str)
                    assert not words.isin(["increase", "decrease", "significant increase",
                                           "significant decrease"]).any(), (page, col)
        assert np.all([not e.value for e in at.exception])
