"""The Crime series page: near-repeat (Knox) analysis of a partner crime extract."""

from __future__ import annotations

import streamlit as st

from csp_dash import config
from csp_dash.analysis.near_repeat import describe_knox, run_knox
from csp_dash.horizon.figures import knox_heat
from csp_dash.horizon.series import (
    POLICE_UK_REFUSAL,
    event_categories,
    partner_dataset_names,
    partner_events,
)
from csp_dash.ui.cache import cached
from csp_dash.ui.cached import dataset_titles
from csp_dash.ui.downloads import chart_with_downloads, table_with_downloads
from csp_dash.ui.state import read_engine
from csp_dash.ui.text import md

TTL = config.cache_ttl()
BAND_PRESETS = {
    "Burglary (0-400 m, weekly to 4 weeks)": ((0, 100, 200, 300, 400), (0, 7, 14, 21, 28)),
    "Wider (0-1,000 m, fortnightly to 8 weeks)": ((0, 200, 400, 600, 800, 1000),
                                                  (0, 14, 28, 42, 56)),
}


@cached(ttl=TTL, show_spinner=False)
def _datasets(url: str) -> list[str]:
    return partner_dataset_names(read_engine(url))


@cached(ttl=TTL, show_spinner=False)
def _categories(url: str, dataset: str):
    return event_categories(read_engine(url), dataset)


@cached(ttl=TTL, show_spinner="Counting pairs and shuffling dates ...")
def _knox(url: str, dataset: str, category: str | None, space: tuple, time: tuple,
          distance: str, permutations: int, seed: int):
    """(result, events summary, refusal message)."""
    try:
        ev = partner_events(read_engine(url), dataset, category)
        f = ev.frame
        res = run_knox(f["x"], f["y"], f["day"], space, time, distance=distance,
                       permutations=permutations, seed=seed)
    except ValueError as exc:
        return None, None, str(exc)
    summary = {"first": f["record_date"].min(), "last": f["record_date"].max(),
               "dropped": ev.dropped_no_location, "crs": ev.crs}
    return res, summary, None


def crime_series_page(url: str) -> None:
    st.caption("Do crimes cluster in space and time? After a burglary, are the neighbours at "
               "raised risk for a few days or weeks? The Knox test counts every pair of crimes "
               "by how far and how many days apart they are, against chance.")
    names = _datasets(url)
    with st.expander("Why not police.uk data?"):
        st.write(POLICE_UK_REFUSAL)
    if not names:
        st.info("No partner crime extract is loaded. Load a force extract of burglary or "
                "vehicle crime (exact dates and coordinates) on the Data page, or with "
                "`csp-dash ingest partner PATH --dataset NAME --mapping FILE`.")
        return
    c1, c2 = st.columns(2)
    default = names.index("crime_extract") if "crime_extract" in names else 0
    titles = dataset_titles(url)
    dataset = c1.selectbox("Partner dataset", names, index=default, key="nr_dataset",
                           bind="query-params", format_func=lambda n: titles.get(n, n))
    cats = _categories(url, dataset)
    located = cats[cats["located"] > 0]
    if located.empty:
        st.warning(f"No record of {md(titles.get(dataset, dataset))} has coordinates: "
                   "near-repeat needs them.")
        return
    labels = [f"{r.category} ({r.located:,} located)" for r in located.itertuples()]
    pick = c2.selectbox("Category", labels, key="nr_category", bind="query-params")
    category = located["category"].iloc[labels.index(pick)]
    c3, c4, c5, c6 = st.columns(4)
    preset = c3.selectbox("Bands", list(BAND_PRESETS), key="nr_bands", bind="query-params")
    distance = c4.selectbox("Distance", ["manhattan", "euclidean"], key="nr_distance", bind="query-params",
                            help="Manhattan (along a street grid) as Ratcliffe's Near Repeat "
                                 "Calculator; Euclidean is straight-line.")
    perms = c5.selectbox("Shuffles", [99, 999], index=1, key="nr_perms", bind="query-params",
                         help="More shuffles give finer p-values: the smallest possible is "
                              "1 / (shuffles + 1).")
    seed = c6.number_input("Seed", 0, 2**31 - 1, 1964, key="nr_seed", bind="query-params",
                           help="The same seed gives the same result.")
    space, time = BAND_PRESETS[preset]
    res, summary, refused = _knox(url, dataset, category, space, time, distance, int(perms),
                                  int(seed))
    if refused:
        st.warning(refused)
        return
    what = category.lower()
    readings = describe_knox(res, what)
    for line in readings[:2]:
        if line.startswith(("Repeat", "Near repeat")):
            st.success(line)
        else:
            st.info(line)
    st.caption(f"{res.n_events:,} located records from {summary['first']:%d %b %Y} to "
               f"{summary['last']:%d %b %Y}"
               + (f"; {summary['dropped']:,} without coordinates left out" if summary["dropped"]
                  else "")
               + f". Distances in metres on {summary['crs']}.")
    chart_with_downloads(knox_heat(res, f"{category}: pairs close in space and time"),
                         f"near_repeat_{dataset}", key="nr_chart")
    st.caption("Each cell: how many more (or fewer) pairs of crimes are this far and this many "
               "days apart than if the same crimes had happened on shuffled dates. 2.0 means "
               "twice as many as chance. Pairs at the same place are repeats; nearby, near "
               "repeats. A crime is paired with every other, earlier or later.")
    cells = [line for line in readings[1:] if not line.startswith(("Repeat", "Near repeat"))]
    if cells:
        with st.expander("Every significant cell in words"):
            st.markdown("\n".join(f"- {line}" for line in cells))
    table = res.table()
    stamp = [f"CSP Dash near-repeat analysis: {titles.get(dataset, dataset)}, {category}",
             f"{res.permutations} permutations, seed {res.seed}, {res.distance} distance"]
    table_with_downloads(table, f"near_repeat_{dataset}", stamp=stamp, key="nr_table",
                         shown=table.round({"expected": 1, "ratio": 2, "p": 3}))
