"""The Forecast tab of the Crime trends page: a fan chart, the method and why, the table."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from csp_dash import config
from csp_dash.analysis.forecast import BORROWED, RANGE_WORDING, ForecastRefused
from csp_dash.horizon.figures import fan_chart
from csp_dash.horizon.series import forecast_for
from csp_dash.ui.cache import cached
from csp_dash.ui.downloads import chart_with_downloads, table_with_downloads
from csp_dash.ui.state import read_engine

TTL = config.cache_ttl()


@cached(ttl=TTL, show_spinner="Fitting forecasts and backtesting them ...")
def _forecast(url: str, kind: str, name: str, layer: str, area: str | None, horizon: int):
    """(forecast, series, refusal message): refusals are cached too, as a plain message."""
    args = {"category": name} if kind == "category" else {"theme": name}
    if area is None:  # every area of a layer adds up to the whole area
        layer = "all"
    try:
        fc, y = forecast_for(read_engine(url), layer=layer, area=area, horizon=horizon, **args)
    except (ForecastRefused, ValueError) as exc:
        return None, None, str(exc)
    return fc, y, None


def forecast_tab(url: str, layer: str, area: str | None, place: str,
                 categories: Sequence[str], themes: Sequence[str]) -> None:
    """Draw the tab for the page's area (``layer``/``area``) and its selected categories."""
    options = [f"Theme: {t}" for t in themes if t != "Unmapped"] + [f"{c}" for c in categories]
    if not options:
        st.info("Choose a category or theme in the sidebar to forecast it.")
        return
    c1, c2 = st.columns([3, 1])
    pick = c1.selectbox("Series to forecast", options, key="forecast_series", bind="query-params")
    horizon = c2.selectbox("Months ahead", [6, 12, 24], index=1, key="forecast_horizon", bind="query-params")
    kind, name = ("theme", pick.removeprefix("Theme: ")) if pick.startswith("Theme: ") \
        else ("category", pick)
    fc, y, refused = _forecast(url, kind, name, layer, area, int(horizon))
    if refused:
        st.warning(f"**{name}** in {place} is not forecast: {refused.rstrip('.')}.")
        return
    if fc.method == BORROWED:
        st.info(fc.reason)
    elif fc.mase and fc.method != "ETS":
        st.warning(fc.reason)
    else:
        st.success(fc.reason)
    if fc.estimated_months:
        shown = ", ".join(f"{m:%b %Y}" for m in fc.estimated_months)
        st.caption(f":material/warning: No data is loaded for {shown}. For fitting only, each "
                   "missing month was estimated as the mean of the same month a year before and "
                   "after; the chart shows it as a gap and the backtest does not score it.")
    chart = fan_chart(y, fc.table, f"{name}, {place}: the next {horizon} months")
    chart_with_downloads(chart, f"forecast_{name}", key="forecast_chart")
    st.caption(f"The shaded bands are the {RANGE_WORDING}: 8 in 10 months (dark) and 19 in 20 "
               "(light) should fall inside if nothing changes. They are not targets, and new "
               "initiatives, recording changes or events will move the figures.")
    table = fc.table[fc.table["chosen"]].drop(columns=["chosen"])
    shown = table.assign(month=table["month"].dt.strftime("%b %Y")).round(0)
    stamp = [f"CSP Dash forecast: {name}, {place}", fc.reason,
             "Source: police.uk street-level crime (Open Government Licence v3.0)"]
    table_with_downloads(table, f"forecast_{name}", stamp=stamp, shown=shown,
                         key="forecast_table")
    if fc.mase:
        st.caption("Backtest, one month ahead over the last 12 months (mean absolute scaled "
                   "error; below 1 beats last year's same month on the earlier data): "
                   + "; ".join(f"{k} {v:.2f}" for k, v in fc.mase.items()) + ".")
        naive = fc.table[fc.table["method"] != fc.method]
        if not naive.empty:
            with st.expander("The other method's forecast"):
                other = naive.drop(columns=["chosen"])
                table_with_downloads(other, f"forecast {name} by the other method", stamp=stamp,
                                     shown=other.assign(month=other["month"].dt.strftime("%b %Y"))
                                     .round(0), key="forecast_other_table")
