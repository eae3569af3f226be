"""Partner records in the shared monthly cube, beside police.uk's rows (same columns and layers).

How partner data reaches the cube:

- ``source = <dataset>`` holds every record of the dataset, by the partner's own category;
- ``source = <dataset>/<flag>`` holds the records carrying a flag (``police_da/domestic``,
  ``hate_crime/hate``, ``police_da/repeat`` ...), again by category.

Each source is a partition by category, so categories add up to the source's total as they
do for police.uk, and a flag never double-counts a record inside one source. Pages pick a
source the way they pick police.uk (``queries.cube_counts(..., source=...)``).

Layers: "all" (every record, located or not); "lsoa" from the given or derived LSOA code;
"estate" also from records located by estate name; every point layer (estate, ward,
district, h3 ...) from the rounded point through ``location_areas``, as for police.uk.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, func, literal, or_, select, union_all

from csp_dash.db.cube import ALL_AREA, ALL_LAYER, LSOA_LAYER, NO_LOCATION_LAYER, OUTSIDE_LAYER
from csp_dash.db.district import member
from csp_dash.db.schema import cube, location_areas
from csp_dash.db.schema_partner import partner_datasets, partner_records
from csp_dash.ingest.assign import assign_new_locations

ESTATE_LAYER = "estate"


def flag_source(dataset: str, flag: str) -> str:
    """The cube source of a dataset's records that carry a flag."""
    return f"{dataset}/{flag}"


def dataset_sources(dataset: str, flags: list[str]) -> list[str]:
    return [dataset] + [flag_source(dataset, f) for f in flags]


def _delete_sources(conn: Connection, dataset: str) -> None:
    conn.execute(
        delete(cube).where(
            or_(cube.c.source == dataset, cube.c.source.startswith(f"{dataset}/", autoescape=True))
        )
    )


def record_flags(conn: Connection, dataset: str) -> list[str]:
    """The flags the dataset's stored records carry."""
    pr = partner_records.c
    texts = conn.execute(select(pr.flags).where(pr.dataset == dataset).distinct()).scalars()
    return sorted({f for t in texts for f in t.split("|") if f})


def rebuild_partner_cube(conn: Connection, dataset: str) -> None:
    """Recompute every cube row of one partner dataset (all its sources), in the caller's
    transaction. Points are first assigned to any layer loaded since they were imported."""
    pr, la = partner_records.c, location_areas.c
    flags = record_flags(conn, dataset)
    keys = pd.read_sql(
        select(pr.location_key)
        .where(pr.dataset == dataset, pr.location_key.is_not(None))
        .distinct(),
        conn,
    )["location_key"].to_numpy(dtype=np.int64)
    assign_new_locations(conn, keys)
    _delete_sources(conn, dataset)
    # Inside the district: by LSOA code (given, or derived from the point at import), or
    # located by estate name (estates are the partnership's own areas).
    inside = member(conn, pr.lsoa_code, pr.location_key) | pr.estate_code.is_not(None)
    cols = ["source", "month", "layer", "area_code", "category", "count"]
    for source in dataset_sources(dataset, flags):
        cond = pr.dataset == dataset
        if source != dataset:
            flag = source.split("/", 1)[1]
            cond = cond & pr.flags.contains(f"|{flag}|", autoescape=True)
        located = pr.location_key.is_not(None) | pr.lsoa_code.is_not(None)
        rows = union_all(
            select(
                pr.month,
                literal(ALL_LAYER).label("layer"),
                literal(ALL_AREA).label("area_code"),
                pr.category,
            ).where(cond, inside),
            select(pr.month, literal(OUTSIDE_LAYER), literal(ALL_AREA), pr.category).where(
                cond, located, ~inside
            ),
            select(pr.month, literal(NO_LOCATION_LAYER), literal(ALL_AREA), pr.category).where(
                cond, ~located, pr.estate_code.is_(None)
            ),
            select(pr.month, literal(LSOA_LAYER), pr.lsoa_code, pr.category).where(
                cond, pr.lsoa_code.is_not(None), inside
            ),
            select(pr.month, literal(ESTATE_LAYER), pr.estate_code, pr.category).where(
                cond, pr.estate_code.is_not(None), inside
            ),
            select(pr.month, la.layer, la.area_code, pr.category)
            .select_from(partner_records.join(location_areas, la.location_key == pr.location_key))
            .where(cond, la.layer != LSOA_LAYER, la.area_code != "", inside),
        ).subquery()
        sel = select(
            literal(source),
            rows.c.month,
            rows.c.layer,
            rows.c.area_code,
            rows.c.category,
            func.count(),
        ).group_by(rows.c.month, rows.c.layer, rows.c.area_code, rows.c.category)
        conn.execute(cube.insert().from_select(cols, sel))


def rebuild_all_partner_cubes(conn: Connection) -> list[str]:
    """Rebuild every partner dataset's cube rows (after boundaries are loaded or replaced)."""
    done = []
    names = conn.execute(select(partner_datasets.c.dataset).order_by(partner_datasets.c.dataset))
    for dataset in names.scalars().all():
        rebuild_partner_cube(conn, dataset)
        done.append(dataset)
    return done


def drop_partner_cube(conn: Connection, dataset: str) -> None:
    _delete_sources(conn, dataset)
