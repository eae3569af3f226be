"""The shared filters: one sidebar, kept in session state and mirrored to the URL.

A link copied from the address bar reopens exactly the same view: period, area and themes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from csp_dash import vocab
from csp_dash.db.cube import ALL_LAYER
from csp_dash.ui import cached as data
from csp_dash.ui.meeting.mode import presenting
from csp_dash.ui.url_params import url_notes
from csp_dash.vocab import layer_label

LENGTHS = [3, 6, 12, 24, 36, 60]
# URL parameter -> session key
PARAMS = {"end": "f_end", "len": "f_len", "layer": "f_layer", "area": "f_area",
          "themes": "f_themes", "cats": "f_cats"}


@dataclass(frozen=True)
class Filters:
    url: str
    end: date
    length: int
    layer: str
    area: str | None  # None = every area of the layer
    themes: tuple[str, ...]
    categories: tuple[str, ...]  # the categories selected, after themes are applied

    @property
    def start(self) -> date:
        return (pd.Timestamp(self.end) - pd.DateOffset(months=self.length - 1)).date()

    @property
    def areas_in(self) -> tuple[str, ...] | None:
        return (self.area,) if self.area else None

def _from_url(months: list[date], layer_names: list[str]) -> None:
    """On a session's first run, seed the widgets from the URL (ignoring values that don't fit)."""
    if st.session_state.get("_filters_seeded"):
        return
    st.session_state["_filters_seeded"] = True
    qp = st.query_params
    month_text = {f"{m:%Y-%m}": m for m in months}
    if qp.get("end") in month_text:
        st.session_state["f_end"] = month_text[qp["end"]]
    if qp.get("len", "").isdigit() and int(qp["len"]) in LENGTHS:
        st.session_state["f_len"] = int(qp["len"])
    if qp.get("layer") in layer_names:
        st.session_state["f_layer"] = qp["layer"]
        if qp.get("area"):
            st.session_state["f_area"] = qp["area"]
    for param in ("themes", "cats"):
        if qp.get(param):
            st.session_state[PARAMS[param]] = [v for v in qp[param].split("|") if v]


def _link_notes(url: str, months: list[date], layer_names: list[str]) -> list[str]:
    """What in the opening link does not fit the loaded data (the view falls back to defaults)."""
    qp = {k: st.query_params.get(k) for k in PARAMS if st.query_params.get(k)}
    if not qp:
        return []
    layer = qp.get("layer")
    themes = data.theme_table(url)
    return url_notes(qp, months, LENGTHS, layer_names,
                     data.area_options(url, layer) if layer in layer_names else None,
                     themes["theme"], themes["category"])


def _to_url(f: Filters) -> None:
    wanted = {"end": f"{f.end:%Y-%m}", "len": str(f.length), "layer": f.layer}
    if f.area:
        wanted["area"] = f.area
    if st.session_state.get("f_themes"):
        wanted["themes"] = "|".join(st.session_state["f_themes"])
    if st.session_state.get("f_cats"):
        wanted["cats"] = "|".join(st.session_state["f_cats"])
    # Only the filters' own keys are written, one at a time: other parameters belong to pages,
    # and some are bound to widgets (?view=SPC), which Streamlit forbids setting directly.
    for key in PARAMS:
        value = wanted.get(key)
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def router_filters() -> None:
    """Draw the filters from the entry point: widget state there survives page switches
    (Streamlit drops a page's own widget state when the user moves to another page)."""
    st.session_state["_filters"] = _draw()
    st.session_state["_filters_by_router"] = True


def sidebar_filters() -> Filters | None:
    """The shared filters for this run; None when no data is loaded yet."""
    if st.session_state.get("_filters_by_router"):
        return st.session_state.get("_filters")
    return _draw()


def _draw() -> Filters | None:
    url = data_url()
    rng = data.month_range(url)
    sb = _Unseen() if presenting() else st.sidebar
    if rng is None:
        sb.info("No crime data loaded yet: use the Data page.")
        return None
    months = list(pd.date_range(rng[0], rng[1], freq="MS").date)[::-1]
    layer_names = data.cube_layers(url)
    if not st.session_state.get("_filters_seeded"):
        st.session_state["_url_notes"] = _link_notes(url, months, layer_names)
    _from_url(months, layer_names)
    sb.markdown("#### Filters")
    for note in st.session_state.pop("_url_notes", []):  # shown once, on the link's first run
        sb.warning(note, icon=":material/link_off:")
    if st.session_state.get("f_end") not in months:
        st.session_state["f_end"] = months[0]
    end = sb.selectbox("Period ending", months, key="f_end", format_func=lambda m: f"{m:%b %Y}")
    if "f_len" not in st.session_state:
        st.session_state["f_len"] = 12
    length = sb.selectbox("Period length", LENGTHS, key="f_len", format_func=lambda n: f"{n} months")
    if st.session_state.get("f_layer") not in layer_names:
        st.session_state["f_layer"] = ALL_LAYER
    layer = sb.selectbox("Area layer", layer_names, key="f_layer",
                         format_func=layer_label)
    area = None
    if layer != ALL_LAYER:
        options = data.area_options(url, layer)
        codes = [""] + list(options)
        if st.session_state.get("f_area") not in codes:
            st.session_state["f_area"] = ""
        area = sb.selectbox("Area", codes, key="f_area",
                            format_func=lambda c: f"Every {layer_singular(layer)}"
                            if c == "" else options[c]) or None
    themes_df = data.theme_table(url)
    theme_names = list(dict.fromkeys(themes_df["theme"]))
    st.session_state["f_themes"] = [t for t in st.session_state.get("f_themes", []) if t in theme_names]
    themes = sb.multiselect("Themes", theme_names, key="f_themes", placeholder="All themes")
    in_themes = themes_df[themes_df["theme"].isin(themes)] if themes else themes_df
    cat_names = list(in_themes["category"])
    st.session_state["f_cats"] = [c for c in st.session_state.get("f_cats", []) if c in cat_names]
    cats = sb.multiselect("Categories", cat_names, key="f_cats", placeholder="All categories in the themes")
    f = Filters(url, end, int(length), layer, area, tuple(themes), tuple(cats or cat_names))
    _to_url(f)
    return f


class _Unseen:
    """Meeting mode: the filters take their values from the link (as the widgets would, the
    checks above having fitted them to the options) and draw nothing (docs/architecture.md)."""

    def selectbox(self, label, options, key, format_func=None):
        value = st.session_state.get(key)
        return value if value in options else options[0]

    def multiselect(self, label, options, key, placeholder=None):
        return [v for v in st.session_state.get(key, []) if v in options]

    def markdown(self, *args, **kwargs) -> None:
        pass

    info = warning = markdown


def layer_singular(layer: str) -> str:
    """'LSOA', 'ward', 'estate': a layer's name inside a sentence (csp_dash.vocab)."""
    return vocab.layer_singular(layer)


def data_url() -> str:
    from csp_dash.ui.state import db_url

    return db_url()


def area_label(f: Filters) -> str:
    if f.layer == ALL_LAYER:  # the district, by its name once declared
        cov = data.district_coverage(f.url)
        return cov.name if cov.status == "declared" else "the whole area"
    if not f.area:
        return f"every {layer_singular(f.layer)}"
    return data.area_options(f.url, f.layer).get(f.area, f.area)
