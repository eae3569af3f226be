"""Harm weights per police.uk category: shipped, sourced defaults plus stored user edits.

Schemes: "css" (ONS Crime Severity Score), "cchi" (Cambridge Crime Harm Index, days), "equal"
(plain counts) and "custom" (starts from CSS). Anti-social behaviour has no published weight in
either scheme; it defaults to 0, meaning excluded, and users may set it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from importlib import resources

import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from csp_dash.db.schema_shared import harm_weights
from csp_dash.db.version import bump
from csp_dash.vocab import POLICE_CATEGORIES

SCHEMES = {
    "css": "ONS Crime Severity Score",
    "cchi": "Cambridge Crime Harm Index (days)",
    "equal": "Equal weights (plain counts)",
    "custom": "Custom (starts from CSS)",
}
_COLUMN = {"css": "css_weight", "cchi": "cchi_days"}


@cache
def reference_table() -> pd.DataFrame:
    """The shipped table: category, css_weight, cchi_days, method, source."""
    with resources.files("csp_dash.data").joinpath("harm_weights.csv").open(encoding="utf-8") as fh:
        return pd.read_csv(fh)


def default_weights(scheme: str) -> pd.Series:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown harm scheme '{scheme}'; choose from {', '.join(SCHEMES)}")
    ref = reference_table().set_index("category")
    if scheme == "equal":
        return pd.Series(1.0, index=sorted(POLICE_CATEGORIES), name="weight")
    values = ref[_COLUMN.get(scheme, "css_weight")].astype(float).fillna(0.0)
    return values.reindex(sorted(POLICE_CATEGORIES)).fillna(0.0).rename("weight")


def weights(engine: Engine, scheme: str) -> pd.Series:
    """The weights in force for a scheme: defaults overlaid with the user's stored edits."""
    out = default_weights(scheme).copy()
    with engine.connect() as conn:
        edits = conn.execute(select(harm_weights.c.category, harm_weights.c.weight)
                             .where(harm_weights.c.scheme == scheme)).all()
    for category, weight in edits:
        out[category] = float(weight)
    return out


def set_weights(engine: Engine, scheme: str, new: dict[str, float]) -> None:
    """Store edits (only those differing from the default are kept)."""
    base = default_weights(scheme)
    for category, w in new.items():
        if category not in base.index:
            raise ValueError(f"unknown category '{category}'")
        if w is None or pd.isna(w) or float(w) < 0:
            raise ValueError(f"the weight for {category} must be a number of 0 or more")
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(delete(harm_weights).where(harm_weights.c.scheme == scheme,
                                                harm_weights.c.category.in_(list(new))))
        rows = [{"scheme": scheme, "category": c, "weight": float(w), "edited_at": now}
                for c, w in new.items() if float(w) != float(base[c])]
        if rows:
            conn.execute(insert(harm_weights), rows)
        bump(conn)


def reset_weights(engine: Engine, scheme: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(harm_weights).where(harm_weights.c.scheme == scheme))
        bump(conn)


def edited_categories(engine: Engine, scheme: str) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(harm_weights.c.category)
                                   .where(harm_weights.c.scheme == scheme)).scalars())


def harm_totals(counts: pd.DataFrame, w: pd.Series, by: str = "category") -> pd.Series:
    """Sum of count x weight, grouped by `by` (counts needs category and count columns)."""
    weighted = counts["count"] * counts["category"].map(w).fillna(0.0)
    return weighted.groupby(counts[by]).sum().rename("harm")


def weights_stamp(scheme: str, w: pd.Series, edited: list[str] | None = None) -> str:
    """One line for exports: which weights produced the harm figures."""
    parts = "; ".join(f"{c} {v:g}" for c, v in w.items())
    note = f" (edited: {', '.join(edited)})" if edited else ""
    return f"Harm weights: {SCHEMES[scheme]}{note}: {parts}"
