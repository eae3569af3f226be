"""Charts that do not mislead a room, checked on the rendered SVG (vl-convert, as the PNG and
SVG downloads render): axes label only months with data, the rolling line starts at zero, SPC
charts scale to the data and limits, and event labels stay inside the plot."""

from __future__ import annotations

import re
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from PIL import ImageFont

from csp_dash import export, palette
from csp_dash.analysis.spc import xmr
from csp_dash.ui import charts

TEXT = re.compile(r"<text([^>]*)>([^<]*)</text>")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # vl-convert's sans-serif here


def _texts(svg: str) -> list[tuple[dict, str]]:
    out = []
    for attrs, body in TEXT.findall(svg):
        a = dict(re.findall(r'([\w-]+)="([^"]*)"', attrs))
        m = re.match(r"translate\(([-\d.e]+),([-\d.e]+)\)", a.get("transform", ""))
        if m:
            a["x"], a["y"] = float(m.group(1)), float(m.group(2))
        out.append((a, body.replace("&amp;", "&")))
    return out


def _month_labels(svg: str) -> list[pd.Timestamp]:
    got = []
    for _, body in _texts(svg):
        try:
            got.append(pd.Timestamp(datetime.strptime(body, "%b %Y")))
        except ValueError:
            pass
    return got


def _series(n: int = 30, level: float = 400.0, start: str = "2022-04-01") -> pd.Series:
    rng = np.random.default_rng(16)
    months = pd.date_range(start, periods=n, freq="MS")
    return pd.Series(level + rng.normal(0, level * 0.04, n), index=months)


def _trend_frame(s: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {"month": s.index, "value": s.to_numpy(), "rolling_12": s.rolling(12).sum().to_numpy()}
    )


def _events(months: list[str]) -> pd.DataFrame:
    labels = [f"A long declared event label number {i} that goes on and on" for i in range(9)]
    return pd.DataFrame(
        {
            "month": pd.to_datetime(months),
            "label": labels[: len(months)],
            "kind": "recording change",
            "scope": "all",
        }
    )


def test_axis_labels_only_months_with_data():
    s = _series()
    s.iloc[5:8] = np.nan  # three months not loaded
    frame = _trend_frame(s)
    _, chart = charts.trend_chart(frame, "Crimes", "Trend")
    labels = _month_labels(export.chart_svg(chart))
    with_data = set(s.dropna().index)
    assert labels, "no month labels found"
    assert set(labels) <= with_data, sorted(set(labels) - with_data)
    assert s.index[-1] in labels  # the latest month is always named


@pytest.mark.parametrize("kind", ["spc", "comparison", "stl_free"])
def test_other_month_axes_name_only_months_with_data(kind):
    s = _series(25)
    if kind == "spc":
        chart = charts.spc_chart(xmr(s), "Crimes", "SPC")
        months = set(s.index)
    elif kind == "comparison":
        ends = s.index[-6:]
        table = pd.DataFrame(
            {
                "area": ["This partnership: X"] * 6 + ["England and Wales"] * 6,
                "year_end": list(ends) * 2,
                "rate": np.r_[np.linspace(50, 55, 6), np.linspace(60, 58, 6)],
                "count": 1,
                "is_local": [True] * 6 + [False] * 6,
            }
        )
        chart = charts.comparison_chart(table, "rate", "Rates")
        months = set(ends)
    else:
        wide = pd.DataFrame({"Burglary": s, "Robbery": s / 4})
        chart = charts.category_lines(wide, "Crimes", "By category")
        months = set(s.index)
    labels = _month_labels(export.chart_svg(chart))
    assert labels and set(labels) <= months


def test_rolling_line_starts_at_zero():
    frame = _trend_frame(_series(36, level=1000.0))
    panels, chart = charts.trend_chart(frame, "Crimes", "Trend")
    line = panels[1].to_dict()["layer"][0]["encoding"]["y"]
    assert line["field"] == "rolling_12" and line["scale"]["zero"] is True
    # Rendered: the rolling panel's lowest axis label is 0 although the values are ~12,000.
    svg = export.chart_svg(panels[1])
    numbers = [
        float(b.replace(",", ""))
        for a, b in _texts(svg)
        if a.get("text-anchor") == "end" and re.fullmatch(r"[\d,]+", b)
    ]
    assert min(numbers) == 0


def test_spc_scales_to_the_data_and_limits_not_zero():
    s = _series(30, level=400.0)
    spc = xmr(s)
    svg = export.chart_svg(charts.spc_chart(spc, "Crimes", "SPC"))
    numbers = [
        float(b.replace(",", ""))
        for a, b in _texts(svg)
        if a.get("text-anchor") == "end" and re.fullmatch(r"[\d,.]+", b)
    ]
    low = min(spc["lcl"].min(), s.min())
    high = max(spc["ucl"].max(), s.max())
    assert min(numbers) > 0.5 * low  # not from zero
    assert min(numbers) <= low and max(numbers) >= high * 0.97  # limits and points inside
    spec = charts.spc_chart(spc, "Crimes", "SPC").to_dict()
    ys = [lay["encoding"]["y"] for lay in spec["layer"] if "y" in lay.get("encoding", {})]
    assert ys and all(y["scale"]["zero"] is False for y in ys)


def _event_texts(svg: str) -> list[tuple[dict, str]]:
    return [(a, b) for a, b in _texts(svg) if a.get("fill", "").upper() == palette.EVENT]


def _inside(svg: str, width: float) -> list[str]:
    """The event labels whose rendered extent leaves [0, width]."""
    font_cache: dict[float, ImageFont.FreeTypeFont] = {}
    bad = []
    for a, body in _event_texts(svg):
        size = float(a["font-size"].removesuffix("px"))
        font = font_cache.setdefault(size, ImageFont.truetype(FONT, size))
        w = font.getlength(body)
        left = a["x"] - (w if a.get("text-anchor") == "end" else 0)
        if left < 0 or left + w > width:
            bad.append(f"{body!r} spans {left:.0f}..{left + w:.0f} of {width}")
    return bad


@pytest.mark.parametrize("which", ["trend", "spc"])
def test_event_labels_stay_inside_the_plot(which):
    s = _series(24)
    # At the first month, the last month, the middle and two close together.
    at = [s.index[0], s.index[1], s.index[11], s.index[12], s.index[-1]]
    events = _events([str(m.date()) for m in at])
    if which == "trend":
        _, chart = charts.trend_chart(_trend_frame(s), "Crimes", "Trend", events=events)
        per_panel = 2
    else:
        chart = charts.spc_chart(xmr(s), "Crimes", "SPC", events=events)
        per_panel = 1
    svg = export.chart_svg(chart)
    texts = _event_texts(svg)
    assert len(texts) == len(events) * per_panel
    assert not _inside(svg, charts.WIDTH)
    # Close events sit on different lines.
    ys = {b[:37]: a["y"] for a, b in texts}  # labels are shortened with "…"
    assert ys[events["label"][0][:37]] != ys[events["label"][1][:37]]


def test_the_old_event_labels_would_leave_the_plot():
    """The check above can fail: a right-aligned label at the first month runs off the left."""
    svg = (
        '<text text-anchor="end" transform="translate(-3,2)" font-size="10px" '
        f'fill="{palette.EVENT}">A recording change</text>'
    )
    assert _inside(svg, charts.WIDTH)


def test_titles_use_accessible_text_colours():
    chart = charts.spc_chart(xmr(_series()), "Crimes", "SPC", subtitle="Since April")
    title = chart.to_dict()["title"]
    assert palette.contrast_ratio(title["subtitleColor"]) >= palette.MIN_TEXT_CONTRAST
    assert palette.contrast_ratio(title["color"]) >= palette.MIN_TEXT_CONTRAST


def test_charts_drawn_on_a_page_get_dark_axis_and_legend_text():
    # The charts' theme (ui/meeting/mode.py) sets them as each chart becomes Vega-Lite.
    config = charts.spc_chart(xmr(_series()), "Crimes", "SPC").to_dict()["config"]
    for part in ("axis", "legend"):
        for key in ("labelColor", "titleColor"):
            assert palette.contrast_ratio(config[part][key]) >= palette.MIN_TEXT_CONTRAST
    assert palette.contrast_ratio(config["title"]["subtitleColor"]) >= palette.MIN_TEXT_CONTRAST


def test_no_rolling_panel_without_twelve_months():
    """Seven months (the Essex extract): no rolling total exists, so no empty panel whose
    axis would read "0.000000"; with 36 months both panels are drawn."""
    short = _trend_frame(_series(7, level=1000.0))
    assert short["rolling_12"].isna().all()
    panels, chart = charts.trend_chart(short, "Crimes", "Trend")
    y_fields = [layer["encoding"]["y"].get("field") for panel in chart.to_dict()["vconcat"]
                for layer in panel["layer"] if "y" in layer.get("encoding", {})]
    assert len(panels) == 1 and "rolling_12" not in y_fields and "value" in y_fields
    panels, _ = charts.trend_chart(_trend_frame(_series(36, level=1000.0)), "Crimes", "Trend")
    assert len(panels) == 2
