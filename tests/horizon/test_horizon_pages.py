"""AppTest for the Forecast tab and the Crime series page, run as small scripts on the demo
(the lead wires them into the Crime trends page and the navigation)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.horizon.test_horizon import horizon_demo  # noqa: F401  (the module fixture)


def _forecast_script(url: str, layer: str, area: str | None, categories: list[str]) -> None:
    from csp_dash.ui.horizon.forecast_tab import forecast_tab

    forecast_tab(url, layer, area, "the demo district", categories, ["Acquisitive crime"])


def _series_script(url: str) -> None:
    from csp_dash.ui.horizon.crime_series import crime_series_page

    crime_series_page(url)


def _run(func, *args) -> AppTest:
    at = AppTest.from_function(func, args=args, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_forecast_tab_shows_method_reason_gap_and_fan(horizon_demo):  # noqa: F811
    at = _run(_forecast_script, horizon_demo, "all", None, ["Burglary", "Bicycle theft"])
    at.selectbox(key="forecast_series").select("Burglary").run()
    assert not at.exception
    said = " ".join(m.value for m in [*at.success, *at.warning])
    assert "is used" in said and "MASE" in said
    assert any("Mar 2024" in c.value for c in at.caption)  # the missing month, said out loud
    assert any("likely range if recent patterns continue" in c.value for c in at.caption)
    assert len(at.dataframe) >= 1 and len(at.dataframe[0].value) == 12


def test_forecast_tab_refuses_a_small_series(horizon_demo):  # noqa: F811
    at = _run(_forecast_script, horizon_demo, "all", None, ["Bicycle theft"])
    at.selectbox(key="forecast_series").select("Bicycle theft").run()
    assert any("not forecast" in w.value and "too small" in w.value for w in at.warning)


def test_crime_series_page_finds_the_planted_near_repeats(horizon_demo):  # noqa: F811
    at = _run(_series_script, horizon_demo)
    assert at.selectbox(key="nr_dataset").value == "crime_extract"
    at.selectbox(key="nr_perms").select(99).run()
    assert not at.exception
    assert any(s.value.startswith("Near repeat: after a residential burglary")
               for s in at.success)
    table = at.dataframe[0].value
    assert {"distance", "days", "ratio", "p", "significant"} <= set(table.columns)


def test_forecast_tab_for_a_small_ward_borrows_the_district_pattern(horizon_demo):  # noqa: F811
    from csp_dash.db.engine import make_engine
    from csp_dash.db.queries import area_options

    eng = make_engine(horizon_demo)
    ward = next(iter(area_options(eng, "ward")))
    eng.dispose()
    at = _run(_forecast_script, horizon_demo, "ward", ward, ["Burglary"])
    at.selectbox(key="forecast_series").select("Burglary").run()
    assert any("district's seasonal pattern" in i.value for i in at.info)
