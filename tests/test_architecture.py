"""The layout's rules, checked: streamlit only in the UI, settings only in config, explicit
wiring, one home for the comparison arithmetic (docs/architecture.md)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "csp_dash"


def _ruff(filename: str, source: str) -> subprocess.CompletedProcess:
    """ruff on `source` as if it were `filename` inside the repo (nothing is written)."""
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--stdin-filename", filename, "-"],
        input=source, capture_output=True, text=True, cwd=ROOT,
    )


@pytest.mark.parametrize("where", ["csp_dash/analysis/_probe.py", "csp_dash/trends/_probe.py",
                                   "csp_dash/db/_probe.py"])
def test_ruff_bans_streamlit_outside_the_ui(where):
    out = _ruff(where, "import streamlit as st\n\nst.write(1)\n")
    assert out.returncode == 1, out.stdout
    assert "TID251" in out.stdout and "only csp_dash/ui/" in out.stdout


@pytest.mark.parametrize("where", ["csp_dash/ui/_probe.py", "app_pages/_probe.py"])
def test_ruff_allows_streamlit_in_the_ui(where):
    out = _ruff(where, "import streamlit as st\n\nst.write(1)\n")
    assert out.returncode == 0, out.stdout


def _sources() -> list[Path]:
    return sorted(PKG.rglob("*.py"))


def test_few_modules_at_the_package_root():
    root_modules = [p.name for p in PKG.glob("*.py") if p.name != "__init__.py"]
    assert len(root_modules) <= 10, root_modules


def test_every_package_says_what_it_owns():
    for init in PKG.rglob("__init__.py"):
        text = init.read_text()
        assert text.startswith('"""'), f"{init.relative_to(ROOT)} has no docstring"


def test_settings_are_read_only_in_config():
    offenders = [p.relative_to(ROOT) for p in _sources()
                 if p.name != "config.py" and re.search(r"os\.environ|os\.getenv", p.read_text())]
    assert not offenders


def test_wiring_is_explicit():
    """No probing for modules or files: a renamed module must fail, not vanish."""
    offenders = [p.relative_to(ROOT) for p in _sources()
                 if re.search(r"find_spec|import_module\(", p.read_text())]
    assert not offenders


def test_poisson_z_and_direction_have_one_home():
    """Only analysis/trends.py computes change, z and direction; everything else calls it."""
    allowed = {PKG / "analysis" / "trends.py"}
    pattern = re.compile(r"poisson_z\(|Z_THRESHOLD|np\.sqrt\(.*\)\s*-\s*np\.sqrt")
    offenders = [p.relative_to(ROOT) for p in _sources()
                 if p not in allowed and pattern.search(p.read_text())]
    assert not offenders


def test_completeness_of_windows_has_one_home():
    """Only analysis/periods.py decides which months of two windows are missing."""
    pattern = re.compile(r"period_range\(.*previous|def _missing_months|def yoy_missing")
    offenders = [p.relative_to(ROOT) for p in _sources() if pattern.search(p.read_text())]
    assert not offenders


def test_code_comments_point_inside_the_repository():
    offenders = [p.relative_to(ROOT) for p in [*_sources(), *(ROOT / "tests").rglob("*.py"),
                                               *(ROOT / "benchmarks").rglob("*.py")]
                 if p.name != "test_architecture.py" and "DESIGN" + ".md" in p.read_text()]
    assert not offenders
    for doc in ("docs/architecture.md", "docs/methods.md"):
        assert (ROOT / doc).is_file()


def test_the_page_list_names_existing_pages():
    from csp_dash.ui.nav import PAGES, PAGES_DIR, available_pages

    assert len(available_pages("admin")) == len(PAGES)
    assert all((PAGES_DIR / f).is_file() for f, *_ in PAGES)
