"""Deprivation: the English Indices of Deprivation by LSOA, and crime by deprivation decile.

Decile 1 is the most deprived 10% of LSOAs in England (MHCLG, English Indices of Deprivation
2019). Crime by decile counts the district's records in the LSOAs of each decile, with their
residents, so a partnership can say what share of crime falls in its most deprived areas.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from csp_dash.analysis.trends import rate_per_1000
from csp_dash.db import queries
from csp_dash.db.cube import LSOA_LAYER
from csp_dash.db.district import lsoa_codes
from csp_dash.db.schema import areas
from csp_dash.db.schema_district import deprivation
from csp_dash.db.version import bump
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.guard import refuse_into_demo

CODE_GUESSES = ("lsoa11_code", "LSOA11CD", "lsoa_code", "LSOA code (2011)", "code")
DECILE_GUESSES = ("index_of_multiple_deprivation_imd_decile",
                  "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% "
                  "of LSOAs)", "imd_decile", "decile")
RANK_GUESSES = ("index_of_multiple_deprivation_imd_rank",
                "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)", "imd_rank")


def _column(cols: list[str], wanted: str | None, guesses: tuple[str, ...], name: str,
            what: str, required: bool = True) -> str | None:
    if wanted:
        if wanted not in cols:
            raise IngestError(name, f"has no column '{wanted}' (columns: {', '.join(cols)})")
        return wanted
    found = next((c for c in guesses if c in cols), None)
    if found is None and required:
        raise IngestError(name, f"no {what} column found: name it with --{what}-field "
                                f"(columns: {', '.join(cols)})")
    return found


def import_deprivation(engine: Engine, path: str | Path, code_field: str | None = None,
                       decile_field: str | None = None) -> int:
    """Load (or replace) LSOA deprivation deciles from a CSV; returns LSOAs loaded."""
    path = Path(path)
    refuse_into_demo(engine, path)
    try:
        df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise IngestError(path.name, f"cannot be read as a UTF-8 CSV ({exc})") from None
    cols = list(df.columns)
    code_f = _column(cols, code_field, CODE_GUESSES, path.name, "code")
    dec_f = _column(cols, decile_field, DECILE_GUESSES, path.name, "decile")
    rank_f = _column(cols, None, RANK_GUESSES, path.name, "rank", required=False)
    decile = pd.to_numeric(df[dec_f], errors="coerce")
    bad = ~decile.between(1, 10) | (decile % 1 != 0)
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise IngestError(path.name, f"'{df[dec_f].iloc[row]}' in {dec_f} is not a decile "
                                     "from 1 to 10", row=row + 1)
    dup = df[code_f].duplicated(keep=False)
    if dup.any():
        code = df.loc[dup, code_f].iloc[0]
        raise IngestError(path.name, f"{int(dup.sum())} rows share the code {code}: give each "
                                     "LSOA one decile")
    rank = pd.to_numeric(df[rank_f], errors="coerce") if rank_f else pd.Series(np.nan, df.index)
    rows = [{"lsoa_code": c.strip(), "imd_decile": int(d),
             "imd_rank": None if pd.isna(r) else int(r), "source": path.name}
            for c, d, r in zip(df[code_f], decile, rank, strict=True)]
    with engine.begin() as conn:
        conn.execute(delete(deprivation))
        conn.execute(insert(deprivation), rows)
        bump(conn)
    return len(rows)


def deciles(engine: Engine) -> pd.Series:
    """LSOA code -> IMD decile (empty where none is loaded)."""
    with engine.connect() as conn:
        rows = conn.execute(select(deprivation.c.lsoa_code, deprivation.c.imd_decile)).all()
    return pd.Series({c: d for c, d in rows}, dtype="float64")


def crime_by_decile(engine: Engine, first: date, last: date,
                    categories: list[str] | None = None) -> pd.DataFrame:
    """Per decile (1..10): the district's LSOAs, residents, records, share of records and of
    residents, and the rate per 1,000. LSOAs with no decile are left out and counted in
    ``attrs["no_decile"]``."""
    dec = deciles(engine)
    counts = queries.cube_counts(engine, layer=LSOA_LAYER, by=("area",), start=first, end=last,
                                 categories=categories)
    with engine.connect() as conn:
        mine = set(conn.execute(lsoa_codes(conn)).scalars())
        pop = dict(conn.execute(select(areas.c.code, areas.c.population)
                                .where(areas.c.layer == LSOA_LAYER)).all())
    frame = pd.DataFrame({"lsoa": sorted(mine)})
    frame["decile"] = frame["lsoa"].map(dec)
    frame["residents"] = frame["lsoa"].map(pop).astype(float)
    frame["count"] = frame["lsoa"].map(counts.set_index("area")["count"]).fillna(0)
    no_decile = frame["decile"].isna()
    ranked = frame[~no_decile]
    out = ranked.groupby("decile").agg(lsoas=("lsoa", "size"), residents=("residents", "sum"),
                                       count=("count", "sum"))
    out = out.reindex(range(1, 11), fill_value=0).rename_axis("decile").reset_index()
    out["count"] = out["count"].astype("int64")
    total, people = out["count"].sum(), out["residents"].sum()
    out["share_of_crime"] = out["count"] / total if total else np.nan
    out["share_of_residents"] = out["residents"] / people if people else np.nan
    out["rate"] = rate_per_1000(out["count"].astype(float), out["residents"])
    out.attrs["no_decile"] = int(no_decile.sum())
    return out
