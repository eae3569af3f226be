"""The Strategic Assessment's appendices: by estate x category and by category x estate.

Counts for the period, the comparison period, the change with its Poisson significance, and
the rate per 1,000. Partners only: every file carries the "Not for public circulation" stamp.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from csp_dash.analysis.periods import label as window_label
from csp_dash.analysis.trends import DECREASE, INCREASE, change_stats, rate_per_1000
from csp_dash.hotspots.analysis import HotspotResult
from csp_dash.vocab import sentence_start

NOT_FOR_PUBLIC = "Not for public circulation"
TOTAL = "All selected categories"


def _grid(result: HotspotResult, categories: list[str]) -> pd.DataFrame:
    """Every unit x category (plus a total per unit) with current and previous counts."""
    units = result.table.index
    full = pd.MultiIndex.from_product([units, categories], names=["code", "category"])

    def counts(long: pd.DataFrame) -> pd.Series:
        if long.empty:
            return pd.Series(0, index=full, dtype="int64")
        s = long.groupby(["area", "category"])["count"].sum()
        s.index = s.index.set_names(["code", "category"])
        return s.reindex(full, fill_value=0).astype("int64")

    grid = pd.DataFrame(
        {"count": counts(result.current_long), "previous": counts(result.previous_long)}
    ).reset_index()
    totals = grid.groupby("code", sort=False)[["count", "previous"]].sum().reset_index()
    totals["category"] = TOTAL
    return pd.concat([grid, totals], ignore_index=True)


def _figures(grid: pd.DataFrame, result: HotspotResult) -> pd.DataFrame:
    names = result.table["name"]
    pop = result.table["population"] if "population" in result.table else None
    stats = change_stats(grid["count"].to_numpy(), grid["previous"].to_numpy(),
                         not result.missing_months)
    significance = pd.Series(stats["direction"]).replace(
        {INCREASE: "significant increase", DECREASE: "significant decrease"}).to_numpy()
    out = pd.DataFrame({
        "code": grid["code"], "name": grid["code"].map(names), "category": grid["category"],
        "count": grid["count"], "previous": grid["previous"], "change": stats["change"],
        "pct": stats["pct"], "z": stats["z"], "significance": significance,
    })  # fmt: skip
    if pop is not None:
        out["rate"] = rate_per_1000(
            out["count"].astype(float).to_numpy(), grid["code"].map(pop).astype(float).to_numpy()
        )
    return out


def appendix_tables(
    result: HotspotResult, categories: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(by estate, then category; by category, then estate ranked busiest first), with
    readable column names ready to show and download."""
    fig = _figures(_grid(result, list(categories)), result)
    order = {c: i for i, c in enumerate([*categories, TOTAL])}
    fig["_cat"] = fig["category"].map(order)
    by_area = fig.sort_values(["name", "code", "_cat"], kind="stable")
    fig["rank"] = (
        fig.groupby("category")["count"].rank(ascending=False, method="min").astype("int64")
    )
    by_cat = fig.sort_values(["_cat", "rank", "name"], kind="stable")
    return _words(by_area, result, rank=False), _words(by_cat, result, rank=True)


def _words(df: pd.DataFrame, result: HotspotResult, rank: bool) -> pd.DataFrame:
    area = sentence_start(result.unit_word[:-1]) if result.unit_word.endswith("s") else "Area"
    cur, prev = window_label(result.query.current), window_label(result.previous)
    base = result.rate_base or "residents"
    cols = {
        "code": f"{area} code", "name": area, "category": "Category",
        "count": cur, "previous": prev, "change": "Change", "pct": "Change %",
        "z": "Poisson z", "significance": "Significance (|z| > 2)",
        "rate": f"Rate per 1,000 {base}", "rank": "Rank in category",
    }  # fmt: skip
    keep = [c for c in cols if c in df.columns and (rank or c != "rank")]
    if rank:  # category first, then the estates in rank order
        keep = ["category", "rank", "code", "name"] + [
            c for c in keep if c not in ("category", "rank", "code", "name")
        ]
    return df[keep].rename(columns=cols).reset_index(drop=True)


def count_matrix(result: HotspotResult, categories: list[str]) -> pd.DataFrame:
    """Estates as rows, categories as columns, counts for the period, with a total column."""
    grid = _grid(result, list(categories))
    grid = grid[grid["category"] != TOTAL]
    wide = grid.pivot_table(index="code", columns="category", values="count", aggfunc="sum")
    wide = wide.reindex(columns=list(categories)).fillna(0).astype("int64")
    wide.insert(0, "Total", wide.sum(axis=1))
    wide.insert(0, "name", result.table["name"].reindex(wide.index))
    return wide.sort_values("Total", ascending=False)


def appendix_stamp(
    result: HotspotResult, title: str, harm_stamp: str | None = None, today: date | None = None
) -> list[str]:
    """The lines written at the top of every appendix file."""
    today = today or date.today()
    lines = [
        NOT_FOR_PUBLIC,
        f"CSP Dash: {title}",
        f"Period {window_label(result.query.current)}, compared with "
        f"{window_label(result.previous)} ({result.comparison}); {result.label}",
        "Source: police.uk street-level crime (Open Government Licence v3.0); "
        "change significant where the Poisson |z| > 2",
        f"Produced {today:%d %B %Y}",
    ]
    if harm_stamp:
        lines.append(harm_stamp)
    return lines
