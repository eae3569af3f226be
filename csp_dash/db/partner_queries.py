"""Parameterised queries over partner datasets: what is loaded, and victim records for repeats.

Counts come from the shared cube (``queries.cube_counts(..., source=...)``); the sources a
partner dataset writes are listed by ``partner_sources`` (see csp_dash.ingest.partner.cube).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, Select, and_, func, or_, select

from csp_dash.db.cube import ALL_LAYER, LSOA_LAYER
from csp_dash.db.schema import cube, location_areas
from csp_dash.db.schema_partner import (
    partner_datasets,
    partner_files,
    partner_records,
    partner_rejects,
)
from csp_dash.ingest.partner.cube import ESTATE_LAYER, flag_source
from csp_dash.ingest.partner.load import saved_mapping
from csp_dash.ingest.partner.mapping import PartnerMapping

DOMESTIC = "domestic"


def _read(engine: Engine, stmt: Select) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(stmt, conn)


def dataset_table(engine: Engine) -> pd.DataFrame:
    """One row per dataset: theme, unit, files, rows loaded, rejected, no location, months."""
    d, f = partner_datasets.c, partner_files.c
    stmt = (
        select(
            d.dataset,
            d.theme,
            d.unit,
            func.count(f.file_id).label("files"),
            func.coalesce(func.sum(f.rows_loaded), 0).label("rows"),
            func.coalesce(func.sum(f.rows_rejected), 0).label("rejected"),
            func.coalesce(func.sum(f.rows_no_location), 0).label("no_location"),
            func.min(f.first_month).label("first_month"),
            func.max(f.last_month).label("last_month"),
            d.updated_at,
        )
        .select_from(partner_datasets.outerjoin(partner_files, f.dataset == d.dataset))
        .group_by(d.dataset, d.theme, d.unit, d.updated_at)
        .order_by(d.dataset)
    )
    df = _read(engine, stmt)
    for col in ("first_month", "last_month"):
        df[col] = pd.to_datetime(df[col])
    return df


def titles_of(table: pd.DataFrame) -> dict[str, str]:
    """Each dataset's title in words (pure): its theme and unit, "Domestic abuse referrals";
    where two datasets share both, the dataset's own name follows in brackets."""
    out: dict[str, str] = {}
    pairs = table.groupby(["theme", "unit"])["dataset"].transform("size")
    for row, shared in zip(table.itertuples(index=False), pairs, strict=True):
        title = f"{row.theme} {row.unit}".strip()
        title = title[:1].upper() + title[1:]
        out[row.dataset] = f"{title} ({row.dataset.replace('_', ' ')})" if shared > 1 else title
    return out


def dataset_titles(engine: Engine) -> dict[str, str]:
    """Every loaded dataset's title (``titles_of``): what pages and exports call a dataset."""
    d = partner_datasets.c
    return titles_of(_read(engine, select(d.dataset, d.theme, d.unit).order_by(d.dataset)))


def file_log(engine: Engine, dataset: str) -> pd.DataFrame:
    f = partner_files.c
    return _read(
        engine,
        select(
            f.file_name,
            f.first_month,
            f.last_month,
            f.rows_loaded,
            f.rows_no_location,
            f.rows_rejected,
            f.loaded_at,
        )
        .where(f.dataset == dataset)
        .order_by(f.loaded_at, f.file_id),
    )


def reject_sample(engine: Engine, dataset: str, limit: int = 200) -> pd.DataFrame:
    r, f = partner_rejects.c, partner_files.c
    return _read(
        engine,
        select(f.file_name, r.row_no, r.reason, r.raw)
        .select_from(partner_rejects.join(partner_files, f.file_id == r.file_id))
        .where(r.dataset == dataset)
        .order_by(f.file_name, r.row_no)
        .limit(limit),
    )


def mappings(engine: Engine) -> dict[str, PartnerMapping]:
    d = partner_datasets.c
    with engine.connect() as conn:
        rows = conn.execute(select(d.dataset, d.mapping).order_by(d.dataset)).all()
    return {name: PartnerMapping.from_json(text) for name, text in rows}


def mapping(engine: Engine, dataset: str) -> PartnerMapping | None:
    return saved_mapping(engine, dataset)


def partner_sources(engine: Engine) -> pd.DataFrame:
    """Every partner cube source: source, dataset, flag ("" for all records), theme, unit."""
    with engine.connect() as conn:
        sources = conn.execute(select(cube.c.source).distinct()).scalars().all()
    meta = {name: (m.theme, m.unit) for name, m in mappings(engine).items()}
    rows = []
    for s in sorted(sources):
        dataset, _, flag = s.partition("/")
        if dataset in meta:
            rows.append(
                {
                    "source": s,
                    "dataset": dataset,
                    "flag": flag,
                    "theme": meta[dataset][0],
                    "unit": meta[dataset][1],
                }
            )
    return pd.DataFrame(rows, columns=["source", "dataset", "flag", "theme", "unit"])


def flagged_datasets(engine: Engine, flag: str = DOMESTIC, unit: str = "records") -> list[str]:
    """Datasets of the given unit whose records carry the flag (DA datasets by default)."""
    src = partner_sources(engine)
    pick = src[(src["flag"] == flag) & (src["unit"] == unit)]
    return sorted(pick["dataset"].unique())


def _in_area(layer: str, area: str | None):
    """SQL condition: a partner record lies in the area (None: every record counts)."""
    pr, la = partner_records.c, location_areas.c
    if layer == ALL_LAYER or not area:
        return None
    if layer == LSOA_LAYER:
        return pr.lsoa_code == area
    by_point = pr.location_key.in_(
        select(la.location_key).where(la.layer == layer, la.area_code == area)
    )
    if layer == ESTATE_LAYER:
        return or_(pr.estate_code == area, by_point)
    return by_point


def victim_records(
    engine: Engine,
    dataset: str,
    flag: str = DOMESTIC,
    layer: str = ALL_LAYER,
    area: str | None = None,
) -> pd.DataFrame:
    """Records with a victim key, for repeat victimisation: victim_key, date, in_area.

    Every record of a victim who has at least one record in the area is returned (repeats
    elsewhere still make them a repeat victim); ``in_area`` marks the records in the area.
    """
    pr = partner_records.c
    base = and_(
        pr.dataset == dataset,
        pr.victim_key.is_not(None),
        pr.flags.contains(f"|{flag}|", autoescape=True),
    )
    cond = _in_area(layer, area)
    in_area = (cond if cond is not None else pr.dataset == dataset).label("in_area")
    stmt = select(pr.victim_key, pr.record_date.label("date"), in_area).where(base)
    if cond is not None:
        stmt = stmt.where(pr.victim_key.in_(select(pr.victim_key).where(base, cond)))
    df = _read(engine, stmt.order_by(pr.record_date))
    df["date"] = pd.to_datetime(df["date"])
    df["in_area"] = df["in_area"].astype(bool)
    return df


def unkeyed_count(
    engine: Engine,
    dataset: str,
    start,
    end,
    flag: str = DOMESTIC,
    layer: str = ALL_LAYER,
    area: str | None = None,
) -> int:
    """Records in the period and area without a victim key (they cannot be linked)."""
    pr = partner_records.c
    stmt = select(func.count()).where(
        pr.dataset == dataset,
        pr.victim_key.is_(None),
        pr.flags.contains(f"|{flag}|", autoescape=True),
        pr.month.between(start, end),
    )
    cond = _in_area(layer, area)
    if cond is not None:
        stmt = stmt.where(cond)
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar())


def source_of(dataset: str, flag: str | None = DOMESTIC) -> str:
    return flag_source(dataset, flag) if flag else dataset


def uses_demo_secret(engine: Engine, dataset: str) -> bool:
    """True if the dataset's keys were pseudonymised with the demo's fixed, public secret."""
    from csp_dash.ingest.partner.load import DEMO_SECRET, secret_check

    with engine.connect() as conn:
        rows = conn.execute(
            select(partner_datasets.c.secret_check).where(partner_datasets.c.dataset == dataset)
        ).all()
    return bool(rows) and rows[0][0] == secret_check(DEMO_SECRET)
