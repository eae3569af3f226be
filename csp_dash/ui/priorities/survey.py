"""Public concern: the consultation survey by theme and by estate, and the survey upload."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import streamlit as st

from csp_dash.analysis.scoring import ScoringModel
from csp_dash.db.queries import area_options, cube_layers
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.survey import ingest_survey, list_surveys
from csp_dash.priorities.concern import FEW_ANSWERS
from csp_dash.ui import auth
from csp_dash.ui import charts as _charts  # noqa: F401  the charts' theme, before any spec
from csp_dash.ui.downloads import chart_downloads, table_downloads, table_with_downloads
from csp_dash.ui.priorities.data import concern_tables
from csp_dash.ui.state import data_changed, engine
from csp_dash.vocab import layer_label


def survey_picker(url: str) -> str | None:
    """Choose the survey that feeds public concern (the newest by default)."""
    loaded = list_surveys(engine())
    if loaded.empty:
        return None
    ids = list(loaded["survey_id"])
    return st.selectbox(
        "Consultation survey",
        ids,
        key="pr_survey",
        help="Public concern is proposed from this survey's answers.",
    )


def _heatmap(by_area: pd.DataFrame, names: dict[str, str], title: str) -> alt.Chart:
    df = by_area.assign(
        area=by_area["area_code"].map(names).fillna(by_area["area_code"]),
        note=by_area["few"].map({True: "few answers", False: ""}),
    )
    return (
        alt.Chart(df)
        .mark_rect(stroke="white")
        .encode(
            x=alt.X("theme:N", title=None, axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("area:N", title=None, sort="ascending", axis=alt.Axis(labelOverlap=False)),
            color=alt.Color("score:Q", title="Concern", scale=alt.Scale(scheme="orangered")),
            opacity=alt.condition("datum.few", alt.value(0.45), alt.value(1.0)),
            tooltip=[
                "area:N",
                "theme:N",
                alt.Tooltip("mean:Q", format=".2f"),
                alt.Tooltip("score:Q", format=".2f"),
                "n:Q",
                "note:N",
            ],
        )
        .properties(title=title, height=alt.Step(20))
    )


@st.cache_data(ttl=600, show_spinner=False, max_entries=16)
def _heatmap_spec(by_area: pd.DataFrame, names: tuple, title: str) -> tuple[alt.Chart, dict]:
    """Build once per survey: altair's validation costs more than the rest of the page."""
    chart = _heatmap(by_area, dict(names), title)
    return chart, chart.to_dict()


def concern_section(url: str, survey_id: str | None, model: ScoringModel) -> None:
    """Concern by theme and by estate for the chosen survey."""
    if survey_id is None:
        st.info("No consultation survey loaded yet: upload one below.")
        return
    info = list_surveys(engine()).set_index("survey_id").loc[survey_id]
    kind = "rank (1 = most concern)" if info["kind"] == "rank" else "rating (higher = more concern)"
    st.caption(
        f"**{survey_id}**: {int(info['n_respondents']):,} respondents, answers as a {kind} "
        f"on {info['scale_min']:g}-{info['scale_max']:g}, rescaled onto the concern scale "
        f"{model.scale('concern')[0]:g}-{model.scale('concern')[1]:g}."
    )
    if info["unmatched_areas"]:
        st.caption(f"Areas not matched to the {info['layer']} layer: {info['unmatched_areas']}.")
    by_theme, by_area = concern_tables(url, survey_id, json.dumps(model.to_dict(), sort_keys=True))
    theme_table = (
        by_theme.reset_index()
        .rename(
            columns={
                "theme": "Theme",
                "score": "Concern score",
                "mean": "Mean answer",
                "n": "Answers",
                "evidence": "Evidence",
            }
        )
        .sort_values("Concern score", ascending=False)
    )
    st.subheader("By theme")
    stamp = [f"Public concern from the consultation survey '{survey_id}' (CSP Dash)"]
    table_with_downloads(
        theme_table,
        "public concern by theme",
        stamp=stamp,
        key="dl_concern_theme",
        column_config={
            "Concern score": st.column_config.NumberColumn(format="%.2f"),
            "Mean answer": st.column_config.NumberColumn(format="%.2f"),
        },
    )
    layer = info["layer"]
    if by_area.empty or not layer:
        return
    st.subheader(f"By {layer}")
    names = area_options(engine(), layer)
    chart, spec = _heatmap_spec(
        by_area, tuple(names.items()), f"Public concern by {layer} and theme"
    )
    st.vega_lite_chart(spec, width="stretch")
    st.caption(f"Paler cells rest on fewer than {FEW_ANSWERS} answers.")
    chart_downloads(chart, f"public concern by {layer}", key="dl_concern_chart")
    wide = (
        by_area.assign(area=by_area["area_code"].map(names))
        .pivot_table(index="area", columns="theme", values="score")
        .round(2)
        .reset_index()
    )
    table_downloads(wide, f"public concern by {layer}", stamp=stamp, key="dl_concern_area")


def survey_upload() -> None:
    """Upload a survey CSV and load it through the survey import."""
    auth.require("upload_data")
    with st.expander("Load a consultation survey", icon=":material/upload:"):
        st.caption(
            "A CSV with one row per respondent: their area (estate name or code) and a "
            "concern rating, or a rank, per theme in its own column. Or one row per "
            "answer with columns area, theme and concern."
        )
        up = st.file_uploader("Survey CSV", type=["csv"], key="sv_file")
        c1, c2, c3, c4 = st.columns(4)
        kind = c1.selectbox(
            "Answers are",
            ["rating", "rank"],
            key="sv_kind",
            format_func={
                "rating": "a rating (high = concern)",
                "rank": "a rank (1 = most concern)",
            }.get,
        )
        lo = c2.number_input(
            "Lowest answer", value=1.0, step=1.0, key="sv_lo", disabled=kind == "rank"
        )
        hi = c3.number_input(
            "Highest answer", value=5.0, step=1.0, key="sv_hi", disabled=kind == "rank"
        )
        layers = [x for x in cube_layers(engine()) if x != "all"]
        layer = c4.selectbox(
            "Respondents' areas are",
            layers,
            key="sv_layer",
            format_func=layer_label,
            index=layers.index("estate") if "estate" in layers else 0,
        )
        name = st.text_input(
            "Survey name",
            key="sv_name",
            placeholder="default: the file name, e.g. residents_survey_2026",
        )
        if up is None or not st.button("Load the survey", key="sv_load", type="primary"):
            return
        try:
            report = ingest_survey(
                engine(),
                up.getvalue(),
                file_name=up.name,
                survey_id=name or None,
                kind=kind,
                scale=None if kind == "rank" else (lo, hi),
                layer=layer,
            )
        except IngestError as exc:
            st.error(f"Refused: {exc}. Nothing was loaded.")
            return
        data_changed()
        st.success(
            f"Survey '{report.survey_id}' {report.status}: {report.respondents:,} "
            f"respondents, {report.answers:,} answers on {len(report.themes)} themes."
        )
        if report.unmatched_areas:
            st.warning("Areas not matched: " + ", ".join(report.unmatched_areas))
