"""`csp-dash ingest partner` and `csp-dash partner ...` from the command line."""

from __future__ import annotations

import json

from csp_dash.cli.commands import main
from tests.partner_fixtures import SECRET, mapping, row, write_csv


def test_cli_ingest_reuses_the_saved_mapping(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CSP_DASH_PSEUDONYM_SECRET", SECRET)
    db = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    m = mapping(estate_column=None, lsoa_column=None)
    (tmp_path / "m.json").write_text(m.to_json(), encoding="utf-8")
    data = write_csv(
        tmp_path / "da.csv", [row(), row("06/01/2024", victim="V2"), row("31/02/2024")]
    )
    args = ["ingest", "partner", str(data), "--dataset", "police_da", "--db", db]
    assert main([*args, "--mapping", str(tmp_path / "m.json")]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == (
        "da.csv -> dataset 'police_da': loaded, 2 rows loaded (2024-01 to "
        "2024-01), 2 with no location, 1 rejected"
    )
    assert "rejected row 3: date '31/02/2024' in 'Date' is not a DD/MM/YYYY date" in err
    assert main(args) == 0  # no --mapping: the saved one
    assert "unchanged" in capsys.readouterr().out
    assert main(["partner", "mapping", "police_da", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(m.to_json())
    assert main(["partner", "list", "--db", db]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[1] == "police_da,Domestic abuse,records,1,2,1,2,2024-01,2024-01"


def test_cli_refusal_exits_non_zero(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CSP_DASH_PSEUDONYM_SECRET", "")
    db = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    (tmp_path / "m.json").write_text(mapping().to_json(), encoding="utf-8")
    data = write_csv(tmp_path / "da.csv", [row()])
    code = main(
        [
            "ingest",
            "partner",
            str(data),
            "--dataset",
            "police_da",
            "--mapping",
            str(tmp_path / "m.json"),
            "--db",
            db,
        ]
    )
    assert code == 2
    assert "no pseudonym secret is configured" in capsys.readouterr().err
