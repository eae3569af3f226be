"""Partner workshop: combine partners' scores, show spread and disagreement, rank live.

Submissions are long rows: participant, organisation, candidate, dimension, score,
comment, submitted_at. A submission is every row one participant sends for one
candidate at one time.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from csp_dash.analysis.scoring import HARM_DIMENSIONS, ScoringModel, score_candidates

SUBMISSION_COLUMNS = (
    "participant",
    "organisation",
    "candidate",
    "dimension",
    "score",
    "comment",
    "submitted_at",
)
AGGREGATE_COLUMNS = ("candidate", "dimension", "n", "median", "q1", "q3", "iqr", "min", "max")


# Where partners disagree enough to discuss in the room (docs/methods.md): the middle half of
# the scores spans 1.5 points or more, or the lowest and highest are 3 or more apart.
WIDE_IQR = 1.5
WIDE_RANGE = 3.0


def organisation_key(value: object) -> str:
    """One organisation however it was typed: "police", " Police ", "POLICE" are the same."""
    return " ".join(str(value or "").split()).casefold()


def latest_submissions(subs: pd.DataFrame) -> pd.DataFrame:
    """Keep each participant's latest submission per candidate.

    A re-submission replaces the whole earlier one for that candidate, so a
    dimension left out of the re-submission no longer counts. Within one
    submission, a dimension given twice keeps its last row.
    """
    missing = set(SUBMISSION_COLUMNS) - set(subs.columns)
    if missing:
        raise ValueError(f"submissions lack columns {sorted(missing)}")
    out = subs.loc[:, list(SUBMISSION_COLUMNS)].copy()
    out["submitted_at"] = pd.to_datetime(out["submitted_at"])
    out["score"] = pd.to_numeric(out["score"], errors="coerce")
    keys = ["participant", "candidate"]
    latest = out.groupby(keys)["submitted_at"].transform("max")
    out = out[out["submitted_at"] == latest]
    out = out.drop_duplicates(["participant", "candidate", "dimension"], keep="last")
    return out.sort_values(["candidate", "dimension", "participant"], kind="stable").reset_index(
        drop=True
    )


def aggregate(
    subs: pd.DataFrame, unit: Literal["participant", "organisation"] = "participant"
) -> pd.DataFrame:
    """Per candidate x dimension: n, median, q1, q3, iqr, min, max of partners' scores.

    Applies ``latest_submissions`` first; blank scores are left out. Quartiles use
    linear interpolation (numpy's default). With ``unit="organisation"`` each
    organisation's median counts once, so a large delegation cannot outvote others.
    """
    latest = latest_submissions(subs).dropna(subset=["score"])
    if unit == "organisation":
        latest = latest.assign(organisation=latest["organisation"].map(organisation_key))
        latest = latest.groupby(["candidate", "dimension", "organisation"], as_index=False)[
            "score"
        ].median()
    elif unit != "participant":
        raise ValueError("unit must be 'participant' or 'organisation'")
    grouped = latest.groupby(["candidate", "dimension"])["score"]
    agg = pd.DataFrame(
        {
            "n": grouped.size(),
            "median": grouped.median(),
            "q1": grouped.quantile(0.25),
            "q3": grouped.quantile(0.75),
            "min": grouped.min(),
            "max": grouped.max(),
        }
    )
    agg["iqr"] = agg["q3"] - agg["q1"]
    agg = agg.reset_index()
    agg["n"] = agg["n"].astype("int64")
    return agg.loc[:, list(AGGREGATE_COLUMNS)]


def disagreement(agg: pd.DataFrame, min_n: int = 2) -> pd.DataFrame:
    """Rows of ``aggregate`` ranked by where partners disagree most.

    Ordered by IQR, then range (max - min), both descending; rows scored by fewer
    than ``min_n`` partners are left out, since one score has no spread. ``wide`` marks
    the rows to discuss: IQR at least ``WIDE_IQR`` or range at least ``WIDE_RANGE``.
    """
    out = agg[agg["n"] >= min_n].copy()
    out["range"] = out["max"] - out["min"]
    out["wide"] = (out["iqr"] >= WIDE_IQR) | (out["range"] >= WIDE_RANGE)
    out = out.sort_values(
        ["iqr", "range", "candidate", "dimension"],
        ascending=[False, False, True, True],
        kind="stable",
    )
    return out.reset_index(drop=True)


def live_ranking(
    agg: pd.DataFrame,
    data_scores: pd.DataFrame | None,
    model: ScoringModel | None = None,
    prefer: Literal["partners", "data"] = "partners",
) -> pd.DataFrame:
    """Rank candidates from partners' median scores and the data-driven proposals.

    ``data_scores`` is wide: indexed by candidate, columns among the dimensions plus
    ``harm`` (the data-driven harm proposal, which stands in for each harm
    sub-score). Where both exist, ``prefer`` picks the source. Returns
    ``score_candidates`` output indexed by candidate, plus ``from_data`` naming the
    dimensions taken from the data.
    """
    if prefer not in ("partners", "data"):
        raise ValueError("prefer must be 'partners' or 'data'")
    partners = agg.pivot(index="candidate", columns="dimension", values="median")
    data = pd.DataFrame() if data_scores is None else data_scores.copy()
    if "harm" in data:
        for d in HARM_DIMENSIONS:
            if d not in data:
                data[d] = data["harm"]
        data = data.drop(columns="harm")
    candidates = partners.index.union(data.index)
    dims = partners.columns.union(data.columns)
    partners = partners.reindex(index=candidates, columns=dims).astype(float)
    data = data.reindex(index=candidates, columns=dims).astype(float)
    first, second = (partners, data) if prefer == "partners" else (data, partners)
    combined = first.combine_first(second)
    took_data = data.notna() & (partners.isna() | (prefer == "data"))
    combined.index.name = "candidate"
    ranked = score_candidates(combined, model)
    ranked["from_data"] = [
        ", ".join(took_data.columns[took_data.loc[c].to_numpy()]) for c in ranked.index
    ]
    return ranked


def movement(this_year: list[str], last_year: list[str]) -> pd.DataFrame:
    """Movement of the agreed priority list since last year.

    Both lists are in rank order (first = top). Status is ``new``, ``dropped``,
    ``up N``, ``down N`` or ``same``; ``change`` is last rank minus this rank
    (positive = moved up). Dropped priorities follow this year's, in last year's order.
    """
    for name, items in (("this_year", this_year), ("last_year", last_year)):
        if len(set(items)) != len(items):
            raise ValueError(f"{name} has duplicate priorities")
    last_rank = {c: i + 1 for i, c in enumerate(last_year)}
    rows = []
    for i, cand in enumerate(this_year, start=1):
        before = last_rank.get(cand)
        if before is None:
            rows.append((cand, i, None, None, "new"))
            continue
        change = before - i
        status = "same" if change == 0 else f"up {change}" if change > 0 else f"down {-change}"
        rows.append((cand, i, before, change, status))
    kept = set(this_year)
    rows += [(c, None, r, None, "dropped") for c, r in last_rank.items() if c not in kept]
    out = pd.DataFrame(rows, columns=["candidate", "rank", "last_rank", "change", "status"])
    for col in ("rank", "last_rank", "change"):
        out[col] = out[col].astype("Int64")
    return out


__all__ = [
    "AGGREGATE_COLUMNS",
    "WIDE_IQR",
    "WIDE_RANGE",
    "SUBMISSION_COLUMNS",
    "aggregate",
    "disagreement",
    "latest_submissions",
    "live_ranking",
    "movement",
    "organisation_key",
]
