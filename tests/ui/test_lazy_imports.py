"""A first page load imports no heavy library it does not use (docs/architecture.md,
"Performance"): app.py's own imports and the Overview's, in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("geopandas", "statsmodels", "weasyprint", "docx", "scipy", "esda", "libpysal",
         "openpyxl", "vl_convert", "sklearn")
# Test-only or tab-only statistics libraries (issue 17's memory budget): no busy page loads
# them on import; Gi* and the weights are our own (docs/architecture.md, "Performance").
STATS_LIBRARIES = ("esda", "libpysal", "sklearn", "scipy.stats", "statsmodels", "numba")


def _imports(path: Path) -> list[str]:
    out = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append(node.module)
        elif isinstance(node, ast.Import):
            out.extend(a.name for a in node.names)
    return out


def test_app_and_overview_imports_leave_heavy_libraries_out():
    modules = _imports(ROOT / "app.py") + _imports(ROOT / "app_pages" / "overview.py")
    assert "csp_dash.ui.state" in modules  # the chain is read from the files themselves
    # Altair too: the Overview draws no chart, and importing it was a fifth of a first load's.
    heavy = (*HEAVY, "altair")
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip().splitlines()[-1] == "[]"


def _loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + f"print(sorted(m for m in {names!r} if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return ast.literal_eval(r.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("page", ["overview", "hotspots", "trends"])
def test_busy_pages_load_no_statistics_library_on_import(page):
    modules = _imports(ROOT / "app_pages" / f"{page}.py")
    if page in ("hotspots", "trends"):  # every UI module of the page, whichever it reaches first
        modules += [f"csp_dash.ui.{page}.{p.stem}"
                    for p in sorted((ROOT / "csp_dash" / "ui" / page).glob("[!_]*.py"))]
    assert _loaded(modules, STATS_LIBRARIES) == []


def test_gi_star_forecast_tab_and_trends_stay_free_of_spatial_libraries():
    # The forecast tab loads statsmodels' ETS and scipy.stats only when a forecast is drawn.
    modules = [*_imports(ROOT / "app_pages" / "trends.py"), "csp_dash.analysis.gistar",
               "csp_dash.hotspots.stats", "csp_dash.analysis.forecast"]
    assert _loaded(modules, ("esda", "libpysal", "sklearn", "numba")) == []
    assert _loaded(["csp_dash.ui.horizon.forecast_tab"], STATS_LIBRARIES) == []


def test_the_statistics_check_sees_an_import():
    assert _loaded(["scipy.stats"], STATS_LIBRARIES) == ["scipy.stats"]


def test_the_check_sees_a_heavy_import():
    code = "import sys\nimport csp_dash.demo.loader\nprint('geopandas' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert r.stdout.strip().splitlines()[-1] == "True"


def test_trends_and_hotspots_stay_free_of_scipy_and_trends_of_pyproj():
    # The served memory budget: Gi* is numpy (no scipy.sparse or scipy.special); near-repeat's
    # scipy.spatial and pyproj load only when near-repeat runs.
    trends = [*_imports(ROOT / "app_pages" / "trends.py"),
              *(f"csp_dash.ui.trends.{p.stem}"
                for p in sorted((ROOT / "csp_dash" / "ui" / "trends").glob("[!_]*.py")))]
    assert _loaded(trends, ("scipy", "pyproj")) == []
    hotspots = [*_imports(ROOT / "app_pages" / "hotspots.py"), "csp_dash.analysis.gistar",
                "csp_dash.hotspots.stats",
                *(f"csp_dash.ui.hotspots.{p.stem}"
                  for p in sorted((ROOT / "csp_dash" / "ui" / "hotspots").glob("[!_]*.py")))]
    assert _loaded(hotspots, ("scipy",)) == []


def _all_imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_every_ui_module_that_builds_charts_registers_the_charts_theme():
    """The theme (WCAG text colours, room sizes) is registered by ui/meeting/room_charts.py,
    which ui/charts.py imports; Altair is no longer imported on a first load, so a UI module
    that imports Altair must import ui/charts itself, or its charts could miss the theme."""
    files = [*(ROOT / "csp_dash" / "ui").rglob("*.py"), *(ROOT / "app_pages").glob("*.py")]
    builders = [p for p in files if "altair" in _all_imports(p)]
    assert len(builders) >= 5  # the check reads real files
    themed = {"csp_dash.ui.charts", "csp_dash.ui.meeting.room_charts"}
    own = {ROOT / "csp_dash" / "ui" / "charts.py", ROOT / "csp_dash" / "ui" / "meeting" / "room_charts.py"}
    missing = [str(p.relative_to(ROOT)) for p in builders
               if p not in own and not themed & _all_imports(p)]
    assert missing == []


def test_a_ui_module_that_draws_charts_brings_the_theme_with_it():
    code = ("import csp_dash.ui.priorities.views, altair\n"
            "print(altair.theme.active)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip().splitlines()[-1] == "csp_dash"


GEO = ("geopandas", "pyproj")


def test_busy_pages_and_the_warm_up_import_no_geopandas_or_pyproj():
    # The served memory budget: the pages read areas as plain DataFrames of shapely polygons;
    # geopandas (with pyproj) cost about 15 MB. pyproj comes in when a distance band is built.
    modules = ["csp_dash.ui.state", "csp_dash.ui.horizon.forecast_tab"]
    for page in ("overview", "trends", "hotspots"):
        modules += _imports(ROOT / "app_pages" / f"{page}.py")
        if page != "overview":
            modules += [f"csp_dash.ui.{page}.{p.stem}"
                        for p in sorted((ROOT / "csp_dash" / "ui" / page).glob("[!_]*.py"))]
    assert _loaded(modules, GEO) == []
    assert _loaded(["csp_dash.report.context"], GEO) == ["geopandas", "pyproj"]  # it sees one


WALK = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=120)
at.run()
for page in ("trends", "hotspots"):
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
print(sorted(m for m in ("geopandas", "pyproj") if m in sys.modules),
      any("Map data sent" in c.value for c in at.caption))
"""


@pytest.mark.slow
def test_a_walk_through_the_pages_never_imports_geopandas(own_demo):
    """The demo's estates lie apart, so their Gi* uses a distance band: pyproj, not geopandas."""
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "CSP_DASH_DB_URL": own_demo,
           "CSP_DASH_FREEZE_GC": "0"}
    r = subprocess.run([sys.executable, "-c", WALK], cwd=ROOT, capture_output=True, text=True,
                       env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip().splitlines()[-1] == "['pyproj'] True"
