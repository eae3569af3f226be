"""A 1 MB zip inflating to 1 GiB costs the CLI no more memory than loading a small good file
(issue 12: it used to take 7.5 GB). Peak memory is measured in a child process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile_files import FEB, GIB, zip_bomb
from tests.policeuk_files import month_rows, write_street_csv

ROOT = Path(__file__).resolve().parents[2]
# Runs the CLI as a grandchild and prints its peak resident memory (kB on Linux).
MEASURE = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True,"
           " text=True); sys.stderr.write(r.stderr); print(r.returncode,"
           " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def _peak_mb(tmp_path: Path, *args: str) -> tuple[int, float, str]:
    cli = [sys.executable, "-m", "csp_dash.cli.commands", "ingest", "police", *args,
           "--db", f"duckdb:///{tmp_path / 'm.duckdb'}"]
    out = subprocess.run([sys.executable, "-c", MEASURE, *cli], capture_output=True, text=True,
                         cwd=ROOT, timeout=300)
    code, kb = out.stdout.split()
    return int(code), int(kb) / 1024, out.stderr


@pytest.mark.slow
def test_zip_bomb_peak_memory_is_bounded(tmp_path: Path):
    bomb = zip_bomb(tmp_path / "bomb.zip", size=GIB)
    assert bomb.stat().st_size < 2 << 20
    good = write_street_csv(tmp_path / "good", "2018-01", month_rows("2018-01", 50))
    _, baseline, _ = _peak_mb(tmp_path, str(good))

    code, peak, err = _peak_mb(tmp_path, str(bomb))

    assert code == 2
    assert err == (f"REFUSED {bomb}:2018-02/{FEB}: the file is 1,024.0 MB; the limit is 64 MB "
                   "(setting CSP_DASH_MAX_FILE_MB)\n")
    assert "Traceback" not in err
    # Bounded: within 64 MB (one file's limit) of what a tiny good file costs.
    assert peak < baseline + 64, (peak, baseline)
