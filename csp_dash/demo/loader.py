"""Build the synthetic demo district: write its files, then load them through the real ingest."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, delete, insert

from csp_dash import config
from csp_dash.db.engine import DEMO_BUILDING, DEMO_FLAG, demo_flag
from csp_dash.db.schema import schema_meta
from csp_dash.db.version import bump
from csp_dash.demo import burglary, comparators, partner, plan, priorities
from csp_dash.demo.police import DEMO_DISTRICT_NAME, write_demo_files
from csp_dash.ingest.boundaries import import_boundaries, import_population
from csp_dash.ingest.police import Progress, ingest_police

# Each feature adds its own demo data: a module with load(engine, files: DemoFiles), listed here.
DEMO_EXTRAS = [comparators, partner, priorities, burglary, plan]
DEMO_LABEL = f"{DEMO_DISTRICT_NAME} (synthetic demo data)"


def load_demo(engine: Engine, out_dir: Path | None = None, progress: Progress | None = None,
              seed: int = 2026) -> str:
    """Write the demo's files under data/demo (or out_dir) and ingest them like real data."""
    out_dir = out_dir or config.DATA_DIR / "demo"
    _set_flag(engine, DEMO_BUILDING)
    if progress:
        progress(0, 1, "writing the demo district's files")
    files = write_demo_files(out_dir, seed=seed)
    # Boundaries first, so crimes are assigned to estates as they load.
    for layer, path in (("district", files.district_geojson), ("ward", files.wards_geojson),
                        ("lsoa", files.lsoa_geojson), ("estate", files.estates_geojson)):
        if progress:
            progress(0, 1, f"loading {layer} boundaries")
        import_boundaries(engine, path, layer, "code", "name")
    import_population(engine, files.population_csv, "lsoa", "code", "population", "households")
    report = ingest_police(engine, [files.street_dir], progress=progress)
    if report.refused:
        raise RuntimeError(f"the demo's own files were refused: {report.refused[0].error}")
    for module in DEMO_EXTRAS:
        if progress:
            progress(0, 1, f"loading {module.__name__.rsplit('.', 1)[-1].replace('_', ' ')}")
        module.load(engine, files)
    _set_flag(engine, DEMO_LABEL)
    return (f"{DEMO_LABEL}: {report.total('rows'):,} rows over {len(files.months)} months "
            f"(missing {files.missing_month}), files in {out_dir}")


def _set_flag(engine: Engine, value: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(schema_meta).where(schema_meta.c.key == DEMO_FLAG))
        conn.execute(insert(schema_meta).values(key=DEMO_FLAG, value=value))
        bump(conn)


def needs_demo(engine: Engine) -> bool:
    """An empty database, or a demo build that was cut short (loading it again is idempotent)."""
    from csp_dash.db.queries import crime_count

    return crime_count(engine) == 0 or demo_flag(engine) == DEMO_BUILDING
