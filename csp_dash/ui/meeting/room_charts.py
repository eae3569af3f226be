"""Charts in meeting mode, and the charts' theme (docs/architecture.md, "Meeting mode").

Apart from ui/meeting/mode.py so that a first page load, which draws no chart, does not import
Altair (about a fifth of its imports). ui/charts.py imports this module: whatever draws or
converts a chart has imported it, so the theme is registered before any conversion
(tests/ui/test_lazy_imports.py checks every UI module that imports Altair imports ui/charts).
"""

from __future__ import annotations

import altair as alt

from csp_dash import palette
from csp_dash.ui.meeting.mode import (
    AXIS_LABEL_PX,
    AXIS_TITLE_PX,
    ROOM_CHART_PX,
    TITLE_PX,
    presenting,
)

VIEW = {"continuousWidth": 300, "continuousHeight": 300}  # Altair's default theme


def room_sized(chart: alt.TopLevelMixin, panels: int = 1) -> alt.TopLevelMixin:
    """While presenting, a chart as tall as a slide allows (its share of it when the figure is
    drawn as ``panels`` charts); charts set their own height for the page, which a theme
    cannot override."""
    if not presenting():
        return chart
    return _tall(chart, ROOM_CHART_PX // max(panels, 1))


def _tall(chart, height: int):
    if isinstance(chart, alt.HConcatChart | alt.VConcatChart):
        out = chart.copy(deep=False)
        parts = "hconcat" if isinstance(chart, alt.HConcatChart) else "vconcat"
        each = height if parts == "hconcat" else height // max(len(getattr(chart, parts)), 1)
        setattr(out, parts, [_tall(c, each) for c in getattr(chart, parts)])
        return out
    if isinstance(chart, alt.LayerChart):
        out = chart.copy(deep=False)
        # A layer that sets its own height would disagree with the chart's: all get it.
        out.layer = [_tall(c, height) if _has_height(c) else c for c in chart.layer]
        return out.properties(height=height)
    if isinstance(chart, alt.Chart):
        return chart.properties(height=height)
    return chart  # a facet sizes its own panels


def _has_height(chart) -> bool:
    return chart.to_dict(validate=False).get("height") is not None


def theme() -> alt.theme.ThemeConfig:
    """The charts' theme: axis, legend and title text dark enough for WCAG AA (Streamlit's
    chart theme draws them #808495, 3.7:1 on white), and large while presenting. A theme
    is merged as the chart is turned into Vega-Lite, at no cost per chart."""
    text = {"labelColor": palette.AXIS_TEXT, "titleColor": palette.AXIS_TEXT}
    title = {"color": palette.TEXT, "subtitleColor": palette.MUTED_TEXT}
    config: dict = {"view": VIEW, "axis": dict(text), "legend": dict(text), "title": title}
    if presenting():
        config["axis"].update(labelFontSize=AXIS_LABEL_PX, titleFontSize=AXIS_TITLE_PX)
        config["legend"].update(labelFontSize=AXIS_LABEL_PX, titleFontSize=AXIS_TITLE_PX)
        config["title"].update(fontSize=TITLE_PX, subtitleFontSize=AXIS_LABEL_PX)
        config.update({
            # A y title at room size is longer than a panel is tall, and a fitted chart would
            # shrink its plot to nothing to hold it: written across, above the axis, instead.
            "axisY": {"titleAngle": 0, "titleAnchor": "end", "titleAlign": "left",
                      "titleBaseline": "bottom", "titleX": -60, "titleY": -8},
            "header": {"labelFontSize": AXIS_LABEL_PX, "titleFontSize": AXIS_TITLE_PX},
            "text": {"fontSize": AXIS_LABEL_PX},
        })
    return {"config": config}


# Registered once for the process; it reads the run's own mode, so sessions don't mix.
alt.theme.register("csp_dash", enable=True)(theme)
