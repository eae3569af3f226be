"""The one-page summary of a closed workshop: agreed list, movement, risk matrix, scoring."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine

from csp_dash import export
from csp_dash.analysis.scoring import ScoringModel
from csp_dash.priorities.agreed import agreed_list, year_on_year
from csp_dash.priorities.charts import risk_matrix
from csp_dash.priorities.workshop.results import WorkshopResults, ranking_table
from csp_dash.priorities.workshop.sessions import proposals_of
from csp_dash.priorities.workshop.summary import summary_html, summary_markdown

SCORED_COLUMNS = (
    "Rank",
    "Candidate priority",
    "Partners scored",
    "Priority score (0-1)",
    "Risk",
    "Public concern",
    "Position",
)


@dataclass(frozen=True)
class OnePage:
    title: str
    subtitle: str
    moves: pd.DataFrame  # priority_agreed.year_on_year
    scored: pd.DataFrame  # the top of the live ranking, in words
    placed: pd.DataFrame  # the ranking with volume_count, for the risk matrix
    model: ScoringModel
    notes: list[str]


def ranking_with_volume(engine: Engine, res: WorkshopResults) -> pd.DataFrame:
    """The live ranking plus the frozen count behind each candidate's volume (bubble size)."""
    props = proposals_of(engine, res.workshop.workshop_id)
    vol = props[props["dimension"] == "volume"].set_index("candidate_id")["volume"]
    return res.ranking.assign(volume_count=vol.reindex(res.ranking.index).to_numpy())


def _notes(res: WorkshopResults) -> list[str]:
    m = res.workshop.model
    notes = [
        "Risk = harm x likelihood; priority = weighted sum of risk, public concern and the "
        f"partnership's position, each rescaled to 0-1 (weights {m.w_risk:g} / {m.w_concern:g} / "
        f"{m.w_position:g}; position direction {m.position_direction}). Partners' scores: the "
        f"median of each participant's latest submission ({res.n_participants} participants).",
    ]
    if res.workshop.evidence_note:
        notes.append(f"Evidence: {res.workshop.evidence_note}")
    notes.append(f"Produced by CSP Dash on {datetime.now():%d %B %Y}.")
    return notes


def one_page(engine: Engine, res: WorkshopResults, top: int = 8) -> OnePage | None:
    """Everything the summary shows; None until the year's agreed list is recorded."""
    ws = res.workshop
    agreed = agreed_list(engine, ws.year)
    if agreed.empty:
        return None
    scored = ranking_table(res).head(top)
    scored = scored.loc[:, [c for c in SCORED_COLUMNS if c in scored]]
    n = res.n_participants
    subtitle = (
        f"{ws.title}: {n} partner{'' if n == 1 else 's'} scored; agreed "
        f"{agreed['recorded_at'].max():%d %B %Y}."
    )
    return OnePage(
        f"Community safety priorities {ws.year}",
        subtitle,
        year_on_year(engine, ws.year),
        scored,
        ranking_with_volume(engine, res),
        ws.model,
        _notes(res),
    )


def one_page_html(page: OnePage) -> str:
    """Self-contained HTML with the risk matrix as inline SVG (renders the chart: ~1 s)."""
    chart = risk_matrix(page.placed, page.model, title="", width=430, height=250, compact=True)
    return summary_html(
        page.title,
        page.subtitle,
        page.moves,
        page.moves.attrs.get("last_year"),
        page.scored,
        export.chart_svg(chart),
        page.notes,
    )


def one_page_markdown(page: OnePage) -> str:
    return summary_markdown(page.title, page.subtitle, page.moves, page.notes)
