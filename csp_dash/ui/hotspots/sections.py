"""Hotspot page sections: the ranked table, classes, concentration, estate profile, appendices."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from csp_dash import harm
from csp_dash.analysis.periods import label
from csp_dash.hotspots import appendix as hotspot_appendix
from csp_dash.hotspots.analysis import HotspotQuery, HotspotResult
from csp_dash.hotspots.appendix import NOT_FOR_PUBLIC, appendix_stamp
from csp_dash.ui import auth
from csp_dash.ui.downloads import (
    chart_downloads,
    screen_formats,
    table_downloads,
    table_with_downloads,
)
from csp_dash.ui.hotspots import charts as hotspot_charts
from csp_dash.ui.hotspots import data as hotspot_data
from csp_dash.vocab import sentence_start

_PCT = st.column_config.NumberColumn(format="%+.1f%%")
_Z = st.column_config.NumberColumn(format="%+.2f")
_APPENDIX_COLUMNS = {"Change %": _PCT, "Poisson z": _Z}
_P = st.column_config.NumberColumn(format="%.4f")
_RATE = st.column_config.NumberColumn(format="%.1f")
_WHOLE = st.column_config.NumberColumn(format="localized")


def _source(result: HotspotResult) -> list[str]:
    return [
        f"CSP Dash: {result.label}, {label(result.query.current)}; "
        f"source police.uk street-level crime (Open Government Licence v3.0)",
        f"Gi*: {result.weights_statement}; {result.gi_statement}",
    ]


def ranked_table(result: HotspotResult, harm_stamp: str) -> None:
    t = result.table.sort_values(["rank_count", "name"]).reset_index()
    word = result.unit_word
    cols = {
        "code": "Code",
        "name": "Name",
        "count": "Count",
        "rank_count": "Rank",
        "rate": f"Rate per 1,000 {result.rate_base}",
        "harm": "Harm",
        "previous": "Previous",
        "change": "Change",
        "pct": "Change %",
        "direction": "Change significance",
        "gi_z": "Gi* z",
        "p": "p",
        "p_fdr": "p (FDR)",
        "significance": "Gi* hotspot",
        "class": "Class over time",
        "imd_decile": "Deprivation decile",
    }
    if "imd_decile" not in t.columns:
        cols.pop("imd_decile")
    if not result.rate_base:
        cols.pop("rate")
    t["harm"] = t["harm"].round(1)
    shown = t[list(cols)].rename(columns=cols)
    st.markdown(f"**{sentence_start(word)} ranked by count** ({len(t):,}); hover the map for one.")
    table_with_downloads(
        shown,
        f"hotspots {result.label} {word} {label(result.query.current)}",
        stamp=[*_source(result), harm_stamp],
        key=f"dl_hs_rank_{result.query.unit}",
        height=360,
        column_config={
            "Change %": _PCT,
            "Gi* z": _Z,
            "p": _P,
            "p (FDR)": _P,
            cols.get("rate", "-"): _RATE,
            "Harm": _WHOLE,
        },
    )


def classes_section(result: HotspotResult) -> None:
    cr = result.classes
    if cr.counts is None:
        st.info(cr.note)
        return
    st.markdown(
        f"Each of the {result.unit_word} is tested with Gi* in every sub-period, then "
        f"classed by how often and how recently it was a significant hot or cold spot "
        f"(persistent: at least 80% of sub-periods; emerging: under 10% of the older ones "
        f"and at least 20% of the recent ones; former: the reverse; intermittent: at "
        f"least 10% overall). {cr.note}"
    )
    if (cr.counts.loc[cr.counts["class"] != "no pattern", "cells"] > 0).any():
        _chart(
            "class_chart",
            (cr.counts, result.unit_word),
            f"hotspot classes {result.label}",
            key=f"dl_hs_cls_{result.query.unit}",
        )
    else:
        st.info(f"None of the {result.unit_word} shows a pattern over the sub-periods.")
    shown = cr.counts.rename(
        columns={"class": "Class", "cells": sentence_start(result.unit_word), "share": "Share"}
    )
    table_with_downloads(
        shown,
        f"hotspot classes {result.label} {result.unit_word}",
        stamp=_source(result),
        key=f"dl_hs_clst_{result.query.unit}",
        column_config={"Share": st.column_config.NumberColumn(format="percent")},
    )


def concentration_section(result: HotspotResult) -> None:
    conc = result.concentration
    st.markdown(f"#### {conc.headline}")
    st.caption(
        "The law of crime concentration: a few places carry much of the crime. The "
        "dashed diagonal is crime spread evenly over every unit."
    )
    _chart(
        "concentration_chart",
        (conc.curve, result.label, result.unit_word, conc.headline),
        f"concentration {result.label} {result.unit_word}",
        key=f"dl_hs_conc_{result.query.unit}",
    )


def _fmt_pct(v: float) -> str:
    return "n/a" if pd.isna(v) else f"{v:+.1f}%"


def profile_section(
    url: str,
    q: HotspotQuery,
    result: HotspotResult,
    scheme: str,
    weights: tuple,
    default: str | None,
) -> None:
    names = result.table["name"].to_dict()
    codes = sorted(names, key=lambda c: (str(names[c]), c))
    if not codes:
        st.info("No areas to profile.")
        return
    if st.session_state.get("hs_area") not in codes:
        busiest = result.table["count"].idxmax()
        st.session_state["hs_area"] = default if default in codes else busiest
    word = result.unit_word[:-1] if result.unit_word.endswith("s") else "area"
    code = st.selectbox(
        f"Profile of the {word}", codes, key="hs_area", bind="query-params", format_func=lambda c: str(names[c])
    )
    prof = hotspot_data.profile(url, q, scheme, weights, code)
    s, a, d = prof.summary, prof.summary["area"], prof.summary["district"]
    n = s["n_areas"]
    c = st.columns(4)
    c[0].metric(
        f"{prof.name}: recorded",
        f"{a['count']:,}",
        delta=f"{_fmt_pct(a['pct'])} ({a['direction']})",
        delta_color="off",
        border=True,
        help=f"{a['previous']:,} in {label(result.previous)}; Poisson z = {a['z']:+.2f}",
    )
    rate = "n/a" if pd.isna(a["rate"]) else f"{a['rate']:,.1f}"
    drate = "n/a" if pd.isna(d["rate"]) else f"{d['rate']:,.1f}"
    c[1].metric(
        f"Rate per 1,000 {result.rate_base or 'residents'}",
        rate,
        border=True,
        help=f"{prof.district}: {drate}; rank {s['rank_rate'] or 'n/a'} of {n}",
    )
    c[2].metric(
        "Harm",
        f"{a['harm']:,.0f}",
        border=True,
        help=f"{harm.SCHEMES[scheme]}; rank {s['rank_harm']} of {n}",
    )
    c[3].metric(
        f"Rank by count (of {n})",
        f"{s['rank_count']}",
        border=True,
        help=f"Gi*: {s['significance']}; over time: {s['class'] or 'n/a'}",
    )
    share = "n/a" if pd.isna(s["share_of_district"]) else f"{s['share_of_district']:.1%}"
    ratio = "n/a" if pd.isna(s["rate_ratio"]) else f"{s['rate_ratio']:.2f} times"
    st.markdown(
        f"**Against {prof.district}:** {prof.name} holds {share} of the district's {result.label}; "
        f"its rate is {ratio} the district's. The district changed {_fmt_pct(d['pct'])} "
        f"({d['direction']}, z = {d['z']:+.2f}); {prof.name} {_fmt_pct(a['pct'])} "
        f"({a['direction']}, z = {a['z']:+.2f})."
    )
    measure = "rate" if prof.monthly["rate"].notna().any() else "count"
    _chart(
        "profile_trend",
        (prof.monthly, measure, f"{prof.name} and {prof.district}, by month"),
        f"profile trend {prof.name}",
        key="dl_hs_prof_trend",
    )
    cats = prof.categories.assign(harm=prof.categories["harm"].round(1)).rename(
        columns={
            "category": "Category",
            "theme": "Theme",
            "count": label(q.current),
            "previous": label(result.previous),
            "change": "Change",
            "pct": "Change %",
            "z": "Poisson z",
            "direction": "Significance",
            "harm": "Harm",
            "share": "Share",
            "rate": "Rate per 1,000",
            "district_count": f"{prof.district}: count",
            "district_rate": f"{prof.district}: rate per 1,000",
            "rate_ratio": "Rate ratio",
        }
    )
    table_with_downloads(
        cats,
        f"profile {prof.name} {label(q.current)}",
        stamp=[NOT_FOR_PUBLIC, *_source(result)],
        key="dl_hs_prof_cats",
        column_config={
            "Change %": _PCT,
            "Poisson z": _Z,
            "Harm": _WHOLE,
            "Share": st.column_config.NumberColumn(format="percent"),
            "Rate per 1,000": _RATE,
            "Rate ratio": _Z,
        },
    )


def appendix_section(
    url: str,
    q: HotspotQuery,
    result: HotspotResult,
    scheme: str,
    weights: tuple,
    categories: tuple[str, ...],
    harm_stamp: str,
) -> None:
    if not auth.allowed("view_appendices"):  # checked again: the tab is hidden from public
        st.info("The appendices are for partners: sign in to see them.")
        return
    auth.record_view("Hotspot appendices")
    one = result.unit_word[:-1] if result.unit_word.endswith("s") else result.unit_word
    st.warning(
        f"**{NOT_FOR_PUBLIC}.** Appendices by {one} are for partners only; every file carries "
        f"this marking.",
        icon=":material/lock:",
    )
    period = label(q.current)
    st.markdown(f"**Counts by {one} and category**, {period}")
    table_with_downloads(
        hotspot_data.count_matrix(url, q, scheme, weights, categories).rename(
            columns={"name": one[:1].upper() + one[1:]}
        ),
        f"counts by {one} and category {period}",
        stamp=appendix_stamp(result, f"Counts by {one} and category", harm_stamp),
        key="dl_hs_matrix",
        height=300,
    )
    titles = (f"Appendix: by {one} and category", f"Appendix: by category and {one}")
    st.markdown(
        f"**{titles[0]}** and **{titles[1]}**: counts for {period} and "
        f"{label(result.previous)}, the change with its Poisson significance, and rates."
    )
    show = st.toggle("Show the appendix tables on screen", key="hs_show_appendix",
                     bind="query-params")
    appendices = hotspot_data.appendices(url, q, scheme, weights, categories) if show else None
    for i, title in enumerate(titles):
        stamp = appendix_stamp(result, title, harm_stamp)
        if appendices is not None:  # the table on screen, its buttons under it
            st.markdown(f"**{title}**")
            table_with_downloads(appendices[i], f"{title} {period}", stamp=stamp,
                                 key=f"dl_hs_app{i}", height=300, column_config=_APPENDIX_COLUMNS)
            continue
        st.caption(title)
        # Built when clicked: a rerun never pays for thousands of rows it may not show.
        _lazy_downloads(
            lambda i=i: hotspot_appendix.appendix_tables(result, list(categories))[i],
            f"{title} {period}",
            stamp,
            f"dl_hs_app{i}",
        )


def _lazy_downloads(make, name: str, stamp: list[str], key: str) -> None:
    """CSV and XLSX buttons whose table is made only when clicked."""
    table_downloads(make, name, stamp=stamp, key=key, formats=screen_formats(_APPENDIX_COLUMNS))


@st.cache_data(ttl=600, show_spinner=False, max_entries=500)
def _spec(builder: str, *args) -> dict:
    """A chart's Vega-Lite spec, cached on its (small) inputs: building an altair chart and
    serialising it costs 10-20 ms a chart, on every rerun otherwise."""
    return getattr(hotspot_charts, builder)(*args).to_dict(validate=False)


class _Spec:
    """All that csp_dash.export needs of a chart to render PNG and SVG."""

    def __init__(self, spec: dict) -> None:
        self.spec = spec

    def to_json(self) -> str:
        return json.dumps(self.spec)


def _chart(builder: str, args: tuple, name: str, key: str) -> None:
    """Draw one of hotspot_charts' charts with PNG and SVG buttons."""
    spec = _spec(builder, *args)
    st.vega_lite_chart(spec=spec, width="stretch")
    chart_downloads(_Spec(spec), name, key=key)
