"""How a page draws a chart (ui/charts.draw): the Vega-Lite Streamlit's own st.altair_chart
would send, made without switching Altair's process-wide data transformer and checked against
the schema only where config.check_charts() (the tests)."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import altair as alt
import jsonschema
import pandas as pd
import pytest
from streamlit.elements import vega_charts

from csp_dash import export
from csp_dash.analysis.spc import xmr
from csp_dash.ui import charts

ROOT = Path(__file__).resolve().parents[2]


def _frame(n: int = 30, level: float = 400.0) -> pd.DataFrame:
    months = pd.date_range("2022-04-01", periods=n, freq="MS")
    values = [level + (i % 7) * 3.0 for i in range(n)]
    return pd.DataFrame({"month": months, "value": values,
                         "rolling_12": pd.Series(values).rolling(12).sum().to_numpy()})


def _events() -> pd.DataFrame:
    return pd.DataFrame({"month": pd.to_datetime(["2022-09-01", "2023-06-01"]),
                         "label": ["Recording change", "Operation Nightjar"],
                         "kind": "recording change", "scope": "all"})


def _named_apart(spec: dict) -> tuple[str, list[bytes]]:
    """The spec with each dataset's name replaced by its place, and the datasets in order:
    the two converters name a table by different hashes of the same bytes."""
    datasets = spec.pop("datasets")
    text = json.dumps(spec, sort_keys=True)
    order = sorted(datasets, key=text.find)
    for i, name in enumerate(order):
        text = text.replace(name, f"table{i}")
    return text, [datasets[n] for n in order]


def _charts() -> list[alt.TopLevelMixin]:
    panels = charts.trend_panels(_frame(), "Crimes", events=_events())
    spc = charts.spc_chart(xmr(_frame()["value"].set_axis(_frame()["month"])), "Crimes", "SPC",
                           events=_events())
    return [*panels, spc, charts.stack(panels, "Trend", "Since April")]


@pytest.mark.parametrize("i", range(4))
def test_a_drawn_chart_is_what_streamlit_would_send(i):
    """Against Streamlit's own conversion (the reference): the same spec and the same Arrow
    bytes for every table."""
    ours = charts.vega_lite(_charts()[i])
    theirs = vega_charts._convert_altair_to_vega_lite_spec(_charts()[i])
    assert ours["datasets"], "no table was sent as Arrow"
    assert _named_apart(ours) == _named_apart(theirs)


def test_drawing_leaves_the_chart_and_other_conversions_alone():
    """The tables stay the chart's (its downloads render it later), and a conversion outside
    `vega_lite` (an export) still inlines its rows as Altair does."""
    panel = charts.trend_panels(_frame(), "Crimes")[0]
    charts.vega_lite(panel)
    assert isinstance(panel.data, pd.DataFrame)  # a layer's shared table sits on the layer
    inline = panel.to_dict()
    assert all(isinstance(rows, list) for rows in inline["datasets"].values())
    assert "<svg" in export.chart_svg(panel)


def test_sessions_drawing_at_once_keep_their_own_tables():
    """Streamlit runs each session on its own thread: a table converted on one thread never
    lands in another's chart."""
    errors: list[str] = []

    def draw_many(level: float) -> None:
        for _ in range(15):
            spec = charts.vega_lite(charts.trend_panels(_frame(level=level), "Crimes")[0])
            tables = spec.pop("datasets")
            names = set(re.findall(r'"name": "([0-9a-f]{32})"', json.dumps(spec)))
            if not names or names != set(tables):
                errors.append(f"level {level}: {names} against {set(tables)}")

    threads = [threading.Thread(target=draw_many, args=(lv,)) for lv in (100.0, 5000.0)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]


def test_the_tests_check_each_drawn_chart_against_the_schema(monkeypatch):
    bad = alt.Chart(_frame(), width="wide").mark_bar().encode(x="month:T", y="value:Q")
    assert charts.CHECK, "conftest sets CSP_DASH_CHECK_CHARTS=1"
    with pytest.raises(jsonschema.ValidationError, match="'wide' is an invalid value for .width."):
        charts.vega_lite(bad)
    monkeypatch.setattr(charts, "CHECK", False)  # a served app: drawn, not checked
    assert charts.vega_lite(bad)["width"] == "wide"


def test_no_page_draws_through_st_altair_chart():
    """st.altair_chart switches Altair's transformer for the whole process while it converts,
    which would send another session's tables into its chart (and back)."""
    found = [f"{p.relative_to(ROOT)}:{n}" for folder in ("csp_dash", "app_pages")
             for p in (ROOT / folder).rglob("*.py")
             for n, line in enumerate(p.read_text().splitlines(), 1)
             if re.search(r"\bst\.altair_chart\(", line)]
    found += [f"app.py:{n}" for n, line in enumerate((ROOT / "app.py").read_text().splitlines(), 1)
              if "st.altair_chart(" in line]
    assert not found, found


def test_a_stacked_chart_for_download_keeps_its_title_and_panels():
    panels = charts.trend_panels(_frame(), "Crimes", events=_events())
    spec = charts.stack(panels, "Crimes: all", "Since April").to_dict()
    assert spec["title"]["text"] == "Crimes: all" and spec["title"]["subtitle"] == "Since April"
    assert len(spec["vconcat"]) == 2 and spec["resolve"] == {"scale": {"x": "shared"}}
    svg = export.chart_svg(charts.stack(panels, "Crimes: all", "Since April"))
    assert "Crimes: all" in svg and "Operation Nightjar" in svg
