"""Two apps on one database (AppTest): a write through another engine shows at the next run.

The write goes through its own engine, as another replica or `csp-dash ingest` would, never
through the apps' cache; the TTL is far longer than the test, so only the data version can
make the apps read again (docs/architecture.md, "Several replicas").
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from csp_dash.db import queries
from csp_dash.db.engine import make_engine
from csp_dash.ingest.police import ingest_police
from csp_dash.ui import cached
from tests.policeuk_files import month_rows, write_street_csv


def _page() -> None:
    import streamlit as st

    from csp_dash.ui import cached
    from csp_dash.ui.state import db_url, ensure_data

    ensure_data()
    span = cached.month_range(db_url())
    st.text(f"last month: {span[1]:%Y-%m}" if span else "no data")


def _app() -> AppTest:
    at = AppTest.from_function(_page, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown(at: AppTest) -> str:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at.text[0].value


def test_write_elsewhere_shows_in_both_apps_at_next_run(engine, tmp_path: Path, monkeypatch):
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CSP_DASH_DB_URL", url)
    assert cached.TTL >= 300  # the fallback timer cannot be what refreshes them here
    reads: list[int] = []
    real = queries.month_range
    monkeypatch.setattr(queries, "month_range", lambda *a, **k: reads.append(1) or real(*a, **k))
    cached.month_range.clear()

    writer = make_engine(url)  # another replica's (or a command's) own engine
    try:
        ingest_police(writer, [write_street_csv(tmp_path, "2024-01", month_rows("2024-01", 3))])
        first, second = _app(), _app()
        assert _shown(first) == _shown(second) == "last month: 2024-01"
        assert len(reads) == 1  # the apps share the cached result while nothing is written

        ingest_police(writer, [write_street_csv(tmp_path, "2024-02", month_rows("2024-02", 3))])
        assert _shown(second) == "last month: 2024-02"  # its next run, not after the TTL
        assert _shown(first) == "last month: 2024-02"
        assert len(reads) == 2  # read once for the new version, then shared again
    finally:
        writer.dispose()


def test_version_is_read_once_per_run(engine, monkeypatch):
    """One single-row read per run, however many cached queries the run makes."""
    from csp_dash.ui import state

    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CSP_DASH_DB_URL", url)
    calls: list[str] = []
    real = state._read_version
    monkeypatch.setattr(state, "_read_version", lambda u: calls.append(u) or real(u))
    at = AppTest.from_function(_many_queries, default_timeout=60)
    for _ in range(3):
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    assert calls == [url] * 3


def _many_queries() -> None:
    from csp_dash.ui import cached
    from csp_dash.ui.state import db_url, ensure_data

    ensure_data()
    url = db_url()
    cached.month_range(url)
    cached.theme_table(url)
    cached.layer_table(url)
    cached.cube_layers(url)


def _areas_page() -> None:
    import streamlit as st

    from csp_dash.ui.hotspots import data as hotspot_data
    from csp_dash.ui.state import db_url, ensure_data

    ensure_data()
    codes, _, _ = hotspot_data.layer_geometry(db_url(), "estate")
    st.text(", ".join(codes))


def test_a_boundary_load_elsewhere_shows_in_the_hotspot_polygons(engine, tmp_path: Path,
                                                                  monkeypatch):
    """The map's polygons (shared resources, not copied per hit) follow the data version too: a
    layer loaded by another replica or command is drawn at the next run, not after the TTL."""
    import geopandas as gpd
    from shapely.geometry import box

    from csp_dash.ingest.boundaries import import_boundaries

    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CSP_DASH_DB_URL", url)
    writer = make_engine(url)

    def estates(codes: list[str]) -> None:
        path = tmp_path / f"estate{len(codes)}.geojson"
        gpd.GeoDataFrame({"code": codes, "name": codes},
                         geometry=[box(i * 0.01, 51.0, i * 0.01 + 0.009, 51.01) for i in range(len(codes))],
                         crs="EPSG:4326").to_file(path, driver="GeoJSON")
        import_boundaries(writer, path, "estate", "code", "name")

    try:
        ingest_police(writer, [write_street_csv(tmp_path, "2024-01", month_rows("2024-01", 3))])
        estates(["EST-A", "EST-B"])
        at = AppTest.from_function(_areas_page, default_timeout=60)
        assert _shown(at) == "EST-A, EST-B"
        estates(["EST-A", "EST-B", "EST-C"])
        assert _shown(at) == "EST-A, EST-B, EST-C"
    finally:
        writer.dispose()
