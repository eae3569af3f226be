"""The ranked list: risk matrix, ranked table with evidence, the formula and downloads."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import streamlit as st

from csp_dash import harm
from csp_dash.analysis.scoring import FORMULA_MARKDOWN, ScoringModel
from csp_dash.priorities.charts import MATRIX_COLUMNS, matrix_frame, risk_matrix
from csp_dash.priorities.table import dimension_table, display_table
from csp_dash.ui import charts as _charts  # noqa: F401  the charts' theme, before any spec
from csp_dash.ui.downloads import chart_downloads, table_with_downloads
from csp_dash.ui.text import md

TABLE_COLUMNS = {
    "Rank": st.column_config.NumberColumn(width="small"),
    "Priority score (0-1)": st.column_config.ProgressColumn(
        min_value=0.0, max_value=1.0, format="%.2f"
    ),
    "Risk (harm x likelihood)": st.column_config.NumberColumn(format="%.1f"),
    "Risk": st.column_config.NumberColumn(format="%.1f"),
    "Harm": st.column_config.NumberColumn(format="%.2f"),
    "Likelihood": st.column_config.NumberColumn(format="%.2f"),
    "Public concern": st.column_config.NumberColumn(format="%.2f"),
    "Position": st.column_config.NumberColumn(format="%.2f"),
    "Confidence": st.column_config.NumberColumn(format="%.1f"),
    "Count in the period": st.column_config.NumberColumn(format="localized"),
}


def formula(model: ScoringModel) -> None:
    """The scoring formula on screen, with the weights in force."""
    with st.expander("How the score is worked out", icon=":material/function:"):
        st.markdown(FORMULA_MARKDOWN)
        total = model.w_risk + model.w_concern + model.w_position
        st.markdown(
            f"**Weights in force:** risk {model.w_risk:g}, concern {model.w_concern:g}, "
            f"position {model.w_position:g} (shares {model.w_risk / total:.0%}, "
            f"{model.w_concern / total:.0%}, {model.w_position / total:.0%}); position "
            f"direction: **{model.position_direction}**."
        )


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def _matrix(rows: pd.DataFrame, model_json: str, title: str) -> tuple[alt.LayerChart, dict]:
    """The chart (for the image files) and its spec without the title (for the screen)."""
    chart = risk_matrix(rows, ScoringModel.from_dict(json.loads(model_json)), title=title)
    return chart, chart.properties(title="").to_dict()


def matrix_section(ranked, model: ScoringModel, title: str, key: str) -> None:
    """Draw the risk matrix with PNG/SVG buttons and name any candidate it cannot place."""
    rows = ranked.reset_index(drop=True).reindex(columns=MATRIX_COLUMNS)
    chart, spec = _matrix(rows, json.dumps(model.to_dict(), sort_keys=True), title)
    st.markdown(f"**{md(title)}**")
    st.vega_lite_chart(spec, width="stretch")
    _, unplaced = matrix_frame(ranked)
    st.caption(
        "Each bubble is a candidate: across, likelihood; up, harm; size, the count in the "
        "count in the period; colour, the partnership's position. Shading marks risk "
        "(harm x likelihood) in the lower quarter, the second quarter and the upper half "
        "of its range."
        + (
            f" Not placed (harm or likelihood not scored): {', '.join(unplaced)}."
            if unplaced
            else ""
        )
    )
    chart_downloads(chart, title, key=f"{key}_chart")


def stamp_lines(note: str, scheme: str, weights_line: str | None = None) -> list[str]:
    lines = ["Strategic Risk Assessment: candidate priorities (CSP Dash)", note]
    if weights_line:
        lines.append(weights_line)
    lines.append(f"Harm scheme: {harm.SCHEMES.get(scheme, scheme)}")
    return lines


def ranked_section(bundle: dict, scheme: str, stamp: list[str]) -> None:
    """The risk matrix and ranked table for the Priorities page."""
    ranked, model, props = bundle["ranked"], bundle["model"], bundle["proposals"]
    st.caption(props.note)
    if props.missing_months:
        st.warning(
            "No police data for "
            + ", ".join(f"{m:%b %Y}" for m in props.missing_months)
            + ": the volume and trend proposals rest on incomplete periods."
        )
    unscored = ranked[ranked["priority"].isna()]
    if not unscored.empty:
        st.info(
            "No priority score yet for " + ", ".join(unscored["name"]) + ": each needs harm, "
            "likelihood, concern and position. Score them on the **Scores** tab, or let "
            "partners score them at the workshop.",
            icon=":material/info:",
        )
    matrix_section(ranked, model, "Risk matrix", "pr")
    st.subheader("Ranked candidates, with the evidence behind each score")
    table = display_table(ranked)
    table_with_downloads(table, "priorities ranked", stamp=stamp, key="dl_pr_ranked",
                         column_config=TABLE_COLUMNS)
    with st.expander("Every dimension's score"):
        dims = dimension_table(ranked)
        table_with_downloads(dims, "priority dimension scores", stamp=stamp, key="dl_pr_dims")
    formula(model)
