"""Hotspot page: the controls, headline tiles, the map and the statement of method."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from csp_dash import harm
from csp_dash.analysis.periods import label, window
from csp_dash.db.cube import ALL_LAYER
from csp_dash.hotspots.analysis import HotspotQuery, HotspotResult, unit_word
from csp_dash.hotspots.areas import DISTRICT_LAYER
from csp_dash.hotspots.cells import RESOLUTIONS, RINGS
from csp_dash.hotspots.periods import SUB_PERIODS
from csp_dash.hotspots.stats import GiSettings
from csp_dash.ui import maps
from csp_dash.ui.filters import Filters
from csp_dash.ui.hotspots import data as hotspot_data
from csp_dash.vocab import sentence_start

PERMUTATIONS = [99, 499, 999, 9999]


@dataclass(frozen=True)
class Controls:
    areas: HotspotQuery  # the area layer (profile, appendices; the map when unit is areas)
    cells: HotspotQuery | None  # set when the map analyses H3 cells
    metric: str
    scheme: str
    basemap: bool
    note: str  # why the layer differs from the sidebar's, if it does

    @property
    def mapped(self) -> HotspotQuery:
        return self.cells or self.areas


def mappable(layers: list[str]) -> list[str]:
    """The layers a hotspot map can compare areas of; the first is shown by default."""
    return [x for x in layers if x != DISTRICT_LAYER] or layers


def _layer(f: Filters, layers: list[str]) -> tuple[str, str]:
    if f.layer in mappable(layers):
        return f.layer, ""
    chosen = mappable(layers)[0]
    why = (
        "the whole area is one unit"
        if f.layer in (ALL_LAYER, DISTRICT_LAYER)
        else f"'{f.layer}' has no boundaries loaded"
    )
    return chosen, (
        f"Hotspots need areas to compare and {why}: showing "
        f"{unit_word(chosen)}. Choose another area layer in the sidebar."
    )


def controls(f: Filters, layers: list[str]) -> Controls:
    layer, note = _layer(f, layers)
    words = unit_word(layer)
    c = st.columns([1.3, 1.4, 1.4, 1])
    unit = (
        c[0].segmented_control(
            "Analyse",
            ["areas", "cells"],
            key="hs_unit", bind="query-params",
            default="areas",
            format_func=lambda u: _cap(words) if u == "areas" else "H3 cells",
            help="Areas of the chosen layer, or equal-sized H3 hexagons (a density grid built on "
            "the server from the cell each record was assigned at ingest)",
        )
        or "areas"
    )
    metrics = list(maps.METRICS)
    metric = c[1].selectbox(
        "Colour the map by", metrics, key="hs_metric", bind="query-params", format_func=maps.METRICS.get
    )
    scheme = c[2].selectbox(
        "Harm weights", list(harm.SCHEMES), key="hs_scheme", bind="query-params", format_func=harm.SCHEMES.get
    )
    basemap = c[3].toggle(
        "Basemap",
        key="hs_basemap", bind="query-params",
        help="Streets under the map: needs an internet connection (CARTO "
        "Positron, no token). Off, the map works offline.",
    )
    with st.expander("Method settings: spatial weights, significance, sub-periods"):
        m = st.columns(3)
        kind = m[0].radio(
            "Area weights",
            ["auto", "queen", "distance"],
            key="hs_weights", bind="query-params",
            format_func={
                "auto": "Automatic",
                "queen": "Queen contiguity",
                "distance": "Distance band",
            }.get,
            help="Automatic: queen contiguity (areas sharing an edge or corner), "
            "or a distance band where many areas touch no other",
        )
        dist = m[0].number_input(
            "Distance band (m; 0 = just wide enough)",
            0,
            20_000,
            0,
            100,
            key="hs_distance", bind="query-params",
            disabled=kind != "distance",
        )
        res = m[1].selectbox(
            "Cell size", list(RESOLUTIONS), key="hs_res", bind="query-params", format_func=RESOLUTIONS.get
        )
        ring = m[1].selectbox(
            "Cell neighbours",
            list(RINGS),
            key="hs_ring", bind="query-params",
            format_func=lambda k: f"{k} ring ({RINGS[k]} cells)",
        )
        p_method = m[2].radio(
            "p-values",
            ["normal", "permutation"],
            key="hs_p", bind="query-params",
            format_func={"normal": "Normal approximation", "permutation": "Permutation"}.get,
        )
        perms = m[2].selectbox(
            "Permutations",
            PERMUTATIONS,
            index=2,
            key="hs_perms", bind="query-params",
            disabled=p_method != "permutation",
        )
        seed = m[2].number_input(
            "Random seed", 0, 2**31 - 1, 12345, key="hs_seed", bind="query-params", disabled=p_method != "permutation"
        )
        sub = m[1].radio(
            "Sub-periods for classes",
            list(SUB_PERIODS),
            key="hs_sub", bind="query-params",
            format_func=lambda s: SUB_PERIODS[s].capitalize(),
            horizontal=True,
        )
    gi = GiSettings(p_method, int(perms), int(seed))
    areas = HotspotQuery(
        layer,
        f.categories,
        window(f.end, f.length),
        "areas",
        9,
        1,
        kind,
        float(dist) or None,
        gi,
        sub,
    )
    cells = (
        HotspotQuery(
            layer,
            f.categories,
            window(f.end, f.length),
            "cells",
            int(res),
            int(ring),
            "auto",
            None,
            gi,
            sub,
        )
        if unit == "cells"
        else None
    )
    return Controls(areas, cells, metric, scheme, bool(basemap), note)


def harm_key(url: str, scheme: str) -> tuple:
    return tuple(hotspot_data.harm_weights(url, scheme).items())


def headline(result: HotspotResult) -> None:
    t = result.table
    words = result.unit_word
    st.markdown(
        f"**{sentence_start(result.label)}**, {label(result.query.current)}, compared with "
        f"{label(result.previous)} ({result.comparison})."
    )
    c = st.columns(4)
    total, prev = int(t["count"].sum()), int(t["previous"].sum())
    pct = f"{(total - prev) / prev * 100:+.1f}%" if prev else None
    c[0].metric(
        f"Recorded in the {words}",
        f"{total:,}",
        delta=pct,
        delta_color="off",
        border=True,
        help=f"{prev:,} in {label(result.previous)}",
    )
    sig = t["significance"]
    hot = int(sig.isin(["hot 99%", "hot 95%"]).sum())
    cold = int(sig.isin(["cold 99%", "cold 95%"]).sum())
    c[1].metric(
        "Gi* hot spots (95%+)",
        f"{hot:,}",
        border=True,
        help=f"{int((sig == 'hot 90%').sum()):,} more at 90%; {cold:,} cold spots at 95%+",
    )
    conc = result.concentration
    c[2].metric(
        f"Half of it in (share of {words})",
        f"{conc.unit_share:.1%}" if conc.units else "n/a",
        border=True,
        help=conc.headline,
    )
    cls = result.classes.classes
    if cls is not None:
        persistent = int((cls == "persistent hotspot").sum())
        emerging = int((cls == "emerging hotspot").sum())
        c[3].metric(
            "Persistent / emerging",
            f"{persistent:,} / {emerging:,}",
            border=True,
            help="Hotspot classes (sfhotspot rules) over the sub-periods",
        )
    else:
        c[3].metric("Persistent / emerging", "n/a", border=True, help=result.classes.note)
    st.caption(conc.headline)


def method_panel(result: HotspotResult) -> None:
    with st.container(border=True):
        st.markdown(
            "**How hotspots are found.** Getis-Ord Gi* (each unit counted with its neighbours; "
            "tested against PySAL esda's `G_Local`, star=True) on the "
            f"{result.label} count of each unit."
        )
        st.markdown(
            f"- **Units:** {result.domain_description}.\n"
            f"- **Spatial weights:** {result.weights_statement}.\n"
            f"- **Significance:** {result.gi_statement}\n"
            f"- **Classes over time:** sfhotspot `hotspot_classify` rules and defaults. "
            f"{result.classes.note}"
        )
    if result.outside["count"]:
        st.caption(
            f"{result.outside['count']:,} records in {result.outside['areas']:,} places "
            f"outside the study area (police.uk map points over the boundary) are left out."
        )
    if result.missing_months:
        st.warning(
            "No data loaded for "
            + ", ".join(f"{m:%b %Y}" for m in result.missing_months)
            + ": counts and changes covering these months are incomplete."
        )
    if result.classes.empty_periods:
        st.caption(
            "Sub-periods with no records at all (count as not significant): "
            + ", ".join(result.classes.empty_periods)
        )


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
