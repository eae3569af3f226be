"""Time the pages on a loaded database: first load, each main interaction, a page switch, and
the serving process's peak memory; and the cube's size against the raw rows.

    python -m benchmarks.bench_pages --db URL [--rounds 5] [--no-serve]

Each measurement runs in its own child process (a fresh interpreter, as a fresh server is), so
the first load pays the imports and empty caches a real first visitor pays. Reruns are timed
with streamlit.testing's AppTest: every interaction picks a value not picked before in that
process, so no rerun is served from a warm cache of its own value. Peak memory: a real
`streamlit run` child, a few pages opened in Chromium, then the child's VmHWM. In the same
Chromium, each page's redraw after a new period is picked in the sidebar, from the click until
the run has ended and the charts are painted. Not a test: it prints figures and exits 0
(docs/architecture.md, "Performance").
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
TARGET_RERUN_S = 0.3
TARGET_FIRST_LOAD_S = 3.0
TARGET_PEAK_MB = 300
READING_S = 3.0  # seconds on the first page before the first switch
PAGES = {"overview": "app_pages/overview.py", "trends": "app_pages/trends.py",
         "hotspots": "app_pages/hotspots.py"}


# ---- in the child: AppTest runs --------------------------------------------------------------


#: CPU seconds of this process (every thread) per timed run, beside the wall clock: on a
#: machine shared with other work the wall clock also counts waiting for a core.
CPU: list[float] = []


def _timed(at, action=None) -> float:
    c0, t0 = time.process_time(), time.perf_counter()
    if action is not None:
        action(at)
    at.run()
    seconds = time.perf_counter() - t0
    CPU.append(time.process_time() - c0)
    if at.exception:
        raise RuntimeError(f"the page raised: {at.exception[0].value}")
    return seconds


def _selectbox(at, key):
    return next(w for w in at.selectbox if w.key == key)


def _cycle(options, current, n):
    """n values from options, never the current one, none repeated while there are others."""
    rest = [o for o in options if o != current] or list(options)
    return [rest[i % len(rest)] for i in range(n)]


def _raw_options(url: str) -> dict[str, list]:
    """The shared filters' option values (AppTest sees only their labels)."""
    import pandas as pd

    from csp_dash.db import queries
    from csp_dash.db.engine import make_engine
    from csp_dash.ui.filters import LENGTHS

    eng = make_engine(url)
    lo, hi = queries.month_range(eng)
    months = [m.date() for m in pd.date_range(lo, hi, freq="MS")][::-1]
    out = {"f_end": months, "f_len": list(LENGTHS), "f_layer": queries.cube_layers(eng)}
    eng.dispose()
    return out


def child_first_load(page: str) -> dict:
    """Fresh interpreter with streamlit imported (a started server has it): one full run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=300)
    c0, t0 = time.process_time(), time.perf_counter()
    at.run()
    seconds = {"first_load_s": time.perf_counter() - t0, "first_load_cpu_s": time.process_time() - c0}
    if page != "overview":
        time.sleep(READING_S)  # the visitor reads the first page before switching
        at.switch_page(PAGES[page])
        seconds["first_switch_s"] = _timed(at)
        seconds["first_switch_cpu_s"] = CPU[-1]
    return seconds


def child_interactions(rounds: int) -> dict:
    """After one warm-up load, the median rerun of each page's main interactions."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    options = _raw_options(os.environ["CSP_DASH_DB_URL"])
    out: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}

    def add(name, seconds):
        out.setdefault(name, []).append(seconds)
        cpu.setdefault(name, []).append(CPU[-1])

    def pick(key: str, label: str) -> None:
        for v in _cycle(options[key], _selectbox(at, key).value, rounds):
            add(label, _timed(at, lambda a, v=v: _selectbox(a, key).set_value(v)))

    def shared(page: str) -> None:
        pick("f_end", f"{page}: period end")
        pick("f_layer", f"{page}: area layer")
        _selectbox(at, "f_layer").set_value(options["f_layer"][0])
        at.run()
        pick("f_len", f"{page}: period length")

    shared("overview")
    for _ in range(rounds):
        at.switch_page(PAGES["trends"])
        add("switch overview -> trends", _timed(at))
        at.switch_page(PAGES["overview"])
        add("switch trends -> overview", _timed(at))
    at.switch_page(PAGES["trends"])
    at.run()
    shared("trends")
    at.switch_page(PAGES["hotspots"])
    add("switch -> hotspots", _timed(at))
    shared("hotspots")
    unit = next((w for w in at.segmented_control if w.key == "hs_unit"), None)
    if unit is not None:
        for value in ["cells", "areas"] * ((rounds + 1) // 2):
            add("hotspots: areas/cells", _timed(at, lambda a, v=value: next(
                w for w in a.segmented_control if w.key == "hs_unit").set_value(v)))
    return {k: {"median_s": statistics.median(v), "max_s": max(v), "n": len(v),
                "median_cpu_s": statistics.median(cpu[k])} for k, v in out.items()}


def child_sizes(url: str) -> dict:
    from sqlalchemy import func, select

    from csp_dash.db.engine import make_engine
    from csp_dash.db.schema import crimes, cube

    eng = make_engine(url)
    with eng.connect() as conn:
        raw = conn.execute(select(func.count()).select_from(crimes)).scalar()
        by_layer = dict(conn.execute(select(cube.c.layer, func.count()).group_by(cube.c.layer)).all())
    eng.dispose()
    total = sum(by_layer.values())
    return {"raw_rows": raw, "cube_rows": total, "cube_by_layer": by_layer,
            "cube_to_raw": total / raw if raw else None}


def _child(kind: str, url: str, arg) -> dict:
    """Run one measurement in a fresh interpreter; its JSON result on the last stdout line."""
    env = {**os.environ, "CSP_DASH_DB_URL": url, "PYTHONPATH": str(ROOT)}
    code = (f"import json, streamlit; from benchmarks import bench_pages as b; "
            f"print(json.dumps(b.child_{kind}({arg!r})))")
    r = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                       text=True, timeout=1800)
    if r.returncode:
        raise RuntimeError(f"{kind} failed: {r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


# ---- the served app's memory --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _vm(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return float("nan")


TARGET_REDRAW_S = 0.5
# Installed before the page loads: the time of the last text drawn on a 2D canvas (Streamlit's
# tables' cells; its charts are SVG, so page changes) and of the last WebGL draw (the map).
# A MutationObserver sees neither.
DRAWS_JS = """(() => {
  window.__draws = {text: -1, gl: -1};
  if (window.__drawsHooked) return;  // installed once however often it is added
  window.__drawsHooked = true;
  const text = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (...a) {
    window.__draws.text = performance.now(); return text.apply(this, a); };
  for (const C of [WebGLRenderingContext, WebGL2RenderingContext]) {
    for (const m of ['drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced']) {
      const f = C.prototype[m];
      if (f) C.prototype[m] = function (...a) { window.__draws.gl = performance.now();
                                                return f.apply(this, a); };
    }
  }
})()"""
# Installed before each pick: the time of the click, of the last change to the page after it
# (elements added, replaced or restyled: a rerun's redraw) and of the first frame painted after
# that change; the same for changes outside any <canvas> (what is shown: a canvas's children
# are its accessible copy, which Streamlit's table updates about 200 ms after drawing its
# cells). A run too quick to show as running still changes the page.
WATCH_JS = """() => {
  window.__redraw = {click: null, last: null, painted: null, shownLast: null, shown: null};
  document.addEventListener('click', () => { window.__redraw.click = performance.now(); },
                            {capture: true, once: true});
  if (window.__redrawWatch) window.__redrawWatch.disconnect();
  window.__redrawWatch = new MutationObserver((list) => {
    const r = window.__redraw, now = performance.now();
    if (r.click === null) return;
    r.last = now;
    requestAnimationFrame(() => { if (r.last === now) r.painted = performance.now(); });
    const node = (m) => m.target.nodeType === 1 ? m.target : m.target.parentElement;
    if (list.some((m) => !(node(m) && node(m).closest('canvas')))) {
      r.shownLast = now;
      requestAnimationFrame(() => { if (r.shownLast === now) r.shown = performance.now(); });
    }
  });
  window.__redrawWatch.observe(document.body, {subtree: true, childList: true, attributes: true,
                                               characterData: true});
}"""
# Redrawn: no run in progress, and neither the page nor a canvas has changed for QUIET_MS.
QUIET_MS = 500
REDRAWN_JS = f"""() => {{
  const r = window.__redraw, d = window.__draws;
  const state = document.querySelector('[data-testid="stApp"]').getAttribute('data-test-script-state');
  const now = performance.now();
  return state !== 'running' && r.painted !== null && r.last !== null
    && now - r.last > {QUIET_MS} && now - Math.max(d.text, d.gl) > {QUIET_MS};
}}"""


def _redraw_times(r: dict, d: dict) -> tuple[float, float]:
    """(shown, whole) in seconds from the click: the last change a visitor sees (page outside
    canvases, canvas text, WebGL), and the last change of any kind (canvases' copies too)."""
    shown = max([r["shown"] or r["click"]] + [t for t in (d["text"], d["gl"]) if t > r["click"]])
    return (shown - r["click"]) / 1000, (max(r["painted"], shown) - r["click"]) / 1000


def _timed_click(tab, target) -> tuple[float, float, dict, dict]:
    """Click ``target`` and wait for the page to settle: (shown, whole) seconds as
    ``_redraw_times`` gives them, with the page's redraw and draw records."""
    tab.evaluate(WATCH_JS)
    target.click()
    tab.wait_for_function(REDRAWN_JS, polling=100, timeout=120_000)
    r, d = tab.evaluate("() => window.__redraw"), tab.evaluate("() => window.__draws")
    return (*_redraw_times(r, d), r, d)


def _settled(tab) -> None:
    tab.wait_for_selector("h1", timeout=120_000)
    tab.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
    tab.wait_for_timeout(1500)


def browser_redraws(tab, base: str, rounds: int) -> dict:
    """On each page, pick ``rounds`` other 'Period ending' months in the sidebar as a visitor
    does; each is timed, in the page's own clock, from the click on the month to the last
    change a visitor sees: the frame painted after the rerun's last change to the page, or
    the last text drawn on a table's canvas or WebGL draw of the map, whichever is later
    (the issue's 0.5 s, server and browser together). ``whole`` also waits for the tables'
    accessible copies (a canvas's children), which Streamlit updates about 200 ms later."""
    tab.add_init_script(DRAWS_JS)
    out = {}
    for name in ("overview", "trends", "hotspots"):
        tab.goto(f"{base}/{name}", wait_until="domcontentloaded")
        _settled(tab)
        times, whole, drew = [], [], {"text": 0, "gl": 0}
        for i in range(rounds):
            box = tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
                has_text="Period ending")
            box.click()
            option = tab.locator('[role="option"]').nth(i + 1)  # months after the one shown
            option.wait_for(timeout=10_000)
            shown, all_, r, d = _timed_click(tab, option)
            drew = {k: n + (d[k] > r["click"]) for k, n in drew.items()}
            times.append(shown)
            whole.append(all_)
        out[f"{name}: period end"] = {"median_s": statistics.median(times), "max_s": max(times),
                                      "whole_median_s": statistics.median(whole),
                                      "n": len(times), "canvas_drawn": drew}
    return out


# (from, to, the sidebar's link to it): the pages a visitor moves between, in order.
SWITCHES = (("overview", "trends", "Crime trends"), ("trends", "hotspots", "Estate hotspots"),
            ("hotspots", "overview", "Overview"))


def browser_switches(tab, base: str, rounds: int) -> dict:
    """Switch pages from the sidebar as a visitor does (Overview -> Crime trends -> Estate
    hotspots -> Overview, ``rounds`` times), each timed as ``browser_redraws`` times a pick:
    from the click on the page's link to the last change a visitor sees."""
    tab.add_init_script(DRAWS_JS)
    tab.goto(f"{base}/overview", wait_until="domcontentloaded")
    _settled(tab)
    times: dict[str, list] = {f"switch {a} -> {b}": [] for a, b, _ in SWITCHES}
    for _ in range(rounds):
        for here, there, title in SWITCHES:
            link = tab.locator('[data-testid="stSidebarNavLink"]').filter(has_text=title).first
            shown, whole, _, _ = _timed_click(tab, link)
            if not urllib.parse.urlparse(tab.url).path.endswith(f"/{there}"):
                raise RuntimeError(f"the link '{title}' led to {tab.url}, not /{there}")
            times[f"switch {here} -> {there}"].append((shown, whole))
    return {name: {"median_s": statistics.median(t for t, _ in v),
                   "max_s": max(t for t, _ in v),
                   "whole_median_s": statistics.median(w for _, w in v), "n": len(v)}
            for name, v in times.items()}


def serve_peak(url: str, pages=("overview", "trends", "hotspots", "overview"),
               rounds: int = 5) -> dict:
    """Peak RSS (MB) of a real `streamlit run` after opening ``pages`` in Chromium, then
    ``rounds`` redraws of each page after a new period is picked (``browser_redraws``) and
    ``rounds`` rounds of switching pages from the sidebar (``browser_switches``)."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = {**os.environ, "CSP_DASH_DB_URL": url, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", APP, "--server.port", str(port),
                             "--server.headless", "true", "--server.address", "127.0.0.1"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    loads = {}
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        idle = _vm(proc.pid, "VmRSS")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            for i, name in enumerate(pages):
                t0 = time.perf_counter()
                page.goto(f"{base}/{name}", wait_until="domcontentloaded")
                page.wait_for_selector("[data-testid='stApp']")
                page.wait_for_function(
                    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
                    " && document.querySelectorAll('[data-testid=\"stMetric\"], h1').length > 0",
                    timeout=120_000)
                loads[f"{i}:{name}"] = time.perf_counter() - t0
            redraws = browser_redraws(page, base, rounds) if rounds else {}
            if rounds:
                redraws.update(browser_switches(page, base, rounds))
            browser.close()
        # Where the memory is at the end: private (data, heaps) against mapped library code.
        return {"idle_rss_mb": idle, "peak_rss_mb": _vm(proc.pid, "VmHWM"),
                "end_anon_mb": _vm(proc.pid, "RssAnon"), "end_file_mb": _vm(proc.pid, "RssFile"),
                "browser_loads_s": loads, "browser_redraws": redraws}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def measure_pages(db_url: str, rounds: int = 5, serve: bool = True) -> dict:
    """Every page figure of issue 17 for the database at ``db_url`` (see the module docstring)."""
    out = {"db": db_url, **_child("sizes", db_url, db_url)}
    out["first_load"] = _child("first_load", db_url, "overview")
    out["first_trends"] = _child("first_load", db_url, "trends")
    out["interactions"] = _child("interactions", db_url, rounds)
    if serve:
        out["serve"] = serve_peak(db_url, rounds=rounds)
    return out


def report(res: dict) -> str:
    lines = [f"database: {res['db']}",
             f"raw rows {res['raw_rows']:,}; cube rows {res['cube_rows']:,} "
             f"(cube/raw {res['cube_to_raw']:.4f}); by layer {res['cube_by_layer']}",
             f"first load (Overview): {res['first_load']['first_load_s']:.2f} s, CPU "
             f"{res['first_load']['first_load_cpu_s']:.2f} s (target {TARGET_FIRST_LOAD_S} s)",
             f"first open of Crime trends, {READING_S:.0f} s after it: "
             f"{res['first_trends']['first_switch_s']:.2f} s,"
             f" CPU {res['first_trends']['first_switch_cpu_s']:.2f} s"]
    worst = 0.0
    for name, v in res["interactions"].items():
        worst = max(worst, v["median_s"])
        flag = "" if v["median_s"] <= TARGET_RERUN_S else "  OVER TARGET"
        lines.append(f"  {name:32s} median {v['median_s'] * 1000:7.0f} ms  max "
                     f"{v['max_s'] * 1000:7.0f} ms  CPU median {v['median_cpu_s'] * 1000:6.0f} ms"
                     f"  (n={v['n']}){flag}")
    lines.append(f"worst median rerun: {worst * 1000:.0f} ms (target {TARGET_RERUN_S * 1000:.0f} ms)")
    if "serve" in res:
        s = res["serve"]
        lines.append(f"served: idle {s['idle_rss_mb']:.0f} MB, peak {s['peak_rss_mb']:.0f} MB "
                     f"(target {TARGET_PEAK_MB} MB; at the end {s['end_anon_mb']:.0f} MB private, "
                     f"{s['end_file_mb']:.0f} MB mapped library files); browser loads "
                     + ", ".join(f"{k} {v:.2f} s" for k, v in s["browser_loads_s"].items()))
        for name, v in s.get("browser_redraws", {}).items():
            flag = "" if v["median_s"] <= TARGET_REDRAW_S else "  OVER TARGET"
            lines.append(f"  in Chromium, {name:22s} median {v['median_s'] * 1000:5.0f} ms  max "
                         f"{v['max_s'] * 1000:5.0f} ms  (n={v['n']}; click to shown, target "
                         f"{TARGET_REDRAW_S * 1000:.0f} ms){flag}; with the tables' "
                         f"accessible copies {v['whole_median_s'] * 1000:.0f} ms")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, help="database URL, e.g. duckdb:////work/bench/10m.duckdb")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-serve", action="store_true", help="skip the served app's memory")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--prepare-district", metavar="PREFIX",
                    help="first load Voronoi LSOA boundaries for PREFIX and declare it the district")
    args = ap.parse_args(argv)
    if args.prepare_district:
        prepare_district(args.db, args.prepare_district, Path(args.db.split("///")[-1]).parent)
    res = measure_pages(args.db, args.rounds, serve=not args.no_serve)
    print(report(res))
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2, default=str))
    return 0



def prepare_district(url: str, prefix: str, folder: Path) -> None:
    """Give a generated database a district with LSOA boundaries, as a partnership's has:
    Voronoi cells around each of the prefix's LSOAs (generated data has no boundaries), loaded
    as the lsoa layer, then the district declared by name prefix."""
    import geopandas as gpd
    import pandas as pd
    import shapely
    from sqlalchemy import select

    from csp_dash.db.engine import make_engine
    from csp_dash.db.schema import crimes
    from csp_dash.district.declare import from_name_prefix
    from csp_dash.ingest.boundaries import import_boundaries

    eng = make_engine(url)
    c = crimes.c
    with eng.connect() as conn:
        pts = pd.read_sql(select(c.lsoa_code, c.lsoa_name, c.longitude, c.latitude)
                          .where(c.lsoa_name.like(f"{prefix} %")).distinct(), conn)
    centres = pts.groupby(["lsoa_code", "lsoa_name"])[["longitude", "latitude"]].mean().reset_index()
    seeds = shapely.points(centres["longitude"], centres["latitude"])
    hull = shapely.convex_hull(shapely.multipoints(shapely.points(pts["longitude"], pts["latitude"])))
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=hull))
    area = hull.buffer(0.01)
    geoms = [shapely.intersection(next(g for g in cells if g.contains(s)), area) for s in seeds]
    gdf = gpd.GeoDataFrame({"code": centres["lsoa_code"], "name": centres["lsoa_name"]},
                           geometry=geoms, crs="EPSG:4326")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{prefix}_lsoa.geojson"
    gdf.to_file(path)
    import_boundaries(eng, path, "lsoa", code_field="code", name_field="name")
    from_name_prefix(eng, prefix)
    eng.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
