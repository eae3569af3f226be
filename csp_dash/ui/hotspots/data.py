"""Cached wrappers for the hotspot page, keyed by the database URL and the filter.

Gi* (and everything else ``analyse`` computes) is cached per filter with st.cache_data; the
units and spatial weights, which do not depend on the category, and the layer's polygons as
shared resources (read-only, so not copied on every hit). Every cache is keyed by the data
version (ui/cache.py), so a boundary load or a new district shows at the next run.
"""

from __future__ import annotations

import pandas as pd

from csp_dash import config, harm
from csp_dash.analysis.metres import bounds
from csp_dash.db.cube import ALL_LAYER
from csp_dash.hotspots import analysis as hotspots
from csp_dash.hotspots import appendix as hotspot_appendix
from csp_dash.hotspots import areas as hotspot_areas
from csp_dash.hotspots import estate_profile as hotspot_profile
from csp_dash.hotspots import layer_counts as hotspot_counts
from csp_dash.hotspots.analysis import Domain, HotspotQuery, HotspotResult
from csp_dash.hotspots.layer_counts import Counts
from csp_dash.ui import cached as data
from csp_dash.ui.cache import cached
from csp_dash.ui.maps import simplified_geometry
from csp_dash.ui.state import get_engine, read_engine

TTL = config.cache_ttl()
_QUERY_HASH = {HotspotQuery: repr}


@cached(ttl=TTL, show_spinner=False)
def map_layers(url: str) -> list[str]:
    return hotspot_areas.layers_with_geometry(read_engine(url))


@cached(ttl=TTL, show_spinner=False)
def harm_weights(url: str, scheme: str) -> pd.Series:
    return harm.weights(get_engine(url), scheme)


def _domain_key(q: HotspotQuery) -> tuple:
    """What the units and weights depend on: not the category, nor the Gi* settings."""
    if q.unit == "cells":
        return ("cells", q.current, q.resolution, q.ring)
    return ("areas", q.layer, q.weights, q.distance_m)


@cached(ttl=TTL, show_spinner=False, resource=True)
def district_areas(url: str, layer: str) -> pd.DataFrame:
    """The layer's polygons (the district's only, of the LSOA layer), read once for Gi*'s
    units, the map and the district's outline. Read-only: shared, not copied."""
    return hotspot_areas.area_frame(read_engine(url), layer, district_only=True)


@cached(ttl=TTL, show_spinner=False, resource=True)
def layer_counts(url: str, layer: str) -> Counts:
    """The layer's cube counts, held in memory when small (hotspots/layer_counts.py): a new
    period then sums what is held instead of reading the database. Read-only: shared."""
    return hotspot_counts.layer_counts(read_engine(url), layer)


@cached(ttl=TTL, show_spinner=False, resource=True)
def domain(url: str, key: tuple, _q: HotspotQuery) -> Domain:
    if _q.unit == "cells":
        counts = layer_counts(url, hotspots.counted_layer(_q))
        return hotspots.build_domain(read_engine(url), _q, counts=counts)
    areas = None if _q.layer == ALL_LAYER else district_areas(url, _q.layer)
    return hotspots.build_domain(read_engine(url), _q, areas)


@cached(ttl=TTL, show_spinner="Finding hotspots...", hash_funcs=_QUERY_HASH)
def analyse(url: str, q: HotspotQuery, scheme: str, weights: tuple) -> HotspotResult:
    w = pd.Series(dict(weights), name="weight")
    return hotspots.analyse(
        read_engine(url), q, w, domain(url, _domain_key(q), q), data.theme_table(url),
        counts=layer_counts(url, hotspots.counted_layer(q)), loaded=data.loaded_months(url),
    )  # fmt: skip


@cached(ttl=TTL, show_spinner=False, resource=True)
def layer_geometry(url: str, layer: str) -> tuple[pd.Index, list[dict], tuple]:
    """Simplified polygons of a layer for the map (codes, GeoJSON geometries, bounds)."""
    gdf = district_areas(url, layer)
    return gdf.index, simplified_geometry(gdf), bounds(gdf.geometry.to_numpy())


@cached(ttl=TTL, show_spinner=False, hash_funcs=_QUERY_HASH)
def district(url: str, q: HotspotQuery, scheme: str, weights: tuple) -> hotspot_profile.District:
    """The district's monthly counts for the filter: shared by every estate's profile."""
    return hotspot_profile.district_counts(read_engine(url), analyse(url, q, scheme, weights))


@cached(ttl=TTL, show_spinner=False, hash_funcs=_QUERY_HASH)
def profile(url: str, q: HotspotQuery, scheme: str, weights: tuple, code: str):
    result = analyse(url, q, scheme, weights)
    w = pd.Series(dict(weights), name="weight")
    return hotspot_profile.estate_profile(
        read_engine(url), result, code, w, district(url, q, scheme, weights), data.theme_table(url)
    )


@cached(ttl=TTL, show_spinner=False, hash_funcs=_QUERY_HASH)
def appendices(
    url: str, q: HotspotQuery, scheme: str, weights: tuple, categories: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(by estate then category, by category then estate) for the area layer."""
    return hotspot_appendix.appendix_tables(analyse(url, q, scheme, weights), list(categories))


@cached(ttl=TTL, show_spinner=False, hash_funcs=_QUERY_HASH)
def count_matrix(
    url: str, q: HotspotQuery, scheme: str, weights: tuple, categories: tuple[str, ...]
) -> pd.DataFrame:
    return hotspot_appendix.count_matrix(analyse(url, q, scheme, weights), list(categories))
