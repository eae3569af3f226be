"""Fetching police.uk data: archive and API routes against a local stand-in server."""

from __future__ import annotations

import json
import time

import pytest
import shapely
from sqlalchemy import func, select
from werkzeug import Response

from csp_dash.db.schema import crimes, ingest_files
from csp_dash.fetch import archive
from csp_dash.fetch.district import DistrictSpec
from csp_dash.fetch.errors import FetchError, NotPublished
from csp_dash.fetch.police import fetch_police
from csp_dash.fetch.update import update
from csp_dash.ingest.boundaries import import_boundaries
from tests.fetch_fixtures import FakeApi, csv_of, fast_client, ranged, read_rows, zip_bytes
from tests.policeuk_files import crime, db_snapshot

DISTRICT = shapely.box(1.0, 51.7, 1.1, 51.8)
LSOAS = {"E01000001": (1.0, 1.05), "E01000002": (1.05, 1.1), "E01000003": (1.1, 1.2)}
CATS = ["Burglary", "Shoplifting", "Anti-social behaviour", "Violence and sexual offences"]


def essex_rows(month: str) -> list[dict]:
    rows = []
    for i in range(12):  # in the district, both LSOAs, four categories
        lsoa = "E01000001" if i % 2 else "E01000002"
        lon = LSOAS[lsoa][0] + 0.001 + i * 0.002
        rows.append(crime(month, CATS[i % 4], lon=lon, lat=51.75, lsoa=lsoa,
                          crime_id=f"e-{month}-{i}"))
    rows += [crime(month, "Drugs", lon=1.15, lat=51.75, lsoa="E01000003", crime_id=f"o-{month}-{i}")
             for i in range(3)]  # the force's rows outside the district
    rows += [crime(month, "Robbery", lon=None, lat=None, crime_id=f"n-{month}-{i}") for i in range(2)]
    return rows


def far_rows(month: str, force: str, lon: float, lat: float) -> list[dict]:
    return [crime(month, "Burglary", lon=lon, lat=lat + i * 1e-3, lsoa="E01099001", force=force,
                  crime_id=f"{force}-{month}-{i}") for i in range(4)]


def archive_zip(months: list[str]) -> bytes:
    members = {}
    for m in months:
        members[f"{m}/{m}-essex-street.csv"] = csv_of(essex_rows(m))
        members[f"{m}/{m}-kent-street.csv"] = csv_of(far_rows(m, "kent", 0.5, 51.3))
        members[f"{m}/{m}-suffolk-street.csv"] = csv_of(far_rows(m, "suffolk", 1.2, 52.2))
        members[f"{m}/{m}-essex-outcomes.csv"] = b"Crime ID,Month\n"
    return zip_bytes(members)


@pytest.fixture
def lsoa_file(tmp_path):
    feats = [{"type": "Feature", "properties": {"code": c, "name": f"Testshire {c[-3:]}"},
              "geometry": shapely.geometry.mapping(shapely.box(x0, 51.7, x1, 51.8))}
             for c, (x0, x1) in LSOAS.items()]
    path = tmp_path / "lsoa.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats,
                                "crs": {"type": "name", "properties": {"name": "EPSG:4326"}}}))
    return path


def loaded(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(crimes.c.force, func.count()).group_by(crimes.c.force)).all())


def test_archive_month_loads_only_the_district_force(engine, httpserver, tmp_path):
    httpserver.expect_request("/archive/2018-01.zip").respond_with_data(
        archive_zip(["2017-12", "2018-01"]), content_type="application/zip")
    report = fetch_police(engine, DistrictSpec(DISTRICT), ["2018-01"], "archive",
                          fast_client(httpserver), tmp_path / "cache")
    assert report.forces == ["essex"] and report.archive_months == ["2018-01"]
    assert loaded(engine) == {"essex": len(essex_rows("2018-01"))}  # the force file, whole
    assert (tmp_path / "cache" / "2018-01.zip.sha256").exists()
    # A second fetch of an older month reuses the cached archive: no new download.
    fetch_police(engine, DistrictSpec(DISTRICT), ["2017-12"], "archive", fast_client(httpserver),
                 tmp_path / "cache")
    assert len(httpserver.log) == 1  # 2017-12 came from the cached 2018-01 archive
    assert loaded(engine) == {"essex": 2 * len(essex_rows("2018-01"))}


def test_force_chosen_by_lsoa_code_alone():
    spec = DistrictSpec(shapely.box(5, 5, 6, 6), frozenset({"E01099001"}))
    assert archive.file_in_district(csv_of(far_rows("2018-01", "kent", 0.5, 51.3)), spec)
    assert not archive.file_in_district(csv_of(far_rows("2018-01", "kent", 0.5, 51.3)),
                                        DistrictSpec(shapely.box(5, 5, 6, 6)))


def _api(httpserver, months=("2018-01",), **kw) -> FakeApi:
    rows = read_rows(csv_of([r for m in months for r in essex_rows(m)]))
    fake = FakeApi(rows, **kw)
    fake.serve(httpserver, list(months))
    return fake


def test_api_splits_a_polygon_answered_503(engine, httpserver, tmp_path, lsoa_file):
    import_boundaries(engine, lsoa_file, "lsoa", "code", "name")
    fake = _api(httpserver, limit=5)  # 12 crimes in the district: the first ask is refused
    report = fetch_police(engine, DistrictSpec(DISTRICT, force="essex"), ["2018-01"], "api",
                          fast_client(httpserver), tmp_path)
    assert fake.calls[0][1] == 503 and len(fake.calls) > 3
    assert loaded(engine) == {"essex": 12 + 2}  # district crimes once each, plus no-location
    assert any("LSOA assigned from the loaded 'lsoa' layer" in n for n in report.notes)


def test_api_uses_post_when_get_is_refused(engine, httpserver, tmp_path):
    fake = _api(httpserver, get_limit=50)
    fetch_police(engine, DistrictSpec(DISTRICT, force="essex"), ["2018-01"], "api",
                 fast_client(httpserver), tmp_path)
    assert fake.calls == [("GET", 400), ("POST", 12)]


def test_api_waits_and_retries_on_429(engine, httpserver, tmp_path):
    fake = FakeApi(read_rows(csv_of(essex_rows("2018-01"))))
    hits = []

    def busy_then_fine(request):
        hits.append(request.method)
        return Response("slow down", status=429) if len(hits) <= 2 else fake.street(request)

    fake.serve(httpserver, ["2018-01"], street=busy_then_fine)
    waits: list[float] = []
    client = fast_client(httpserver, sleep=waits.append)
    fetch_police(engine, DistrictSpec(DISTRICT, force="essex"), ["2018-01"], "api", client, tmp_path)
    assert loaded(engine) == {"essex": 14} and len(hits) == 3
    assert [w for w in waits if w >= 0.001][:2] == [0.001, 0.002]  # backed off, doubling


def test_unpublished_month_is_a_clear_error_and_loads_nothing(engine, httpserver, tmp_path):
    httpserver.expect_request("/archive/2018-03.zip").respond_with_data("no", status=404)
    httpserver.expect_request("/api/crimes-street-dates").respond_with_data("no", status=404)
    with pytest.raises(FetchError, match="2018-03"):
        fetch_police(engine, DistrictSpec(DISTRICT), ["2018-03"], "archive",
                     fast_client(httpserver), tmp_path)
    with pytest.raises(NotPublished, match="404"):
        fast_client(httpserver).api_json("crimes-street-dates")
    assert loaded(engine) == {}


def test_timeout_is_retried_then_reported(duck_engine, httpserver, tmp_path):
    def slow(request):
        time.sleep(0.6)
        return Response("late")

    httpserver.expect_request("/archive/2018-01.zip").respond_with_handler(slow)
    client = fast_client(httpserver, timeout=0.2, retries=1)
    with pytest.raises(FetchError, match="no answer within 0.2 s after 2 tries"):
        fetch_police(duck_engine, DistrictSpec(DISTRICT), ["2018-01"], "archive", client, tmp_path)
    assert loaded(duck_engine) == {}


def test_truncated_zip_is_refused_and_deleted(duck_engine, httpserver, tmp_path):
    data = archive_zip(["2018-01"])
    httpserver.expect_request("/archive/2018-01.zip").respond_with_data(data[: len(data) // 2])
    with pytest.raises(FetchError, match="not a readable zip"):
        fetch_police(duck_engine, DistrictSpec(DISTRICT), ["2018-01"], "archive",
                     fast_client(httpserver), tmp_path)
    assert not list(tmp_path.glob("2018-01.zip*")) and loaded(duck_engine) == {}


def test_zip_with_unexpected_layout_is_refused(duck_engine, httpserver, tmp_path):
    data = zip_bytes({"2018-01-essex-street.csv": csv_of(essex_rows("2018-01"))})
    httpserver.expect_request("/archive/2018-01.zip").respond_with_data(data)
    with pytest.raises(FetchError, match="unexpected layout: '2018-01-essex-street.csv'"):
        fetch_police(duck_engine, DistrictSpec(DISTRICT), ["2018-01"], "archive",
                     fast_client(httpserver), tmp_path)
    assert loaded(duck_engine) == {}


def test_interrupted_download_resumes(duck_engine, httpserver, tmp_path):
    data = archive_zip(["2018-01"])
    (tmp_path / "2018-01.zip.part").write_bytes(data[:1000])  # what a cut-short run left
    httpserver.expect_request("/archive/2018-01.zip").respond_with_handler(ranged(data))
    fetch_police(duck_engine, DistrictSpec(DISTRICT), ["2018-01"], "archive",
                 fast_client(httpserver), tmp_path)
    assert httpserver.log[0][0].headers["Range"] == "bytes=1000-"
    assert (tmp_path / "2018-01.zip").read_bytes() == data
    assert loaded(duck_engine) == {"essex": 17}


def test_update_twice_changes_nothing_the_second_time(engine, httpserver, tmp_path):
    FakeApi(read_rows(csv_of(essex_rows("2018-01")))).serve(httpserver, ["2017-12", "2018-01"])
    httpserver.expect_request("/archive/2018-01.zip").respond_with_data(
        archive_zip(["2017-12", "2018-01"]))
    spec = DistrictSpec(DISTRICT)
    first = update(engine, spec, client=fast_client(httpserver), cache_dir=tmp_path)
    assert first.ok and first.line.startswith("updated: 2 month(s) 2017-12 to 2018-01")
    before, asked = db_snapshot(engine), len(httpserver.log)
    second = update(engine, spec, client=fast_client(httpserver), cache_dir=tmp_path)
    assert second.ok and second.line.startswith("up to date: newest month 2018-01")
    assert db_snapshot(engine) == before
    assert [r.path for r, _ in httpserver.log[asked:]] == ["/api/crime-last-updated",
                                                           "/api/crimes-street-dates"]


def _counts(engine, where=None):
    q = select(crimes.c.category, crimes.c.lsoa_code, func.count()).group_by(
        crimes.c.category, crimes.c.lsoa_code)
    if where is not None:
        q = q.where(where)
    with engine.connect() as conn:
        return {(c, lsoa or ""): n for c, lsoa, n in conn.execute(q)}


def test_api_and_archive_routes_agree_by_category_and_lsoa(engine, httpserver, tmp_path, lsoa_file):
    httpserver.expect_request("/archive/2018-01.zip").respond_with_data(archive_zip(["2018-01"]))
    _api(httpserver, limit=5)
    import_boundaries(engine, lsoa_file, "lsoa", "code", "name")
    spec = DistrictSpec(DISTRICT, force="essex")
    fetch_police(engine, spec, ["2018-01"], "archive", fast_client(httpserver), tmp_path)
    in_district = (crimes.c.lsoa_code.in_(["E01000001", "E01000002"])
                   | crimes.c.longitude.is_(None))
    by_archive = _counts(engine, in_district)
    fetch_police(engine, spec, ["2018-01"], "api", fast_client(httpserver), tmp_path)
    with engine.connect() as conn:
        name = conn.execute(select(ingest_files.c.file_name)).scalar()
    assert "police-uk-api" in name  # the API's file replaced the archive's force-month
    assert _counts(engine) == by_archive and sum(by_archive.values()) == 14
