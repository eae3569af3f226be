"""After the warm-up, a served app keeps its long-lived objects out of the collector's scans
(ui/state.freeze_long_lived; docs/architecture.md, "Performance"): Streamlit collects every
generation after each run, and those scans held the interpreter lock for most of a rerun.
Run in a fresh interpreter: freezing the test worker would keep its objects for the session."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The warm-up as a served app runs it, then what a full collection would still scan.
SCRIPT = """
import gc, json, logging
logging.disable(logging.WARNING)
from csp_dash.ui import state
state._import_pages()
gc.collect()
print(json.dumps({"frozen": gc.get_freeze_count(), "scanned": len(gc.get_objects())}))
"""


def _warm_up(tmp_path: Path, freeze: str) -> dict:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "CSP_DASH_FREEZE_GC": freeze,
           "CSP_DASH_DB_URL": f"duckdb:///{tmp_path / 'empty.duckdb'}"}
    r = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True,
                       env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("freeze", ["1", "0"])
def test_the_warm_up_freezes_long_lived_objects_only_when_set(tmp_path, freeze):
    got = _warm_up(tmp_path, freeze)
    if freeze == "0":
        assert got["frozen"] == 0
        # Without it a full collection scans every library's objects.
        assert got["scanned"] > 100_000, got
    else:
        # The libraries the pages import: well over a hundred thousand objects, of which a
        # full collection now scans almost none.
        assert got["frozen"] > 100_000, got
        assert got["scanned"] < got["frozen"] / 50, got
