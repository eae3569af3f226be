"""A whole-number key for each snapped police.uk map point, so areas are assigned once per point."""

from __future__ import annotations

import numpy as np
import pandas as pd

_SCALE = 1_000_000  # police.uk gives 6 decimal places


def location_keys(lon: np.ndarray, lat: np.ndarray) -> pd.array:
    """Pack (lon, lat) rounded to 1e-6 degrees into one int64; missing where either is NaN."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    ok = ~(np.isnan(lon) | np.isnan(lat))
    keys = np.zeros(len(lon), dtype=np.int64)
    x = np.rint((lon[ok] + 180.0) * _SCALE).astype(np.int64)
    y = np.rint((lat[ok] + 90.0) * _SCALE).astype(np.int64)
    keys[ok] = x * 1_000_000_000 + y
    return pd.arrays.IntegerArray(keys, ~ok)


def key_to_lonlat(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keys = np.asarray(keys, dtype=np.int64)
    return keys // 1_000_000_000 / _SCALE - 180.0, keys % 1_000_000_000 / _SCALE - 90.0
