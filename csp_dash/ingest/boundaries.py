"""Import polygon layers (GeoJSON, GeoPackage, zipped shapefile; any CRS) and populations."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from sqlalchemy import Connection, Engine, delete, insert, select, update

from csp_dash.db.bulk import bulk_insert
from csp_dash.db.cube import ALL_LAYER, H3_LAYER, LSOA_LAYER, rebuild_cube
from csp_dash.db.schema import areas, layers
from csp_dash.db.version import bump
from csp_dash.ingest.assign import layer_frame, reassign_layer
from csp_dash.ingest.boundary_checks import check_coordinates, check_geometry, population_notes
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.guard import refuse_into_demo
from csp_dash.ingest.partner.cube import rebuild_all_partner_cubes

LAYER_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
RESERVED_LAYERS = {ALL_LAYER, H3_LAYER}  # built-in layers of the cube
INTERPOLATED = "interpolated from LSOA populations by area of overlap"
CODE_GUESSES = ("code", "lsoa11cd", "lsoa21cd", "wd22cd", "wd23cd", "lad22cd", "lad23cd", "id")
NAME_GUESSES = ("name", "lsoa11nm", "lsoa21nm", "wd22nm", "wd23nm", "lad22nm", "lad23nm")


def read_boundaries(path: str | Path, crs: str | None = None) -> gpd.GeoDataFrame:
    """Read a boundary file, reprojected to EPSG:4326. `crs` overrides a missing or wrong CRS."""
    path = Path(path)
    target = f"zip://{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        gdf = gpd.read_file(target)
    except Exception as exc:  # pyogrio raises several types; all mean "cannot read this"
        raise IngestError(str(path), f"cannot be read as GeoJSON, GeoPackage or zipped shapefile ({exc})") from None
    if gdf.empty:
        raise IngestError(str(path), "holds no features")
    if crs:
        try:
            gdf = gdf.set_crs(crs, allow_override=True)
        except Exception as exc:  # pyproj's CRSError and friends: an unknown CRS name
            raise IngestError(str(path), f"'{crs}' is not a coordinate reference system ({exc})") from None
    if gdf.crs is None:
        raise IngestError(str(path), "has no coordinate reference system; cannot place it on the map"
                          " (give one with --crs, e.g. EPSG:27700 for British National Grid)")
    check_coordinates(gdf, str(path))
    return gdf.to_crs("EPSG:4326")


def _pick(columns: list[str], wanted: str | None, guesses: tuple[str, ...], path: str, what: str) -> str:
    if wanted:
        if wanted not in columns:
            raise IngestError(path, f"has no {what} field '{wanted}' (fields: {', '.join(columns)})")
        return wanted
    lower = {c.lower(): c for c in columns}
    for g in guesses:
        if g in lower:
            return lower[g]
    raise IngestError(path, f"choose the {what} field with --{what}-field (fields: {', '.join(columns)})")


# Shapely's vectorised operations can raise numpy's "invalid value" warning on degenerate
# pieces of real boundaries; the geometry is made valid and checked before it is stored.
@np.errstate(invalid="ignore")
def import_boundaries(engine: Engine, path: str | Path, layer: str, code_field: str | None = None,
                      name_field: str | None = None, crs: str | None = None,
                      notes: list[str] | None = None) -> int:
    """Load or replace a layer, then reassign every crime and rebuild the layer's cube rows.

    Repairs and merges are appended to `notes`; a refused layer leaves the old one in place.
    """
    if not LAYER_NAME.match(layer) or layer in RESERVED_LAYERS:
        raise IngestError(str(path), f"'{layer}' is not a usable layer name (lower case letters, digits, _)")
    refuse_into_demo(engine, path)
    gdf = read_boundaries(path, crs)
    cols = [c for c in gdf.columns if c != "geometry"]
    code_f = _pick(cols, code_field, CODE_GUESSES, str(path), "code")
    name_f = _pick(cols, name_field, NAME_GUESSES, str(path), "name") if name_field or any(
        c.lower() in NAME_GUESSES for c in cols) else code_f
    gdf = _clean(gdf, code_f, name_f, str(path), notes if notes is not None else [])
    try:
        proj = gdf.to_crs(gdf.estimate_utm_crs())
    except (RuntimeError, ValueError) as exc:
        raise IngestError(str(path), f"cannot be projected to measure areas ({exc})") from None
    centroids = proj.geometry.centroid.to_crs("EPSG:4326")
    table = pa.table({
        "layer": [layer] * len(gdf),
        "code": gdf["code"].tolist(),
        "name": gdf["name"].tolist(),
        "geometry": [json.dumps(shapely.geometry.mapping(g)) for g in gdf.geometry],
        "area_km2": (proj.geometry.area / 1e6).to_numpy(),
        "centroid_lon": centroids.x.to_numpy(),
        "centroid_lat": centroids.y.to_numpy(),
    })
    with engine.begin() as conn:
        old_pop = _old_populations(conn, layer)
        old_source = conn.execute(select(layers.c.population_source)
                                  .where(layers.c.layer == layer)).scalar()
        conn.execute(delete(areas).where(areas.c.layer == layer))
        conn.execute(delete(layers).where(layers.c.layer == layer))
        bulk_insert(conn, areas, table)
        conn.execute(insert(layers).values(
            layer=layer, source_file=Path(path).name, code_field=code_f, name_field=name_f,
            n_areas=len(gdf), loaded_at=datetime.now(UTC).replace(tzinfo=None)))
        _restore_populations(conn, layer, old_pop, old_source)
        reassign_layer(conn, layer)
        # LSOAs can change the district (proposed from them): rebuild every layer then.
        rebuild_cube(conn, layers=None if layer == LSOA_LAYER else [layer])
        rebuild_all_partner_cubes(conn)  # partner records are assigned to the same layers
        refresh_interpolated(conn)
        bump(conn)
    return len(gdf)


def _clean(gdf: gpd.GeoDataFrame, code_f: str, name_f: str, path: str,
           notes: list[str]) -> gpd.GeoDataFrame:
    codes = gdf[code_f].astype(str).str.strip()
    out = gpd.GeoDataFrame({"code": codes, "name": gdf[name_f].astype(str).str.strip()},
                           geometry=check_geometry(gdf.geometry, codes, path, notes), crs=gdf.crs)
    dupes = out["code"][out["code"].duplicated()]
    if len(dupes):
        counts = out["code"].value_counts()
        first = dupes.iloc[0]
        notes.append(f"{path}: {counts[first]} features share the code {first}"
                     + (f" ({len(set(dupes))} codes repeat in all)" if dupes.nunique() > 1 else "")
                     + "; each code's features were merged into one area")
        # Several polygons with one code (e.g. islands): dissolve into one area.
        out = out.dissolve(by="code", aggfunc="first", as_index=False)
    return out


def _old_populations(conn: Connection, layer: str) -> pd.DataFrame:
    return pd.read_sql(select(areas.c.code, areas.c.population, areas.c.households)
                       .where(areas.c.layer == layer, areas.c.population.is_not(None)), conn)


def _restore_populations(conn: Connection, layer: str, old: pd.DataFrame, source: str | None) -> None:
    """A replaced boundary file keeps populations imported for the same codes.

    Interpolated populations are not kept: they are recomputed for the new polygons.
    """
    if old.empty or source is None or source == INTERPOLATED:
        return
    _write_populations(conn, layer, old)
    conn.execute(update(layers).where(layers.c.layer == layer)
                 .values(population_source=f"{source} (kept from the previous boundaries)"))


def _write_populations(conn: Connection, layer: str, pop: pd.DataFrame) -> None:
    """Rewrite the layer's rows with new populations (one bulk insert beats a per-row update)."""
    rows = pd.read_sql(select(*[c for c in areas.c if c.name not in ("population", "households")])
                       .where(areas.c.layer == layer), conn)
    pop = pop[["code", "population", "households"]].astype({"population": float, "households": float})
    rows = rows.merge(pop, on="code", how="left")
    conn.execute(delete(areas).where(areas.c.layer == layer))
    bulk_insert(conn, areas, pa.Table.from_pandas(rows, preserve_index=False))


def import_population(engine: Engine, path: str | Path, layer: str, code_field: str | None = None,
                      population_field: str | None = None, households_field: str | None = None,
                      notes: list[str] | None = None) -> int:
    """Set populations for a layer's areas from a CSV of code -> population. Returns areas matched."""
    path = Path(path)
    refuse_into_demo(engine, path)
    try:
        df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise IngestError(str(path), f"cannot be read as a UTF-8 CSV ({exc})") from None
    cols = list(df.columns)
    code_f = _pick(cols, code_field, CODE_GUESSES, str(path), "code")
    pop_f = _pick(cols, population_field, ("population", "mid2018_population", "all ages", "total"),
                  str(path), "population")
    hh_f = households_field or next((c for c in cols if c.lower() == "households"), None)
    pop = pd.to_numeric(df[pop_f].str.replace(",", ""), errors="coerce")
    bad = pop.isna() | (pop < 0)
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise IngestError(str(path), f"population '{df[pop_f].iloc[i]}' is not a number of people", row=i + 1)
    dup = df[code_f].str.strip().duplicated(keep=False)
    if dup.any():
        code = df[code_f].str.strip()[dup].iloc[0]
        rows = [i + 1 for i in np.flatnonzero((df[code_f].str.strip() == code).to_numpy())]
        raise IngestError(str(path), f"{len(rows)} rows share the code {code} (rows "
                          f"{', '.join(map(str, rows[:5]))}): give each area one population")
    frame = pd.DataFrame({"code": df[code_f].str.strip(), "population": pop,
                          "households": pd.to_numeric(df[hh_f], errors="coerce") if hh_f else np.nan})
    with engine.begin() as conn:
        codes = set(conn.execute(select(areas.c.code).where(areas.c.layer == layer)).scalars())
        if not codes:
            raise IngestError(str(path), f"layer '{layer}' has no areas: import its boundaries first")
        matched = frame[frame["code"].isin(codes)]
        if matched.empty:
            raise IngestError(str(path), f"none of its {len(frame)} codes match layer '{layer}'")
        if notes is not None:
            notes.extend(population_notes(str(path), frame, codes, layer))
        _write_populations(conn, layer, matched)
        conn.execute(update(layers).where(layers.c.layer == layer)
                     .values(population_source=f"imported from {path.name}"))
        refresh_interpolated(conn)
        bump(conn)
    return len(matched)


def refresh_interpolated(conn: Connection) -> None:
    """Give every layer without imported populations an estimate from the LSOA layer."""
    lsoa_pop = pd.read_sql(select(areas.c.code, areas.c.population, areas.c.households)
                           .where(areas.c.layer == LSOA_LAYER, areas.c.population.is_not(None)), conn)
    targets = [r.layer for r in conn.execute(select(layers.c.layer, layers.c.population_source))
               if r.layer != LSOA_LAYER and (r.population_source in (None, INTERPOLATED))]
    if lsoa_pop.empty or not targets:
        return
    lsoa = layer_frame(conn, LSOA_LAYER).merge(lsoa_pop, on="code")
    for layer in targets:
        est = interpolate_population(lsoa, layer_frame(conn, layer))
        _write_populations(conn, layer, est)
        conn.execute(update(layers).where(layers.c.layer == layer).values(population_source=INTERPOLATED))


@np.errstate(invalid="ignore")
def interpolate_population(source: gpd.GeoDataFrame, target: gpd.GeoDataFrame) -> pd.DataFrame:
    """Areal interpolation: each source area's people are shared by the share of its area overlapped."""
    crs = source.estimate_utm_crs()
    src = source.to_crs(crs)
    src["src_area"] = src.geometry.area
    pieces = gpd.overlay(src[["population", "households", "src_area", "geometry"]],
                         target[["code", "geometry"]].to_crs(crs), how="intersection", keep_geom_type=True)
    share = pieces.geometry.area / pieces["src_area"]
    pieces["population"] = pieces["population"] * share
    pieces["households"] = pieces["households"].astype(float) * share
    out = pieces.groupby("code", as_index=False)[["population", "households"]].sum(min_count=1)
    return target[["code"]].merge(out, on="code", how="left").fillna({"population": 0.0})
