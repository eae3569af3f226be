"""Data-driven score proposals for candidate priorities, each with the evidence behind it.

For a candidate linked to a data series (a theme, a police.uk category or a partner dataset):

- volume: its count in the period (the filters' length; 12 months by default), scored by percentile among the candidates;
- trend: the Poisson z of the period against its comparison period
  (``analysis.trends.year_on_year``);
- harm: its harm-weighted count (``csp_dash.harm``: count x weight per category), scored by
  percentile among the candidates; partner datasets carry no harm weights, so no proposal;
- concern: the consultation survey's mean concern for its theme (``priority_concern``).

Scoring itself is ``analysis.scoring``'s ``propose_*``; this module fetches the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from csp_dash import harm
from csp_dash.analysis.periods import comparison_window, window
from csp_dash.analysis.scoring import (
    HARM_DIMENSIONS,
    ScoringModel,
    propose_harm,
    propose_trend,
    propose_volume,
)
from csp_dash.analysis.trends import NOT_COMPARABLE, year_on_year
from csp_dash.db import queries
from csp_dash.db.cube import ALL_LAYER, POLICE
from csp_dash.db.schema import cube
from csp_dash.priorities.concern import concern_by_area, concern_by_theme, survey_info
from csp_dash.trends.queries import loaded_months

PROPOSED = ("volume", "trend", "harm", "concern")
FACT_COLUMNS = ["current", "previous", "change", "pct", "z", "harm_total"]


@dataclass(frozen=True)
class Proposals:
    """Proposals indexed by candidate_id.

    ``scores``: columns volume, trend, harm, concern plus the four harm sub-dimensions (the
    harm proposal on each sub-dimension's scale); ``evidence``: text for volume, trend, harm,
    concern; ``facts``: current, previous, change, pct, z, harm_total.
    """

    scores: pd.DataFrame
    evidence: pd.DataFrame
    facts: pd.DataFrame
    note: str
    missing_months: list[date] = field(default_factory=list)


def partner_datasets(engine: Engine) -> list[str]:
    """Partner datasets present in the cube (sources other than police.uk)."""
    with engine.connect() as conn:
        names = (
            conn.execute(
                select(cube.c.source)
                .distinct()
                .where(cube.c.source != POLICE)
                .order_by(cube.c.source)
            )
            .scalars()
            .all()
        )
    return list(names)


def _window_text(window: tuple[date, date]) -> str:
    return f"{window[0]:%b %Y} to {window[1]:%b %Y}"


def series_counts(
    engine: Engine,
    candidates: pd.DataFrame,
    start: date,
    end: date,
    layer: str = ALL_LAYER,
    area: str | None = None,
) -> pd.DataFrame:
    """Monthly counts per linked candidate: candidate_id, month, category, count, source."""
    areas_in = [area] if area else None
    police = queries.cube_counts(
        engine, layer=layer, by=("month", "category"), areas_in=areas_in, start=start, end=end
    )
    themes = queries.theme_table(engine)
    parts = []
    for row in candidates.itertuples(index=False):
        if row.series_kind == "theme":
            cats = set(themes.loc[themes["theme"] == row.series_value, "category"])
            part, source = police[police["category"].isin(cats)], POLICE
        elif row.series_kind == "category":
            part, source = police[police["category"] == row.series_value], POLICE
        elif row.series_kind == "dataset":
            part = queries.cube_counts(
                engine,
                layer=layer,
                by=("month", "category"),
                areas_in=areas_in,
                start=start,
                end=end,
                source=row.series_value,
            )
            source = row.series_value
        else:
            continue
        part = part.assign(candidate_id=row.candidate_id, source=source)
        parts.append(part[["candidate_id", "month", "category", "count", "source"]])
    if not parts:
        return pd.DataFrame(columns=["candidate_id", "month", "category", "count", "source"])
    return pd.concat(parts, ignore_index=True)


def _concern(
    engine: Engine,
    candidates: pd.DataFrame,
    survey_id: str | None,
    model: ScoringModel,
    layer: str,
    area: str | None,
) -> tuple[pd.Series, pd.Series, str]:
    """Concern score and evidence per candidate, matched by linked theme, then by name."""
    info = survey_info(engine, survey_id)
    empty = pd.Series(np.nan, index=candidates["candidate_id"], dtype=float)
    no_text = pd.Series("no survey loaded", index=candidates["candidate_id"], dtype=object)
    if info is None:
        return empty, no_text, "no survey"
    table = concern_by_theme(engine, info.survey_id, model)
    where = "all respondents"
    if area and info.layer == layer:
        by_area = concern_by_area(engine, info.survey_id, model)
        table = by_area[by_area["area_code"] == area].set_index("theme")
        table["evidence"] = [
            f"mean {m:.2f} from {n} answers in this area"
            for m, n in zip(table["mean"], table["n"], strict=True)
        ]
        where = "respondents in the area"
    lookup = {
        str(t).casefold(): (s, e)
        for t, s, e in zip(table.index, table["score"], table["evidence"], strict=True)
    }
    themes = queries.theme_table(engine).set_index("category")["theme"]
    scores, texts = empty.copy(), no_text.copy()
    for row in candidates.itertuples(index=False):
        keys = [(row.name, "")]
        if row.series_kind == "theme":
            keys.insert(0, (row.series_value, ""))
        if row.series_kind == "category" and row.series_value in themes.index:
            keys.append((themes[row.series_value], f" (its theme, {themes[row.series_value]})"))
        texts[row.candidate_id] = "not asked in the survey"
        for key, suffix in keys:
            hit = lookup.get(str(key).casefold())
            if hit is not None:
                scores[row.candidate_id] = hit[0]
                texts[row.candidate_id] = f"{hit[1]}{suffix}"
                break
    return scores, texts, f"survey '{info.survey_id}' ({where})"


def propose_from_data(
    engine: Engine,
    candidates: pd.DataFrame,
    end: date,
    *,
    layer: str = ALL_LAYER,
    area: str | None = None,
    survey_id: str | None = None,
    scheme: str = "css",
    model: ScoringModel | None = None,
    length: int = 12,
    public: bool = True,
) -> Proposals:
    """Volume, trend, harm and concern proposals for the ``length`` months to ``end``.

    Each candidate's comparison is withheld where its own source (police.uk or its partner
    dataset) has months with no data in either window. With ``public`` (the default), a
    candidate linked to a sensitive dataset gets only figures of that dataset's public
    release (``disclosure.published``): whole area or estate, each window a sum of visible
    cells, else withheld; ``public=False`` is the restricted analyst view (true counts).
    """
    model = model or ScoringModel()
    ids = pd.Index(candidates["candidate_id"], name="candidate_id")
    current = window(end, length)
    previous, _ = comparison_window(current)
    counts = series_counts(engine, candidates, min(previous[0], current[0]), current[1], layer,
                           area)
    linked = candidates.loc[candidates["series_kind"].notna(), "candidate_id"].tolist()
    yoy, missing = _compare_by_source(engine, candidates, counts, linked, current, previous)
    yoy = yoy.reindex(ids)
    withheld = _public_counts(engine, candidates, yoy, layer, area, current, previous) \
        if public else {}
    w = harm.weights(engine, scheme)
    in_current = counts[
        (counts["month"] >= pd.Timestamp(current[0])) & (counts["source"] == POLICE)
    ]
    harm_total = (
        harm.harm_totals(in_current, w, by="candidate_id").reindex(ids)
        if not in_current.empty
        else pd.Series(np.nan, index=ids)
    )
    police_linked = set(
        candidates.loc[candidates["series_kind"].isin(["theme", "category"]), "candidate_id"]
    )
    harm_total = harm_total.where(harm_total.index.isin(police_linked))
    harm_total[harm_total.index.isin(police_linked) & harm_total.isna()] = 0.0

    volume = propose_volume(yoy["current"].astype(float), model.scale("volume"))
    trend = propose_trend(yoy["z"].astype(float), model.scale("trend"))
    harm_prop = propose_harm(harm_total.astype(float), model.scale("physical"))
    concern, concern_text, survey_note = _concern(engine, candidates, survey_id, model, layer, area)

    scores = pd.DataFrame(
        {
            "volume": volume["score"],
            "trend": trend["score"],
            "harm": harm_prop["score"],
            "concern": concern.reindex(ids),
        },
        index=ids,
    )
    for dim in HARM_DIMENSIONS:  # the one harm proposal, on each sub-dimension's own scale
        scores[dim] = propose_harm(harm_total.astype(float), model.scale(dim))["score"]
    period = _window_text(current)
    trend_text = [
        "no data"
        if pd.isna(cur)
        else f"{cur:,.0f} in {period}; {NOT_COMPARABLE}"
        if direction == NOT_COMPARABLE
        else f"{cur:,.0f} vs {prev:,.0f}"
        + ("" if pd.isna(pct) else f" ({pct:+.1f}%)")
        + f"; {text}"
        for cur, prev, pct, direction, text in zip(
            yoy["current"], yoy["previous"], yoy["pct"], yoy["direction"], trend["evidence"],
            strict=True,
        )
    ]
    scheme_name = harm.SCHEMES[scheme]
    harm_text = [
        "no harm weights for partner data"
        if cid in set(linked) - police_linked
        else text
        if pd.isna(total)
        else f"{text} ({scheme_name})"
        for cid, total, text in zip(ids, harm_total, harm_prop["evidence"], strict=True)
    ]
    for k, cid in enumerate(ids):
        if withheld.get(cid) == "all":
            trend_text[k] = WITHHELD
    evidence = pd.DataFrame(
        {
            "volume": [WITHHELD if withheld.get(cid) == "all" else
                       t if t == "no data" else f"{t} ({period})"
                       for cid, t in zip(ids, volume["evidence"], strict=True)],
            "trend": trend_text,
            "harm": harm_text,
            "concern": concern_text.reindex(ids).to_numpy(),
        },
        index=ids,
    )
    facts = yoy.loc[:, ["current", "previous", "change", "pct", "z"]].astype(float)
    facts["harm_total"] = harm_total.astype(float)
    where = "the whole area" if layer == ALL_LAYER or not area else f"{layer} {area}"
    note = (
        f"{period} against {_window_text(previous)}, {where}; "
        f"harm: {scheme_name}; concern: {survey_note}."
    )
    return Proposals(scores, evidence, facts, note, missing)


WITHHELD = "withheld in public: sensitive data not released for this area and period"


def _public_counts(engine: Engine, candidates: pd.DataFrame, yoy: pd.DataFrame, layer: str,
                   area: str | None, current, previous) -> dict:
    """Blank (in place) what a sensitive dataset's public release does not show: the current
    count unless the release has it as a sum of visible cells, and likewise the comparison.
    Returns candidate_id -> "all" (nothing shown) or "previous" (no comparison)."""
    from csp_dash.disclosure.published import public_release, source_sensitive

    out, releases = {}, {}
    for row in candidates.itertuples(index=False):
        if row.series_kind != "dataset" or row.candidate_id not in yoy.index:
            continue
        source = row.series_value
        if source not in releases:
            releases[source] = (public_release(engine, source)
                                if source_sensitive(engine, source) else None)
        rel = releases[source]
        if rel is None:
            continue
        line = rel.row_for(layer, area if layer != ALL_LAYER else None)
        cur, prev = rel.window_sum(line, *current), rel.window_sum(line, *previous)
        stats = [c for c in ("previous", "change", "pct", "z") if c in yoy.columns]
        if cur is None:
            yoy.loc[row.candidate_id, ["current", *stats]] = np.nan
            out[row.candidate_id] = "all"
        elif prev is None:
            yoy.loc[row.candidate_id, stats] = np.nan
            yoy.loc[row.candidate_id, "direction"] = NOT_COMPARABLE
            out[row.candidate_id] = "previous"
        if "significant" in yoy.columns and row.candidate_id in out:
            yoy.loc[row.candidate_id, "significant"] = False
    return out


def _compare_by_source(engine: Engine, candidates: pd.DataFrame, counts: pd.DataFrame,
                       linked: list, current, previous) -> tuple[pd.DataFrame, list[date]]:
    """Year on year per candidate, each judged complete against its own source's months."""
    source_of = {r.candidate_id: (POLICE if r.series_kind in ("theme", "category")
                                  else r.series_value)
                 for r in candidates.itertuples(index=False) if r.candidate_id in set(linked)}
    parts, missing = [], set()
    for source in sorted(set(source_of.values())):
        ids = [c for c in linked if source_of.get(c) == source]
        loaded = loaded_months(engine, source.split("/")[0])  # a flagged subset's dataset
        part = year_on_year(counts[counts["candidate_id"].isin(ids)], "candidate_id", current,
                            previous, keys=ids, loaded=loaded)
        missing |= set(part.attrs["missing_months"])
        part.attrs = {}
        parts.append(part)
    if not parts:
        empty = year_on_year(counts.iloc[:0], "candidate_id", current, previous, loaded=[])
        return empty.set_index("candidate_id"), []
    return pd.concat(parts).set_index("candidate_id"), sorted(missing)
