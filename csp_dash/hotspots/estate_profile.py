"""Estate profile: one area's categories, monthly trend, change, harm, rate and rank, beside the
district as a whole."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from csp_dash.analysis.periods import months_in
from csp_dash.analysis.trends import change_stats, rate_per_1000, year_on_year
from csp_dash.db import queries
from csp_dash.db.cube import ALL_AREA, ALL_LAYER
from csp_dash.db.district import in_effect
from csp_dash.harm import harm_totals
from csp_dash.hotspots.analysis import HotspotResult
from csp_dash.trends.queries import area_population, loaded_months

TOTAL = "All selected categories"


@dataclass(frozen=True)
class DistrictSource:
    """What 'the district as a whole' means for the data loaded."""

    name: str
    layer: str
    codes: tuple[str, ...] | None
    residents: float  # NaN where unknown
    households: float

    def population(self, base: str) -> float:
        return self.households if base == "households" else self.residents


def district_source(engine: Engine) -> DistrictSource:
    """The district in effect (db/district.py): the cube's "all" layer, with its population."""
    with engine.connect() as conn:
        name = in_effect(conn).name
    pop = area_population(engine, ALL_LAYER, None)
    nan = float("nan")
    return DistrictSource(name, ALL_LAYER, (ALL_AREA,), pop.residents or nan,
                          pop.households or nan)


@dataclass
class EstateProfile:
    code: str
    name: str
    district: str
    summary: dict  # area and district figures, ranks
    categories: pd.DataFrame  # per category: area and district figures
    monthly: pd.DataFrame  # month, place, count, rate


def _monthly(engine: Engine, layer: str, codes, categories, first, last) -> pd.DataFrame:
    return queries.cube_counts(
        engine, layer=layer, by=("month", "category"), areas_in=list(codes) if codes else None,
        categories=categories, start=first, end=last,
    )  # fmt: skip


def _totals(by_category: pd.DataFrame, harm: float, population: float,
            comparable: bool) -> dict:
    """Totals over a year_on_year table by category, through ``trends.change_stats``."""
    cur, prev = int(by_category["current"].sum()), int(by_category["previous"].sum())
    stats = {k: v[0] for k, v in change_stats(cur, prev, comparable).items()}
    return {"count": cur, "previous": prev, **stats,
            "harm": harm, "rate": rate_per_1000(float(cur), population)}


@dataclass
class District:
    """The district's monthly counts by category for a result's two windows (the same for every
    estate, so callers cache it)."""

    source: DistrictSource
    counts: pd.DataFrame  # month, category, count


def district_counts(engine: Engine, result: HotspotResult) -> District:
    q = result.query
    src = district_source(engine)
    cats = list(q.categories) if q.categories is not None else None
    counts = _monthly(engine, src.layer, src.codes, cats, result.previous[0], q.current[1])
    return District(src, counts)


def estate_profile(
    engine: Engine,
    result: HotspotResult,
    code: str,
    harm_weights: pd.Series,
    district: District | None = None,
    themes: pd.DataFrame | None = None,
) -> EstateProfile:
    """Profile of area ``code`` of the result's layer (figures for its period and categories).
    ``district`` and ``themes`` (the category -> theme table) are looked up if not given."""
    q = result.query
    if code not in result.table.index:
        raise ValueError(f"'{code}' is not one of the {result.unit_word}")
    row = result.table.loc[code]
    cats = list(q.categories) if q.categories is not None else None
    first, last = result.previous[0], q.current[1]
    area = _monthly(engine, q.layer, [code], cats, first, last)
    district = district or district_counts(engine, result)
    themes = themes if themes is not None else queries.theme_table(engine)
    src, dist = district.source, district.counts
    population = float(row["population"]) if "population" in row.index else np.nan
    district_pop = src.population(result.rate_base)
    keys = cats if cats is not None else list(themes["category"])
    loaded = loaded_months(engine)
    a = year_on_year(area, "category", q.current, result.previous, keys=keys, loaded=loaded)
    d = year_on_year(dist, "category", q.current, result.previous, keys=keys, loaded=loaded)
    ok = not result.missing_months
    area_harm = _harm(area, q.current, harm_weights)
    area_sum = _totals(a, float(area_harm.sum()), population, ok)
    dist_sum = _totals(d, float(_harm(dist, q.current, harm_weights).sum()), district_pop, ok)
    n = int(result.table["count"].notna().sum())
    summary = {
        "area": area_sum,
        "district": dist_sum,
        "rank_count": _int(row["rank_count"]), "rank_rate": _int(row["rank_rate"]),
        "rank_harm": _int(row["rank_harm"]), "n_areas": n,
        "share_of_district": area_sum["count"] / dist_sum["count"] if dist_sum["count"] else np.nan,
        "rate_ratio": area_sum["rate"] / dist_sum["rate"] if dist_sum["rate"] else np.nan,
        "significance": row.get("significance"), "class": row.get("class"),
    }  # fmt: skip
    return EstateProfile(
        code, str(row["name"]), src.name, summary,
        _category_table(themes, a, d, area_harm, population, district_pop),
        _trend(area, dist, str(row["name"]), src.name, population, district_pop, first, last),
    )  # fmt: skip


def _harm(counts: pd.DataFrame, win, w: pd.Series) -> pd.Series:
    inside = counts["month"].between(pd.Timestamp(win[0]), pd.Timestamp(win[1]))
    return harm_totals(counts[inside], w)


def _int(v) -> int | None:
    return None if pd.isna(v) else int(v)


def _category_table(themes, a, d, area_harm, population, district_pop) -> pd.DataFrame:
    harm = area_harm.reindex(a["category"]).fillna(0.0).to_numpy()
    total = a["current"].sum()
    out = pd.DataFrame({
        "category": a["category"],
        "count": a["current"], "previous": a["previous"], "change": a["change"],
        "pct": a["pct"], "z": a["z"], "direction": a["direction"], "harm": harm,
        "share": a["current"] / total if total else np.nan,
        "rate": rate_per_1000(a["current"].astype(float), population),
        "district_count": d["current"].to_numpy(),
        "district_rate": rate_per_1000(d["current"].astype(float), district_pop),
    })  # fmt: skip
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate_ratio"] = np.where(
            out["district_rate"] > 0, out["rate"] / out["district_rate"], np.nan
        )
    out = out.merge(themes[["category", "theme"]], on="category", how="left")
    return out.sort_values(["count", "category"], ascending=[False, True], ignore_index=True)


def _trend(area, dist, name, district, population, district_pop, first, last) -> pd.DataFrame:
    """Monthly counts and rates for the area and the district; a month with no data at all
    (a gap in the police.uk files) stays missing rather than zero."""
    months = pd.DatetimeIndex(pd.to_datetime(months_in((first, last))))
    have = pd.DatetimeIndex(pd.to_datetime(dist["month"].unique())) if not dist.empty else None
    frames = []
    for place, counts, pop in ((name, area, population), (district, dist, district_pop)):
        monthly = counts.groupby("month")["count"].sum()
        monthly.index = pd.DatetimeIndex(pd.to_datetime(monthly.index))
        monthly = monthly.reindex(months).astype(float)
        if have is not None:
            monthly[months.isin(have) & monthly.isna()] = 0.0
        frames.append(pd.DataFrame({
            "month": months, "place": place, "count": monthly.to_numpy(),
            "rate": rate_per_1000(monthly.to_numpy(dtype=float), pop),
        }))  # fmt: skip
    return pd.concat(frames, ignore_index=True)
