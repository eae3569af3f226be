"""The ingest benchmark runs end to end at a tiny size and prints figures that parse.

This times nothing: it checks the script works, so the real run (1M rows) is not found broken
the day someone needs it. The figures' values are checked only for consistency.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from benchmarks.generate import HEADER, generate, months_for

ROOT = Path(__file__).resolve().parents[1]
N = 5_000


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def test_benchmark_prints_parseable_figures(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.bench_ingest",
            "--rows",
            str(N),
            "--forces",
            "5",
            "--workdir",
            str(tmp_path / "work"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    text = out.stdout
    ingest = re.search(
        r"^csp_dash ingest: ([\d,]+) rows in ([\d.]+) s = ([\d,]+) rows/s; "
        r"peak RSS ([\d,]+) MB",
        text,
        re.M,
    )
    naive = re.search(r"^naive baseline: ([\d,]+) rows in ([\d.]+) s = ([\d,]+) rows/s", text, re.M)
    ratio = re.search(r"^ratio csp_dash / baseline: ([\d,.]+)x", text, re.M)
    again = re.search(r"^re-ingest: (\d+) of (\d+) files unchanged in ([\d.]+) s", text, re.M)
    cube = re.search(r"^cube: ([\d,]+) rows", text, re.M)
    assert ingest and naive and ratio and again and cube, text
    assert _num(ingest.group(1)) == N
    assert _num(naive.group(1)) == N  # small enough never to be sampled
    # rows/s is rows / seconds, to the printed rounding.
    assert (
        abs(_num(ingest.group(3)) - N / _num(ingest.group(2)))
        <= 0.01 * N / _num(ingest.group(2)) + 1
    )
    assert _num(ingest.group(4)) > 0
    expected_ratio = _num(ingest.group(3)) / _num(naive.group(3))
    assert abs(_num(ratio.group(1)) - expected_ratio) <= 0.05 * expected_ratio + 0.1
    assert again.group(1) == again.group(2) == str(5 * months_for(N, 5))
    # The cube has at least one row a month and category, and far fewer than the rows.
    assert 14 <= _num(cube.group(1)) <= 2 * N
    assert text.count("check ") == 5 and "FAIL" not in text
    assert re.search(r"^machine: nproc=\d+, .*duckdb \d", text, re.M)
    assert "target: 500,000 rows/s" in text
    assert not (tmp_path / "work" / "police").exists()  # cleaned up without --keep


def test_generated_files_look_like_police_uk(tmp_path: Path) -> None:
    gen = generate(tmp_path, 3_000, forces=3, seed=1)
    files = sorted(tmp_path.rglob("*-street.csv"))
    assert len(files) == gen.files == 3
    assert [f.name for f in files] == [
        "2024-01-avon-and-somerset-street.csv",
        "2024-01-bedfordshire-street.csv",
        "2024-01-cambridgeshire-street.csv",
    ]
    lines = [ln for f in files for ln in f.read_text().splitlines()[1:]]
    assert files[0].read_text().startswith(HEADER)
    assert len(lines) == 3_000
    fields = [ln.split(",") for ln in lines]
    assert all(len(f) == 12 for f in fields)
    asb = [f for f in fields if f[9] == "Anti-social behaviour"]
    crimes = [f for f in fields if f[9] != "Anti-social behaviour"]
    assert all(f[0] == "" and f[10] == "" for f in asb)
    assert all(re.fullmatch(r"[0-9a-f]{64}", f[0]) and f[10] for f in crimes)
    assert 0.2 < len(asb) / len(lines) < 0.3  # 25% expected; 3,000 draws give sd 0.8%
    unlocated = [f for f in fields if f[4] == ""]
    assert len(unlocated) == gen.no_location
    assert all(f[5] == f[7] == f[8] == "" and f[6] == "No Location" for f in unlocated)
    located = [f for f in fields if f[4] != ""]
    assert all(
        re.fullmatch(r"-?\d+\.\d{6}", f[4])
        and re.fullmatch(r"\d+\.\d{6}", f[5])
        and re.fullmatch(r"E01\d{6}", f[7])
        and f[6].startswith("On or near ")
        for f in located
    )


def test_scale_benchmark_prints_ratios_and_sizes(tmp_path: Path) -> None:
    # --no-pages: the page figures are bench_pages' own, checked in test_bench_pages_smoke.py
    # (running them here too took 40 s of the suite for no more coverage).
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_scale", "--rows", str(N), "--forces", "5",
         "--repeat", "2", "--workdir", str(tmp_path / "work"), "--no-pages"],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False,
    )
    assert out.returncode == 0, out.stderr
    text = out.stdout
    ingest = re.search(r"^ingest: ([\d,]+) rows in ([\d.]+) s = ([\d,]+) rows/s; peak RSS", text,
                       re.M)
    bulk = re.search(r"^engine's own bulk load \(DuckDB .*\): ([\d,]+) rows in [\d.]+ s = "
                     r"([\d,]+) rows/s", text, re.M)
    naive = re.search(r"^naive baseline .*: ([\d,]+) rows/s", text, re.M)
    ratio = re.search(r"^ratio: ingest takes ([\d.]+)x the engine's own bulk load .*; ingest is "
                      r"([\d,.]+)x the naive baseline", text, re.M)
    sizes = re.search(r"^database size: ([\d,]+) MB; crimes ([\d,]+) rows; cube ([\d,]+) rows "
                      r"\((.*)\); cube rows / raw rows ([\d.]+)", text, re.M)
    runs = re.search(r"^runs: 2, alternating; ingest ([\d.]+), ([\d.]+) s; bulk load ([\d.]+), "
                     r"([\d.]+) s", text, re.M)
    assert ingest and bulk and naive and ratio and sizes and runs, text
    # The fastest run of each is the one reported.
    assert _num(ingest.group(2)) == min(_num(runs.group(1)), _num(runs.group(2)))
    assert _num(ingest.group(1)) == _num(bulk.group(1)) == _num(sizes.group(2)) == N
    expected = _num(bulk.group(2)) / _num(ingest.group(3))
    assert abs(_num(ratio.group(1)) - expected) <= 0.02 * expected + 0.01
    assert abs(_num(ratio.group(2)) - _num(ingest.group(3)) / _num(naive.group(1))) <= (
        0.05 * _num(ratio.group(2)) + 0.1)
    layers = dict(part.rsplit(" ", 1) for part in sizes.group(4).split(", "))
    assert sum(_num(v) for v in layers.values()) == _num(sizes.group(3))
    assert abs(_num(sizes.group(5)) - _num(sizes.group(3)) / N) <= 0.001
    assert {"all", "lsoa"} <= set(layers)
    assert not re.search(r"^page timing", text, re.M)  # --no-pages was honoured
    assert not (tmp_path / "work" / "police").exists()
