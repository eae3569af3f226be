"""Cached reads for the Priorities and Workshop pages, keyed by the database URL.

The data-driven proposals are cached with everything they depend on in the key (the
candidates' links, the harm weights, the survey, the model), so an edit shows at once.
Small tables (candidates, the analyst's scores, workshops) are read fresh: they are tiny and
several people may edit them.
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from csp_dash import config, harm
from csp_dash.analysis.scoring import ScoringModel
from csp_dash.priorities.candidates import ensure_candidates
from csp_dash.priorities.concern import concern_by_area, concern_by_theme
from csp_dash.priorities.models import analyst_score_grid, analyst_scores, load_model
from csp_dash.priorities.proposals import Proposals, partner_datasets, propose_from_data
from csp_dash.priorities.table import evidence_grid, ranked_table, working_scores
from csp_dash.priorities.workshop.results import WorkshopResults, workshop_results
from csp_dash.priorities.workshop.submissions import workshop_version
from csp_dash.ui.cache import cached
from csp_dash.ui.state import get_engine, read_engine

TTL = config.cache_ttl()


@cached(ttl=TTL, show_spinner=False)
def _proposals(
    url: str,
    links: tuple,
    end: date,
    length: int,
    layer: str,
    area: str | None,
    survey_id: str | None,
    scheme: str,
    weights: tuple,
    model_json: str,
    public: bool = True,
) -> Proposals:
    cands = pd.DataFrame(
        list(links), columns=["candidate_id", "name", "series_kind", "series_value"]
    )
    model = ScoringModel.from_dict(json.loads(model_json))
    return propose_from_data(
        read_engine(url),
        cands,
        end,
        layer=layer,
        area=area,
        survey_id=survey_id,
        scheme=scheme,
        model=model,
        length=length,
        public=public,
    )


def _key(
    url: str,
    candidates: pd.DataFrame,
    end: date,
    length: int,
    layer: str,
    area: str | None,
    survey_id: str | None,
    scheme: str,
    model: ScoringModel,
    public: bool = True,
) -> tuple:
    links = tuple(
        candidates[["candidate_id", "name", "series_kind", "series_value"]].itertuples(
            index=False, name=None
        )
    )
    weights = tuple(harm.weights(get_engine(url), scheme).items())
    return (
        url,
        links,
        end,
        length,
        layer,
        area,
        survey_id,
        scheme,
        weights,
        json.dumps(model.to_dict(), sort_keys=True),
        public,
    )


def proposals(
    url: str,
    candidates: pd.DataFrame,
    end: date,
    layer: str,
    area: str | None,
    survey_id: str | None,
    scheme: str,
    model: ScoringModel,
    length: int = 12,
    public: bool = True,
) -> Proposals:
    return _proposals(
        *_key(url, candidates, end, length, layer, area, survey_id, scheme, model, public)
    )


@cached(ttl=TTL, show_spinner=False, max_entries=64)
def _ranked(
    key: tuple, candidates: pd.DataFrame, grid: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ranked table and each score's source; the key holds what the proposals rest on."""
    props = _proposals(*key)
    model = ScoringModel.from_dict(json.loads(key[-2]))
    _, source = working_scores(props, grid, pd.Index(candidates["candidate_id"]))
    return ranked_table(candidates, props, grid, model), source


@cached(ttl=TTL, show_spinner=False, max_entries=32)
def _results(url: str, workshop_id: str, unit: str, version: tuple) -> WorkshopResults:
    return workshop_results(get_engine(url), workshop_id, unit=unit)


def results(url: str, workshop_id: str, unit: str = "participant") -> WorkshopResults:
    """The live results, recomputed only when a submission lands or the status changes."""
    return _results(url, workshop_id, unit, workshop_version(get_engine(url), workshop_id))


@cached(ttl=TTL, show_spinner=False)
def datasets(url: str) -> list[str]:
    """Partner datasets in the cube (for data links)."""
    return partner_datasets(read_engine(url))


@cached(ttl=TTL, show_spinner=False)
def concern_tables(url: str, survey_id: str, model_json: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    model = ScoringModel.from_dict(json.loads(model_json))
    engine = read_engine(url)
    return concern_by_theme(engine, survey_id, model), concern_by_area(engine, survey_id, model)


def assessment(
    url: str, end: date, layer: str, area: str | None, survey_id: str | None, scheme: str,
    length: int = 12, public: bool = True,
) -> dict:
    """Everything the ranked list needs: candidates, model, proposals, ranked table, sources.

    ``public`` (the default): sensitive datasets' figures only as their public release shows
    them (the Priorities page and workshop evidence are seen by partners); False: the
    restricted analyst view, for a role that may see true counts."""
    engine = get_engine(url)
    model = load_model(engine)
    cands = ensure_candidates(engine)
    key = _key(url, cands, end, length, layer, area, survey_id, scheme, model, public)
    props = _proposals(*key)
    grid = analyst_score_grid(engine)
    ranked, source = _ranked(key, cands, grid)
    return {
        "model": model,
        "candidates": cands,
        "proposals": props,
        "analyst": grid,
        "ranked": ranked,
        "source": source,
    }


def snapshot(url: str, bundle: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The working scores and their evidence, as a workshop freezes them."""
    cands = bundle["candidates"]
    ids = pd.Index(cands["candidate_id"], name="candidate_id")
    scores, source = working_scores(bundle["proposals"], bundle["analyst"], ids)
    notes = analyst_scores(get_engine(url)).dropna(subset=["note"])
    first_note = notes.groupby("candidate_id")["note"].first()
    return scores, evidence_grid(bundle["proposals"], source, first_note)
