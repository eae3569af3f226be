"""Parameterised aggregate queries over the cube and the ingest log; each returns a DataFrame."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import Engine, Select, func, select

from csp_dash.db.cube import ALL_AREA, ALL_LAYER, H3_LAYER, LEFT_OUT_LAYERS, POLICE
from csp_dash.db.schema import areas, category_themes, crimes, cube, ingest_files, layers, rejects

GROUPS = ("month", "category", "area", "theme")


def _read(engine: Engine, stmt: Select) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(stmt, conn)


def _read_columns(engine: Engine, stmt: Select) -> pd.DataFrame:
    """As `_read`, but on DuckDB fetched column by column (its own DataFrame export) rather than
    row by row through the driver: 6x faster for the 30k rows of a district's area-by-category
    cube. Dates arrive as datetime64 (not date objects) and sums as the engine types them, so
    the caller converts its columns."""
    with engine.connect() as conn:
        if conn.dialect.name != "duckdb":
            return pd.read_sql(stmt, conn)
        # Executed by SQLAlchemy as any query (bound parameters, events), then fetched from
        # DuckDB's cursor as a DataFrame instead of as rows.
        result = conn.execute(stmt)
        return result.cursor.df()


def cube_counts(engine: Engine, *, layer: str = ALL_LAYER, by: Sequence[str] = ("month", "category"),
                areas_in: Sequence[str] | None = None, categories: Sequence[str] | None = None,
                start: date | None = None, end: date | None = None,
                source: str = POLICE) -> pd.DataFrame:
    """Counts from the cube grouped by any of month, category, area, theme (filters optional)."""
    unknown = set(by) - set(GROUPS)
    if unknown:
        raise ValueError(f"cannot group by {', '.join(sorted(unknown))}; choose from {', '.join(GROUPS)}")
    c, t = cube.c, category_themes.c
    cols = {"month": c.month, "category": c.category, "area": c.area_code.label("area"),
            "theme": func.coalesce(t.theme, "Unmapped").label("theme")}
    picked = [cols[b] for b in by]
    # The theme table is joined only when grouping by theme: it was a third of the time of a
    # hotspot count.
    source_table = (cube.outerjoin(category_themes, t.category == c.category) if "theme" in by
                    else cube)
    stmt = (select(*picked, func.sum(c.count).label("count"))
            .select_from(source_table)
            .where(c.layer == layer, c.source == source))
    if areas_in is not None:
        stmt = stmt.where(c.area_code.in_(list(areas_in)))
    if categories is not None:
        stmt = stmt.where(c.category.in_(list(categories)))
    if start is not None:
        stmt = stmt.where(c.month >= start)
    if end is not None:
        stmt = stmt.where(c.month <= end)
    if picked:
        stmt = stmt.group_by(*picked).order_by(*picked)
    df = _read_columns(engine, stmt)
    if "month" in df:
        df["month"] = pd.to_datetime(df["month"]).astype("datetime64[s]")
    df["count"] = df["count"].fillna(0).astype("int64")
    return df


#: The cube's whole-source layers: the district, and what it leaves out. A month is loaded
#: when any of them has rows (a district can have a quiet month; the force file still came).
WHOLE_LAYERS = (ALL_LAYER, *LEFT_OUT_LAYERS)


def month_range(engine: Engine, source: str = POLICE) -> tuple[date, date] | None:
    stmt = select(func.min(cube.c.month), func.max(cube.c.month)).where(
        cube.c.source == source, cube.c.layer.in_(WHOLE_LAYERS), cube.c.area_code == ALL_AREA)
    with engine.connect() as conn:
        lo, hi = conn.execute(stmt).one()
    return (pd.Timestamp(lo).date(), pd.Timestamp(hi).date()) if lo is not None else None


def theme_table(engine: Engine) -> pd.DataFrame:
    t = category_themes.c
    return _read(engine, select(t.category, t.theme, t.sort_order).order_by(t.sort_order, t.category))


def layer_names(engine: Engine) -> list[str]:
    """The loaded layers' names: what a page needs to offer them (no join over the areas)."""
    with engine.connect() as conn:
        return list(conn.execute(select(layers.c.layer).order_by(layers.c.layer)).scalars())


def layer_table(engine: Engine) -> pd.DataFrame:
    a, lay = areas.c, layers.c
    stmt = (select(lay.layer, lay.n_areas, lay.source_file, lay.code_field, lay.name_field,
                   lay.population_source, func.sum(a.population).label("population"),
                   func.count(a.population).label("areas_with_population"), lay.loaded_at)
            .select_from(layers.outerjoin(areas, a.layer == lay.layer))
            .group_by(lay.layer, lay.n_areas, lay.source_file, lay.code_field, lay.name_field,
                      lay.population_source, lay.loaded_at)
            .order_by(lay.layer))
    return _read(engine, stmt)


def area_table(engine: Engine, layer: str, with_geometry: bool = False,
               codes: Select | None = None) -> pd.DataFrame:
    """A layer's areas; ``codes`` (a SELECT of codes) keeps only those, in the database."""
    a = areas.c
    cols = [a.code, a.name, a.population, a.households, a.area_km2, a.centroid_lon, a.centroid_lat]
    if with_geometry:
        cols.append(a.geometry)
    stmt = select(*cols).where(a.layer == layer)
    if codes is not None:
        stmt = stmt.where(a.code.in_(codes.scalar_subquery()))
    return _read(engine, stmt.order_by(a.name, a.code))


def ingest_log(engine: Engine, source: str = POLICE) -> pd.DataFrame:
    f = ingest_files.c
    df = _read(engine, select(f.force, f.month, f.file_name, f.rows_loaded, f.rows_no_location,
                              f.rows_rejected, f.loaded_at)
               .where(f.source == source).order_by(f.force, f.month))
    df["month"] = pd.to_datetime(df["month"])
    return df


def coverage(engine: Engine, source: str = POLICE) -> pd.DataFrame:
    """Months x forces: rows loaded, 0 where a month inside a force's span is missing."""
    log = ingest_log(engine, source)
    if log.empty:
        return pd.DataFrame()
    grid = log.pivot_table(index="month", columns="force", values="rows_loaded", aggfunc="sum")
    full = pd.date_range(grid.index.min(), grid.index.max(), freq="MS")
    return grid.reindex(full).rename_axis("month")


def missing_months(engine: Engine, source: str = POLICE) -> dict[str, list[str]]:
    """Per force, the months absent between its first and last loaded month."""
    log = ingest_log(engine, source)
    out: dict[str, list[str]] = {}
    for force, g in log.groupby("force"):
        full = pd.date_range(g["month"].min(), g["month"].max(), freq="MS")
        out[force] = [f"{m:%Y-%m}" for m in full.difference(pd.DatetimeIndex(g["month"]))]
    return out


def load_summary(engine: Engine) -> dict[str, int]:
    f = ingest_files.c
    stmt = select(func.coalesce(func.sum(f.rows_loaded), 0), func.coalesce(func.sum(f.rows_no_location), 0),
                  func.coalesce(func.sum(f.rows_rejected), 0), func.count()).where(f.source == POLICE)
    with engine.connect() as conn:
        rows, no_loc, rej, files = conn.execute(stmt).one()
    return {"rows": int(rows), "no_location": int(no_loc), "rejected": int(rej), "files": int(files)}


def reject_sample(engine: Engine, limit: int = 200) -> pd.DataFrame:
    r = rejects.c
    return _read(engine, select(r.file_name, r.row_no, r.reason, r.raw)
                 .order_by(r.file_name, r.row_no).limit(limit))


def crime_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(crimes)).scalar())


def cube_layers(engine: Engine) -> list[str]:
    """Layers with counts in the cube (lsoa appears from the CSV codes even without boundaries)."""
    with engine.connect() as conn:
        names = conn.execute(select(cube.c.layer).distinct()).scalars().all()
        loaded = conn.execute(select(layers.c.layer)).scalars().all()
    # cells are not areas a user picks by name; "_" layers count what the district leaves out
    named = {n for n in set(names) | set(loaded) if n != H3_LAYER and not n.startswith("_")}
    return sorted(named, key=lambda x: (x != ALL_LAYER, x))


def area_options(engine: Engine, layer: str) -> dict[str, str]:
    """Area code -> display name for a layer; codes alone where no boundaries name them."""
    with engine.connect() as conn:
        named = dict(conn.execute(select(areas.c.code, areas.c.name).where(areas.c.layer == layer)
                                  .order_by(areas.c.name)).all())
        if named:
            return named
        codes = conn.execute(select(cube.c.area_code).where(cube.c.layer == layer).distinct()
                             .order_by(cube.c.area_code)).scalars().all()
    return {c: c for c in codes}
