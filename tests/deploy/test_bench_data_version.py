"""The data-version benchmark runs end to end at a tiny size and prints figures that parse."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_prints_parseable_figures() -> None:
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench_data_version", "--rows", "5000",
                          "--runs", "2"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    read = re.search(r"^version read \(per run\):\s+([\d.]+) ms\s+= ([\d.]+)% of a warm rerun",
                     out.stdout, re.M)
    warm = re.search(r"^Overview rerun, warm cache:\s+([\d.]+) ms", out.stdout, re.M)
    after = re.search(r"^Overview rerun after a bump:\s+([\d.]+) ms\s+= ([\d.]+)x", out.stdout, re.M)
    assert read and warm and after, out.stdout
    # The printed ratios are the printed times' ratios, to their rounding.
    assert abs(float(read.group(2)) / 100 - float(read.group(1)) / float(warm.group(1))) < 0.01
    assert abs(float(after.group(2)) - float(after.group(1)) / float(warm.group(1))) < 0.06
