"""Altair charts for the hotspot page (a few hundred aggregated rows each)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from csp_dash import palette
from csp_dash.ui.charts import month_axis
from csp_dash.ui.maps import CLASS_COLOURS

WIDTH = 640  # stretched on the page; fixed for PNG/SVG export
AREA = palette.OWN  # the area picked, as this partnership in comparisons
DISTRICT = palette.DISTRICT


def _title(text: str, subtitle: str = "") -> alt.TitleParams:
    return alt.TitleParams(text, subtitle=subtitle, anchor="start", fontSize=14)


def concentration_chart(
    curve: pd.DataFrame, label: str, unit_word: str, headline: str
) -> alt.LayerChart:
    """Cumulative share of crime against the share of units, busiest first, with the line of
    equality (crime spread evenly) for comparison."""
    data = curve.assign(
        pct_units=curve["share_of_units"] * 100, pct_crime=curve["cumulative"] * 100
    )
    x = alt.X(
        "pct_units:Q",
        title=f"Share of {unit_word}, busiest first (%)",
        scale=alt.Scale(domain=[0, 100]),
    )
    y = alt.Y(
        "pct_crime:Q", title="Cumulative share of crime (%)", scale=alt.Scale(domain=[0, 100])
    )
    line = (
        alt.Chart(data)
        .mark_line(color=AREA, strokeWidth=2.5)
        .encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("pct_units:Q", title=f"% of {unit_word}", format=".1f"),
                alt.Tooltip("pct_crime:Q", title="% of crime", format=".1f"),
            ],
        )
    )
    even = (
        alt.Chart(pd.DataFrame({"pct_units": [0, 100], "pct_crime": [0, 100]}))
        .mark_line(color=DISTRICT, strokeDash=[4, 4])
        .encode(x=x, y=y)
    )
    half = (
        alt.Chart(pd.DataFrame({"pct_crime": [50]}))
        .mark_rule(color=DISTRICT, strokeDash=[2, 2])
        .encode(y="pct_crime:Q")
    )
    return alt.layer(even, half, line).properties(
        width=WIDTH, height=320, title=_title("Crime concentration", headline)
    )


def class_chart(counts: pd.DataFrame, unit_word: str) -> alt.Chart:
    """Units per hotspot class (classes with none are left out)."""
    data = counts[(counts["cells"] > 0) & (counts["class"] != "no pattern")]
    domain = list(data["class"])
    colours = [palette.hex_of(CLASS_COLOURS[c]) for c in domain]
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "cells:Q", title=f"Number of {unit_word}", axis=alt.Axis(tickMinStep=1, format="d")
            ),
            y=alt.Y("class:N", sort=domain, title=None),
            color=alt.Color("class:N", scale=alt.Scale(domain=domain, range=colours), legend=None),
            tooltip=[
                "class:N",
                alt.Tooltip("cells:Q", title=unit_word),
                alt.Tooltip("share:Q", format=".1%"),
            ],
        )
        .properties(
            width=WIDTH,
            height=alt.Step(28),
            title=_title(f"Hotspot classes: {unit_word} other than 'no pattern'"),
        )
    )


def profile_trend(monthly: pd.DataFrame, measure: str, title: str) -> alt.Chart:
    """The area's monthly figure beside the district's (rate per 1,000, or counts)."""
    places = list(dict.fromkeys(monthly["place"]))
    colours = [AREA, DISTRICT][: len(places)]
    y_title = "Monthly rate per 1,000" if measure == "rate" else "Monthly count"
    return (
        alt.Chart(monthly)
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "month:T",
                title=None,
                axis=month_axis(monthly.loc[monthly[measure].notna(), "month"]),
            ),
            y=alt.Y(f"{measure}:Q", title=y_title),
            color=alt.Color(
                "place:N",
                scale=alt.Scale(domain=places, range=colours),
                legend=alt.Legend(orient="top", title=None),
            ),
            tooltip=[
                alt.Tooltip("month:T", format="%b %Y"),
                "place:N",
                alt.Tooltip("count:Q", format=",.0f"),
                alt.Tooltip("rate:Q", format=",.2f"),
            ],
        )
        .properties(width=WIDTH, height=260, title=_title(title))
    )
