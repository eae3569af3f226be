"""The ingest pipeline of issue 17: chunks of whole months, parsing ahead, vectorised pieces."""

from __future__ import annotations

import re
from pathlib import Path

import h3
import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from csp_dash.db.cube import H3_LAYER, H3_RESOLUTION
from csp_dash.db.locations import key_to_lonlat, location_keys
from csp_dash.db.schema import crimes, cube, location_areas
from csp_dash.ingest import police
from csp_dash.ingest.assign import distinct_keys, h3_cells
from csp_dash.ingest.checks import has_control
from csp_dash.ingest.police import ingest_police
from tests.policeuk_files import month_rows, write_street_csv

MONTHS = ["2018-01", "2018-02", "2018-03"]
FORCES = ["essex", "kent", "suffolk"]


def _per_month(engine, table, count) -> dict:
    with engine.connect() as conn:
        sel = select(table.c.month, count).group_by(table.c.month)
        if table is cube:
            sel = sel.where(cube.c.layer == "all")
        return {str(m): int(n) for m, n in conn.execute(sel).all()}


def _folder(tmp_path: Path, rows: int = 4) -> list[Path]:
    """Force-major order (all of a force's months, then the next force): not month order."""
    return [write_street_csv(tmp_path / f, m, month_rows(m, rows + i, force=f), force=f)
            for i, f in enumerate(FORCES) for m in MONTHS]


def test_each_chunk_holds_whole_months_and_each_month_is_built_once(engine, tmp_path, monkeypatch):
    paths = _folder(tmp_path)
    monkeypatch.setattr(police, "CHUNK_ROWS", 20)  # a month here is 4 + 5 + 6 = 15 rows
    built: list[list] = []
    real = police.rebuild_cube

    def spy(conn, *, months=None, layers=None):
        built.append(sorted(set(months)))
        return real(conn, months=months, layers=layers)

    monkeypatch.setattr(police, "rebuild_cube", spy)
    report = ingest_police(engine, paths)
    assert [f.status for f in report.files] == ["loaded"] * 9
    # Several chunks, and no month in two of them.
    flat = [m for months in built for m in months]
    assert len(built) > 1 and len(flat) == len(set(flat)) == 3
    # Every commit leaves the cube in step with the crimes, month by month.
    assert _per_month(engine, crimes, func.count()) == _per_month(engine, cube, func.sum(
        cube.c["count"])) == {f"{m}-01": 15 for m in MONTHS}


def test_a_force_month_again_in_a_later_chunk_replaces_the_first(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(police, "CHUNK_ROWS", 1)  # every file its own chunk
    first = write_street_csv(tmp_path / "a", "2018-01", month_rows("2018-01", 3))
    other = write_street_csv(tmp_path / "b", "2018-02", month_rows("2018-02", 5))
    again = write_street_csv(tmp_path / "c", "2018-01", month_rows("2018-01", 7, category="Drugs"))
    # Names give months, so the files go in month order: first and again share a month.
    report = ingest_police(engine, [first, other, again])
    assert [(f.file_name, f.status) for f in report.files] == [
        (str(first), "loaded"), (str(again), "replaced"), (str(other), "loaded")]
    assert _per_month(engine, crimes, func.count()) == {"2018-01-01": 7, "2018-02-01": 5}
    assert _per_month(engine, cube, func.sum(cube.c["count"])) == {"2018-01-01": 7,
                                                                  "2018-02-01": 5}


def test_files_without_police_uk_names_keep_the_callers_order(engine, tmp_path):
    a = write_street_csv(tmp_path, "2018-02", month_rows("2018-02", 2), name="feb.csv")
    b = write_street_csv(tmp_path, "2018-01", month_rows("2018-01", 3))
    report = ingest_police(engine, [a, b])
    assert [f.month for f in report.files] == ["2018-02", "2018-01"]


def test_an_identical_copy_later_in_one_call_is_unchanged(engine, tmp_path):
    rows = month_rows("2018-01", 3)
    one = write_street_csv(tmp_path / "a", "2018-01", rows)
    two = write_street_csv(tmp_path / "b", "2018-01", rows)
    report = ingest_police(engine, [one, two])
    assert {f.file_name: (f.status, f.rows) for f in report.files} == {
        str(one): ("loaded", 3), str(two): ("unchanged", 3)}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(crimes)).scalar() == 3


def test_reingest_of_a_folder_is_unchanged_and_the_h3_cells_are_h3s(engine, tmp_path):
    paths = _folder(tmp_path)
    ingest_police(engine, paths)
    again = ingest_police(engine, paths)
    assert {f.status for f in again.files} == {"unchanged"}
    with engine.connect() as conn:
        got = pd.DataFrame(conn.execute(select(location_areas.c.location_key,
                                               location_areas.c.area_code)
                                        .where(location_areas.c.layer == H3_LAYER)).all())
    lon, lat = key_to_lonlat(got["location_key"].to_numpy())
    assert len(got) == len(set(got["location_key"])) > 0  # each point assigned once
    assert got["area_code"].tolist() == [h3.latlng_to_cell(y, x, H3_RESOLUTION)
                                         for x, y in zip(lon, lat, strict=True)]


def test_h3_cells_match_h3_point_by_point():
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(-6, 2, 500), rng.uniform(49.9, 55.9, 500)
    keys = np.asarray(location_keys(lon, lat), dtype=np.int64)
    x, y = key_to_lonlat(keys)
    assert h3_cells(keys).to_pylist() == [h3.latlng_to_cell(b, a, H3_RESOLUTION)
                                          for a, b in zip(x, y, strict=True)]
    assert h3_cells(np.empty(0, np.int64)).to_pylist() == []


@pytest.mark.parametrize("values", [[], [5], [3, 1, 3, 2, 1], [2**62, -1, 2**62, 0]])
def test_distinct_keys_are_numpys_unique(values):
    assert distinct_keys(np.array(values, dtype=np.int64)).tolist() == np.unique(
        np.array(values, dtype=np.int64)).tolist()


def test_control_characters_are_found_as_the_pattern_finds_them():
    pattern = re.compile(rb"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
    for byte in range(256):
        data = b"Crime ID,Month\nabc," + bytes([byte]) + b"\r\n"
        assert has_control(data) == (pattern.search(data) is not None), byte
