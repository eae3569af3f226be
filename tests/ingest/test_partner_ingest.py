"""Partner import: saved mapping, exact errors, nothing half-loaded, idempotency, no raw keys.

Runs on DuckDB and PostgreSQL (the ``engine`` fixture).
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import String, Text, func, select

from csp_dash.db.schema import cube, metadata
from csp_dash.db.schema_partner import partner_records, partner_rejects
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.partner import load as partner_mod
from csp_dash.ingest.partner.load import ingest_partner, remove_dataset, saved_mapping
from tests.partner_fixtures import SECRET, load_boundaries, mapping, row, write_csv
from tests.policeuk_files import db_snapshot


@pytest.fixture
def db(engine, tmp_path: Path):
    load_boundaries(engine, tmp_path / "bounds")
    return engine


def _good_rows() -> list[list[str]]:
    return [
        row("05/01/2024", lat="51.702", lon="1.002", victim="VICTIM-0001"),  # estate A, LSOA 1
        row("07/02/2024", lsoa="E01000002", victim="victim-0001 ", repeat="Y"),  # same victim
        row("07/02/2024", "Non-crime incident", estate="brookfield", victim="VICTIM-0002"),
        row("20/02/2024", "Stalking", victim="", da="N"),  # no location, no key, no DA flag
    ]


def _records(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(select(partner_records).order_by(partner_records.c.row_no), conn)


def _cube(engine, source: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(
            select(
                cube.c.layer, cube.c.area_code, cube.c.category, func.sum(cube.c.count).label("n")
            )
            .where(cube.c.source == source)
            .group_by(cube.c.layer, cube.c.area_code, cube.c.category)
            .order_by(cube.c.layer, cube.c.area_code, cube.c.category),
            conn,
        )


def test_rows_are_located_pseudonymised_and_reach_the_cube(db, tmp_path):
    m = mapping(flags={"repeat": "Repeat", "domestic": "DA flag"})
    r = ingest_partner(
        db, write_csv(tmp_path / "da.csv", _good_rows()), "police_da", m, secret=SECRET
    )
    assert (r.status, r.rows, r.rejected, r.no_location) == ("loaded", 4, 0, 1)
    assert (r.first_month, r.last_month) == ("2024-01", "2024-02")
    rec = _records(db)
    # The point lies in LSOA 1 (derived by point-in-polygon) and estate A (via location_areas);
    # the LSOA-coded row keeps its code; the estate-name row matched ignoring case.
    assert list(rec["lsoa_code"].fillna("-")) == ["E01000001", "E01000002", "-", "-"]
    assert list(rec["estate_code"].fillna("-")) == ["-", "-", "EST-B", "-"]
    assert rec["location_key"].notna().tolist() == [True, False, False, False]
    assert list(rec["flags"]) == ["|domestic|", "|domestic|repeat|", "|domestic|", ""]
    # HMAC-SHA256 of the trimmed, upper-cased key, computed here independently.
    want = hmac.new(SECRET.encode(), b"VICTIM-0001", hashlib.sha256).hexdigest()
    assert rec["victim_key"].iloc[0] == rec["victim_key"].iloc[1] == want
    assert rec["victim_key"].iloc[2] != want and pd.isna(rec["victim_key"].iloc[3])

    every = _cube(db, "police_da")
    # The row with no location is counted on its own line, not in the district's figures.
    assert every.loc[every["layer"] == "all", "n"].sum() == 3
    assert every.loc[every["layer"] == "_no_location", "n"].sum() == 1
    by_estate = every[every["layer"] == "estate"].set_index("area_code")["n"]
    assert by_estate.to_dict() == {"EST-A": 1, "EST-B": 1}
    by_lsoa = every[every["layer"] == "lsoa"].set_index("area_code")["n"]
    assert by_lsoa.to_dict() == {"E01000001": 1, "E01000002": 1}
    assert every.loc[every["layer"] == "h3", "n"].sum() == 1  # only the row with a point
    da = _cube(db, "police_da/domestic")
    assert da.loc[da["layer"] == "all", "n"].sum() == 3  # the unflagged Stalking row is out
    rep = _cube(db, "police_da/repeat")
    assert rep[rep["layer"] == "all"][["category", "n"]].values.tolist() == [
        ["Violence with injury", 1]
    ]


def test_a_dataset_theme_flags_every_record(db, tmp_path):
    ingest_partner(
        db, write_csv(tmp_path / "da.csv", _good_rows()), "police_da", mapping(), secret=SECRET
    )
    assert set(_records(db)["flags"]) == {"|domestic|", "|domestic|repeat|"}


def test_the_mapping_is_saved_and_reused(db, tmp_path):
    m = mapping(flags={"repeat": "Repeat", "alcohol": "DA flag"})
    ingest_partner(
        db, write_csv(tmp_path / "jan.csv", _good_rows()[:1]), "police_da", m, secret=SECRET
    )
    assert saved_mapping(db, "police_da") == m
    later = [row("03/03/2024", lsoa="E01000001", victim="VICTIM-0009", da="Y")]
    r = ingest_partner(db, write_csv(tmp_path / "mar.csv", later), "police_da", secret=SECRET)
    assert (r.status, r.rows) == ("loaded", 1)
    # The saved mapping's "alcohol" flag (read from the DA flag column) applied to March too.
    assert _records(db).set_index("row_no").loc[1, "flags"].tolist() == ["|alcohol|domestic|"] * 2


def test_a_new_dataset_without_a_mapping_is_refused(db, tmp_path):
    p = write_csv(tmp_path / "x.csv", _good_rows())
    with pytest.raises(IngestError) as err:
        ingest_partner(db, p, "hate_data", secret=SECRET)
    assert str(err.value) == (
        f"{p}: no mapping is saved for dataset 'hate_data': give one "
        "(--mapping FILE, or choose the columns on the Data page)"
    )


def _wrong_date_format(d: Path) -> tuple[Path, str]:
    p = write_csv(d / "iso.csv", [row("2024-01-05"), row("2024-02-07")])
    return p, (
        f"{p}, row 1 (line 2): no date in column 'Date' is in the mapped format DD/MM/YYYY "
        "(row 1 has '2024-01-05'); check the mapping's date format"
    )


def _missing_column(d: Path) -> tuple[Path, str]:
    header = [
        "Ref",
        "Date",
        "Offence",
        "Latitude",
        "Longitude",
        "LSOA",
        "Estate",
        "Victim ID",
        "DA flag",
        "Repeat",
    ]
    p = write_csv(d / "renamed.csv", [row()], header=header)
    return p, (
        f"{p}: missing mapped column(s) 'LSOA code' (LSOA code); the file's columns are: "
        f"{', '.join(header)}"
    )


def _every_lsoa_unknown(d: Path) -> tuple[Path, str]:
    p = write_csv(d / "lsoa.csv", [row(lsoa="E01999999"), row(lsoa="E01999998")])
    return (
        p,
        f"{p}, row 1 (line 2): every row was rejected; the first: unknown LSOA code 'E01999999'",
    )


def _no_secret(d: Path) -> tuple[Path, str]:
    p = write_csv(d / "keyed.csv", _good_rows())
    return p, (
        f"{p}: the mapping has a victim/case key column but no pseudonym secret is "
        "configured: set CSP_DASH_PSEUDONYM_SECRET (or pseudonym_secret in "
        ".streamlit/secrets.toml) and load it again"
    )


@pytest.mark.parametrize(
    "case",
    [_wrong_date_format, _missing_column, _every_lsoa_unknown, _no_secret],
    ids=lambda c: c.__name__.strip("_"),
)
def test_refused_files_give_an_exact_error_and_change_nothing(db, tmp_path, monkeypatch, case):
    ingest_partner(
        db, write_csv(tmp_path / "ok.csv", _good_rows()), "police_da", mapping(), secret=SECRET
    )
    before = db_snapshot(db)
    path, message = case(tmp_path / "bad")
    secret = SECRET
    if case is _no_secret:
        monkeypatch.setenv("CSP_DASH_PSEUDONYM_SECRET", "")
        secret = None  # taken from configuration: empty
    with pytest.raises(IngestError) as err:
        ingest_partner(db, path, "police_da", mapping(), secret=secret)
    assert str(err.value) == message
    assert db_snapshot(db) == before


def test_row_faults_go_to_the_rejects_with_row_and_reason(db, tmp_path):
    rows = _good_rows() + [
        row("31/02/2024"),
        row(lsoa="E01999999"),
        row(estate="Nowhere"),
        row(lat="51.7"),
        row(repeat="maybe"),
        row(offence=""),
    ]
    r = ingest_partner(
        db, write_csv(tmp_path / "da.csv", rows), "police_da", mapping(), secret=SECRET
    )
    assert (r.rows, r.rejected) == (4, 6)
    assert r.rejects.values.tolist() == [
        [5, "date '31/02/2024' in 'Date' is not a DD/MM/YYYY date"],
        [6, "unknown LSOA code 'E01999999'"],
        [7, "unknown estate 'Nowhere'"],
        [8, "only one of latitude and longitude is given"],
        [9, "flag column 'Repeat' has 'maybe', not yes or no"],
        [10, "no category in 'Offence'"],
    ]
    with db.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(partner_rejects)).scalar()
    assert stored == 6


def test_a_failure_mid_import_leaves_nothing_half_loaded(db, tmp_path, monkeypatch):
    before = db_snapshot(db)

    def boom(conn, dataset):
        raise RuntimeError("disk full")

    monkeypatch.setattr(partner_mod, "rebuild_partner_cube", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_partner(
            db, write_csv(tmp_path / "da.csv", _good_rows()), "police_da", mapping(), secret=SECRET
        )
    assert db_snapshot(db) == before


def test_reimport_is_idempotent_and_a_changed_file_replaces(db, tmp_path):
    path = write_csv(tmp_path / "da.csv", _good_rows())
    ingest_partner(db, path, "police_da", mapping(), secret=SECRET)
    before = db_snapshot(db)
    again = ingest_partner(db, path, "police_da", mapping(), secret=SECRET)
    assert again.status == "unchanged"
    assert db_snapshot(db) == before
    # The same file name with one row fewer and one changed: the old version goes entirely.
    rows = _good_rows()[:2] + [row("10/02/2024", "Harassment", lsoa="E01000001", victim="V7")]
    r = ingest_partner(
        db, write_csv(tmp_path / "da.csv", rows), "police_da", mapping(), secret=SECRET
    )
    assert (r.status, r.rows, r.replaced_rows) == ("replaced", 3, 4)
    rec = _records(db)
    assert sorted(rec["category"]) == ["Harassment", "Violence with injury", "Violence with injury"]
    assert _cube(db, "police_da").query("layer == 'all'")["n"].sum() == 3


def test_a_later_extract_replaces_only_the_months_it_covers(db, tmp_path):
    ingest_partner(
        db, write_csv(tmp_path / "to_feb.csv", _good_rows()), "police_da", mapping(), secret=SECRET
    )
    feb_mar = [row("01/02/2024", lsoa="E01000001"), row("02/03/2024", lsoa="E01000002")]
    r = ingest_partner(
        db, write_csv(tmp_path / "feb_mar.csv", feb_mar), "police_da", mapping(), secret=SECRET
    )
    assert (r.status, r.replaced_rows) == ("replaced", 3)  # the three February rows
    months = _records(db)["month"].astype(str).tolist()
    assert sorted(months) == ["2024-01-01", "2024-02-01", "2024-03-01"]


def test_a_changed_secret_is_refused(db, tmp_path):
    ingest_partner(
        db, write_csv(tmp_path / "a.csv", _good_rows()), "police_da", mapping(), secret=SECRET
    )
    p = write_csv(tmp_path / "b.csv", [row("01/05/2024", lsoa="E01000001")])
    with pytest.raises(IngestError, match="the pseudonym secret differs"):
        ingest_partner(db, p, "police_da", secret="another-secret")


def test_xlsx_with_real_date_cells(db, tmp_path):
    df = pd.DataFrame(
        {
            "When": pd.to_datetime(["2024-01-05", "2024-02-07"]),
            "Type": ["Deliberate secondary fire", "Accidental dwelling fire"],
            "Estate": ["Hollins Park", "EST-B"],
        }
    )
    path = tmp_path / "fire.xlsx"
    df.to_excel(path, index=False)
    m = mapping(
        theme="Fire",
        date_column="When",
        category_column="Type",
        latitude_column=None,
        longitude_column=None,
        lsoa_column=None,
        key_column=None,
        flags={},
        police_categories={},
    )
    r = ingest_partner(db, path, "fire_incidents", m, secret="")
    assert (r.rows, r.rejected, r.first_month, r.last_month) == (2, 0, "2024-01", "2024-02")
    assert list(_records(db)["estate_code"]) == ["EST-A", "EST-B"]


def test_no_raw_identifier_is_stored_anywhere(db, tmp_path):
    raw = ["VICTIM-0001", "VICTIM-0002", "VICTIM-0042", "REF/000001", "REF/999999"]
    rows = _good_rows() + [row(lsoa="E01999999", victim="VICTIM-0042", ref="REF/999999")]
    ingest_partner(db, write_csv(tmp_path / "da.csv", rows), "police_da", mapping(), secret=SECRET)
    seen = 0
    with db.connect() as conn:
        for table in metadata.sorted_tables:
            cols = [c for c in table.columns if isinstance(c.type, String | Text)]
            for values in conn.execute(select(*cols)) if cols else []:
                for v in values:
                    seen += v is not None
                    assert not any(k.lower() in str(v).lower() for k in raw), (table.name, v)
    assert seen > 100  # the search did read the database's text


def test_remove_dataset_clears_records_and_cube(db, tmp_path):
    ingest_partner(
        db, write_csv(tmp_path / "da.csv", _good_rows()), "police_da", mapping(), secret=SECRET
    )
    remove_dataset(db, "police_da")
    assert _records(db).empty and _cube(db, "police_da/domestic").empty
    assert saved_mapping(db, "police_da") is None
