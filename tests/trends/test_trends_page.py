"""AppTest page tests for Crime trends (on the synthetic demo), plus the shared download buttons."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from csp_dash import harm
from csp_dash.db.engine import make_engine
from csp_dash.db.schema import crimes, location_areas
from csp_dash.events import REBASING_KINDS, list_events
from csp_dash.trends.comparators import comparison_areas
from csp_dash.trends.queries import set_directions
from csp_dash.ui.text import md as text_md
from tests.apptest_helpers import metric, run_app

CURRENT = (date(2025, 10, 1), date(2026, 9, 1))  # the demo's latest 12 months
TILE = "Selected categories, Oct 2025 to Sep 2026"  # the tile names the months it covers


def _sql(url: str, sql: str, **params):
    eng = make_engine(url)
    with eng.connect() as conn:
        value = conn.execute(text(sql), params).scalar()
    eng.dispose()
    return value


def raw_count(
    url: str,
    first: date,
    last: date,
    categories: list[str] | None = None,
    layer: str | None = None,
    area: str | None = None,
) -> int:
    """Independent count from the raw crime rows (LSOA by the CSV code, other layers by point)."""
    c, la = crimes.c, location_areas.c
    stmt = select(func.count()).select_from(crimes).where(c.month.between(first, last))
    # The district's records: every demo LSOA is loaded, so every record with an LSOA code
    # (the demo's records with no location are in no area's figures).
    stmt = stmt.where(c.lsoa_code.is_not(None))
    if layer == "lsoa":
        stmt = stmt.where(c.lsoa_code == area)
    elif layer:
        stmt = stmt.join(location_areas, la.location_key == c.location_key).where(
            la.layer == layer, la.area_code == area
        )
    if categories:
        stmt = stmt.where(c.category.in_(categories))
    eng = make_engine(url)
    with eng.connect() as conn:
        n = conn.execute(stmt).scalar()
    eng.dispose()
    return int(n)


def shown_int(at, label: str) -> int:
    return int(metric(at, label).replace(",", ""))


def open_tab(at, tab: str):
    at.session_state["view"] = tab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame_with(at, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


@pytest.fixture
def own_db(own_demo: str) -> str:
    """A private copy of the demo, for tests that store edits."""
    return own_demo


@pytest.mark.parametrize("layer", ["lsoa", "ward", "estate", "district"])
def test_page_renders_for_each_layer_with_the_area_figures(app_env, layer):
    at = run_app("app_pages/trends.py")
    assert at.title[0].value == "Crime trends"
    at.sidebar.selectbox(key="f_layer").set_value(layer).run()
    at.sidebar.selectbox(key="f_area").select_index(1).run()
    assert not at.exception
    area = at.sidebar.selectbox(key="f_area").value
    assert shown_int(at, TILE) == raw_count(app_env, *CURRENT, layer=layer, area=area)
    for tab in ("Year on year", "SPC", "Harm"):
        open_tab(at, tab)


def test_category_filter_changes_count_and_household_rate(app_env):
    at = run_app("app_pages/trends.py")
    everything = shown_int(at, TILE)
    assert everything == raw_count(app_env, *CURRENT)
    at.sidebar.multiselect(key="f_cats").set_value(["Burglary"]).run()
    burglary = raw_count(app_env, *CURRENT, categories=["Burglary"])
    assert shown_int(at, TILE) == burglary != everything
    households = _sql(app_env, "SELECT sum(households) FROM areas WHERE layer = 'lsoa'")
    assert float(metric(at, "Rate per 1,000 households")) == pytest.approx(
        burglary / households * 1000, abs=0.005
    )


def test_every_tab_renders_over_five_years(app_env):
    at = run_app("app_pages/trends.py")
    at.sidebar.selectbox(key="f_len").set_value(60).run()
    assert any("Mar 2024" in w.value for w in at.warning)  # the demo's gap month
    for tab in ("Year on year", "SPC", "Seasonal", "Harm", "Comparison"):
        open_tab(at, tab)
    open_tab(at, "Seasonal")
    at.checkbox(key="stl_fill").check().run()
    assert float(metric(at, "Strength of seasonality")) > 0.5  # the demo is seasonal
    at.session_state["measure"] = "Rate"
    open_tab(at, "Trend")
    # The title is shown as text: its category names may be a partner dataset's own.
    title = "Rate per 1,000 residents: 14 categories"
    assert any(m.value == f"**{text_md(title)}**" for m in at.markdown)
    monthly = frame_with(at, "Rolling 12-month total")
    residents = _sql(app_env, "SELECT sum(population) FROM areas WHERE layer = 'lsoa'")
    last = raw_count(app_env, date(2026, 9, 1), date(2026, 9, 1))
    assert monthly["Rate per 1,000 residents"].iloc[-1] == pytest.approx(last / residents * 1000)


def test_year_on_year_table_matches_raw_rows(app_env):
    at = run_app("app_pages/trends.py")
    open_tab(at, "Year on year")
    table = frame_with(at, "Poisson z").set_index("Name")
    now = raw_count(app_env, *CURRENT, categories=["Robbery"])
    before = raw_count(app_env, date(2024, 10, 1), date(2025, 9, 1), categories=["Robbery"])
    assert table.loc["Robbery", "Current"] == now and table.loc["Robbery", "Previous"] == before
    assert table.loc["Robbery", "Poisson z"] == pytest.approx(2 * (now**0.5 - before**0.5))


def test_spc_rebases_only_when_ticked(app_env):
    at = run_app("app_pages/trends.py")
    at.sidebar.selectbox(key="f_len").set_value(60).run()
    at.sidebar.multiselect(key="f_cats").set_value(["Shoplifting"]).run()
    open_tab(at, "SPC")
    spc = frame_with(at, "ucl")
    assert spc["segment"].nunique() == 1
    assert spc["variation"].iloc[-1] == "concern"  # the demo's shoplifting step, down is better
    at.checkbox(key="spc_rebase").check().run()
    spc = frame_with(at, "ucl")
    events = list_events(make_engine(app_env), ["Shoplifting"])
    event = events[events["kind"].isin(REBASING_KINDS)]["month"].iloc[0]  # not campaign dates
    assert spc.loc[spc["segment"] == 1, "month"].iloc[0] == f"{event:%Y-%m}"
    # Each segment's mean is the mean of its own points.
    first = spc[spc["segment"] == 0]
    assert first["mean"].iloc[0] == pytest.approx(first["value"].mean())


def test_stored_direction_recolours_the_spc(own_db):
    eng = make_engine(own_db)
    set_directions(eng, {"Acquisitive crime": "up"})
    eng.dispose()
    at = run_app("app_pages/trends.py")
    at.sidebar.selectbox(key="f_len").set_value(60).run()
    at.sidebar.multiselect(key="f_cats").set_value(["Shoplifting"]).run()
    open_tab(at, "SPC")
    assert frame_with(at, "ucl")["variation"].iloc[-1] == "improvement"


def test_event_added_on_the_page_is_stored(own_db):
    at = run_app("app_pages/trends.py")
    open_tab(at, "SPC")
    at.text_input(key="ev_label").input("Crime recording audit")
    at.selectbox(key="ev_kind").set_value("note")
    next(b for b in at.button if b.label == "Add event").click().run()
    assert not at.exception
    stored = list_events(make_engine(own_db))
    assert "Crime recording audit" in set(stored["label"])
    assert frame_with(at, "event_id")["label"].isin(["Crime recording audit"]).any()


def test_harm_ranking_uses_stored_weights(own_db):
    eng = make_engine(own_db)
    harm.set_weights(eng, "css", {"Drugs": 5000.0})
    eng.dispose()
    at = run_app("app_pages/trends.py")
    open_tab(at, "Harm")
    table = frame_with(at, "Harm rank").set_index("Category")
    drugs = raw_count(own_db, *CURRENT, categories=["Drugs"])
    assert table.loc["Drugs", "Weight"] == 5000.0
    assert table.loc["Drugs", "Harm"] == pytest.approx(drugs * 5000.0, abs=0.5)
    # Burglary keeps the shipped CSS weight, read straight from the sourced CSV.
    ref = pd.read_csv(Path(harm.__file__).parent / "data" / "harm_weights.csv")
    w = float(ref.set_index("category").loc["Burglary", "css_weight"])
    burglary = raw_count(own_db, *CURRENT, categories=["Burglary"])
    assert table.loc["Burglary", "Harm"] == pytest.approx(burglary * w, abs=0.5)
    assert table.loc["Drugs", "Harm rank"] == 1


def test_comparison_rate_matches_the_imported_csv(app_env):
    at = run_app("app_pages/trends.py")
    at.sidebar.multiselect(key="f_cats").set_value(["Burglary", "Robbery"]).run()
    open_tab(at, "Comparison")
    table = frame_with(at, "Rate per 1,000")
    row = table[
        (table["Area"] == "England and Wales (synthetic)") & (table["Period"] == "Latest 12 months")
    ].iloc[0]
    csv = next(Path(app_env.removeprefix("duckdb:///")).parent.glob("files/comparison/england*"))
    ew = pd.read_csv(csv)
    inside = ew[
        ew["category"].isin(["Burglary", "Robbery"]) & ew["period"].between("2025-10", "2026-09")
    ]
    latest_pop = ew.loc[ew["period"] == "2026-09", "population"].iloc[0]
    assert row["Count"] == inside["count"].sum()
    assert row["Rate per 1,000"] == pytest.approx(inside["count"].sum() / latest_pop * 1000)


def test_downloads_neutralise_and_render(monkeypatch):
    from csp_dash.ui import downloads

    captured: dict[str, object] = {}
    monkeypatch.setattr(
        downloads.st,
        "download_button",
        lambda label, data, **kw: captured.__setitem__(label, (data, kw)),
    )
    df = pd.DataFrame({"label": ["=1+1", "Audit"], "count": [-3, 4]})
    downloads.table_downloads(df, "Events: test", stamp=["Harm weights: x"])
    csv_bytes = captured["CSV"][0]()
    assert captured["CSV"][1]["file_name"] == "events-test.csv"
    lines = csv_bytes.decode("utf-8-sig").splitlines()
    assert lines[0] == "# Harm weights: x" and lines[2] == "'=1+1,-3"
    ws = load_workbook(io.BytesIO(captured["XLSX"][0]())).active
    assert ws["A3"].value == "'=1+1" and ws["A3"].data_type == "s" and ws["B3"].value == -3
    chart = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_point().encode(x="x:Q")
    downloads.chart_downloads(chart, "A chart")
    assert captured["PNG"][0]()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in captured["SVG"][0]()
    # A chart made only when a button is clicked (the trend's stacked panels): made then.
    made: list[int] = []
    downloads.chart_downloads(lambda: made.append(1) or chart, "A later chart")
    assert not made
    assert "<svg" in captured["SVG"][0]() and made == [1]


def test_overview_opens_with_linked_headlines(app_env):
    import html
    import re

    from csp_dash.overview.headlines import build_headlines

    at = run_app()
    # Drawn as escaped HTML so each link opens in the same tab (ui/trends/headlines.py).
    block = next(e.proto.body for e in at.get("html")
                 if "All crime (excluding anti-social" in e.proto.body)
    eng = make_engine(app_env)
    expected = build_headlines(eng)["items"]
    eng.dispose()
    lines = re.findall(r"<li>.*?</li>", block)
    assert len(lines) == len(expected)
    for line, item in zip(lines, expected, strict=True):
        assert 'href="trends?' in line and 'target="_self"' in line
        assert f">{html.escape(item['sentence'])}</a>" in line
    assert "cats=Shoplifting" in next(x for x in lines if "Shoplifting rose" in x)


def test_demo_ships_national_table_and_three_peers(demo_db):
    eng = make_engine(demo_db)
    areas = comparison_areas(eng)
    events = list_events(eng)
    eng.dispose()
    assert len(areas) == 4 and areas["has_population"].all()
    assert sum("synthetic peer" in a for a in areas["area"]) == 3
    assert "England and Wales (synthetic)" in set(areas["area"])
    assert (events["scope"] == "Shoplifting").sum() == 1
