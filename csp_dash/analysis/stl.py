"""STL, seasonal-trend decomposition by loess (Cleveland, Cleveland, McRae & Terpenning 1990).

Written in numpy so the Crime trends page need not import statsmodels (about 70 MB with
the scipy it pulls in; docs/architecture.md, "Performance"). It follows the paper's
procedure with the choices statsmodels ``STL(endog, period, robust=...)`` makes by default,
and is checked against it (docs/methods.md, "Seasonal decomposition"):

- smoothers: seasonal window 7; trend window the next odd integer >= 1.5 period /
  (1 - 1.5 / seasonal); low-pass window the next odd integer > period; all local linear
  (degree 1); every point fitted (no jumps, so no interpolation);
- inner loop: detrend, smooth each cycle-subseries (extended one period at each end),
  low-pass it (moving averages of period, period, 3, then loess), seasonal = smoothed
  subseries - low-pass, trend = loess of the deseasonalised data;
- outer loop (robust): bisquare weights on |residual| / (6 median |residual|), all 1
  where that median is 0; 2 inner and 15 outer iterations (5 and 0 when not robust).

Each sum adds its terms in the reference's order, so results agree to the bit in
practice. That matters: robust STL on 36 months can fit two of the three years almost
exactly and give the third zero weight, and from there the weights hang on rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

SEASONAL_WINDOW = 7


@dataclass(frozen=True)
class STLFit:
    """Components of one decomposition, each as long as the series."""

    trend: np.ndarray
    seasonal: np.ndarray
    resid: np.ndarray
    weights: np.ndarray


def _next_odd(x: int) -> int:
    return x + 1 if x % 2 == 0 else x


def trend_window(period: int, seasonal: int = SEASONAL_WINDOW) -> int:
    """The default trend window: the smallest odd integer >= 1.5 period / (1 - 1.5 / seasonal)."""
    return _next_odd(math.ceil(1.5 * period / (1 - 1.5 / seasonal)))


def _sum(m: np.ndarray) -> np.ndarray:
    """Column sums of a C-ordered array, added top to bottom (numpy adds row by row)."""
    return np.add.reduce(m, axis=0)


@dataclass(frozen=True)
class _Loess:
    """Local linear loess fits, one per column, each from a window of inputs (rows).

    ``take`` holds each fit's input indices, ``base`` their tricube weights (zero for
    padding), ``pos`` their positions and ``xs`` the fitting point (1-based, in the
    smoothed series' own units). A fit whose weighted spread of positions is at most
    ``spread`` (0.001 of the range) stays local constant. A fit with no weight copies
    input ``copy_input``, or where that is -1 the fit in column ``copy_row``.
    """

    take: np.ndarray
    base: np.ndarray
    pos: np.ndarray
    xs: np.ndarray
    spread: np.ndarray
    copy_input: np.ndarray
    copy_row: np.ndarray

    def fit(self, y: np.ndarray, rw: np.ndarray | None = None) -> np.ndarray:
        w, ok = self._plain if rw is None else self._weights(self.base * rw[self.take])
        ys = _sum(w * y[self.take])
        if not ok.all():
            direct = ~ok & (self.copy_input >= 0)
            ys[direct] = y[self.copy_input[direct]]
            ends = ~ok & (self.copy_input < 0)
            ys[ends] = ys[self.copy_row[ends]]
        return ys

    @cached_property
    def _plain(self) -> tuple[np.ndarray, np.ndarray]:
        """The weights without robustness weights: the same for every series."""
        return self._weights(self.base)

    def _weights(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each fit's final weights on its inputs, and whether it had any weight at all."""
        total = _sum(w)
        ok = total > 0
        w = w / np.where(ok, total, 1.0)
        centre = _sum(w * self.pos)
        dev = self.pos - centre
        c = _sum(w * (dev * dev))
        slope = np.sqrt(c) > self.spread
        b = (self.xs - centre) / np.where(slope, c, 1.0)
        if slope.all():
            return w * (b * dev + 1.0), ok
        return np.where(slope, w * (b * dev + 1.0), w), ok


def _tricube(n: int, window: int, xs: float, left: int, right: int) -> list[float]:
    """Tricube weights of positions left..right (1-based) for a fit at xs in a series of n.

    Plain floats and ``**``, as the reference computes them; built once per shape.
    """
    h = float(max(xs - left, right - xs))
    if window > n:  # a window longer than the series widens the bandwidth by half the excess
        h += (window - n) // 2
    out = []
    for j in range(left, right + 1):
        r = abs(j - xs)
        out.append(0.0 if r > 0.999 * h else 1.0 if r <= 0.001 * h else (1.0 - (r / h) ** 3) ** 3)
    return out


def _window(n: int, window: int, i: int) -> tuple[int, int]:
    """Point i's neighbourhood (1-based, inclusive): centred, shifted inward at the ends."""
    if window >= n:
        return 1, n
    left = min(max(i - (window + 1) // 2 + 1, 1), n - window + 1)
    return left, left + window - 1


def _fit_at(inputs, window: int, xs: int, left: int, right: int, copy_input=-1, copy_row=-1):
    """One fit of a loess over ``inputs`` (a series or subseries), at position xs (1-based)
    from positions left..right: (inputs taken, weights, positions, xs, spread, copies)."""
    n = len(inputs)
    span = range(left, right + 1)
    return ([inputs[j - 1] for j in span], _tricube(n, window, xs, left, right),
            [float(j) for j in span], float(xs), 0.001 * (n - 1), copy_input, copy_row)


def _build(fits: list[tuple]) -> _Loess:
    """Stack the fits as columns, so that each sum runs down contiguous rows."""
    width = max(len(f[0]) for f in fits)

    def stack(col: int, fill=None, dtype=float) -> np.ndarray:
        # padding has weight 0, so it adds exact zeros to each sum
        rows = [f[col] + [f[col][0] if fill is None else fill] * (width - len(f[col])) for f in fits]
        return np.ascontiguousarray(np.array(rows, dtype=dtype).T)

    def each(col: int, dtype=float) -> np.ndarray:
        return np.array([f[col] for f in fits], dtype=dtype)

    return _Loess(take=stack(0, dtype=np.intp), base=stack(1, fill=0.0), pos=stack(2),
                  xs=each(3), spread=each(4), copy_input=each(5, np.intp),
                  copy_row=each(6, np.intp))


def _smoother(n: int, window: int) -> _Loess:
    """Loess at every point of a series of length n."""
    inputs = list(range(n))
    return _build([_fit_at(inputs, window, i, *_window(n, window, i), copy_input=i - 1)
                   for i in range(1, n + 1)])


def _cycle_subseries(n: int, period: int, window: int) -> _Loess:
    """Loess of each month's subseries, extended by one value at each end.

    Fit t + period is time t, for t = -period .. n + period - 1. A subseries of k values is
    fitted at its positions 1..k and at 0 and k + 1 (from the nearest ``window`` values);
    an end with no weight copies the fit next to it.
    """
    fits: list[tuple] = [()] * (n + 2 * period)
    for phase in range(period):
        times = list(range(phase, n, period))
        k = len(times)

        def row(m: int, phase=phase) -> int:
            return m * period + phase

        fits[row(0)] = _fit_at(times, window, 0, 1, min(window, k), copy_row=row(1))
        for m in range(1, k + 1):
            fits[row(m)] = _fit_at(times, window, m, *_window(k, window, m),
                                   copy_input=times[m - 1])
        fits[row(k + 1)] = _fit_at(times, window, k + 1, max(1, k - window + 1), k,
                                   copy_row=row(k))
    return _build(fits)


def _moving_average(x: np.ndarray, span: int) -> np.ndarray:
    """Moving average of span values as a running sum (first sum, then add and drop one)."""
    steps = np.concatenate([np.cumsum(x[:span])[-1:], x[span:] - x[:-span]])
    return np.cumsum(steps) / float(span)


@lru_cache(maxsize=64)
def _smoothers(n: int, period: int, seasonal: int, trend: int, low_pass: int):
    """STL's three loess smoothers for a series of length n, built once per shape."""
    return (
        _cycle_subseries(n, period, seasonal),
        _smoother(n, low_pass),
        _smoother(n, trend),
    )


def _robustness_weights(y: np.ndarray, fit: np.ndarray) -> np.ndarray:
    """Bisquare weights of |y - fit| / (6 median): 1 below 0.001, 0 beyond 0.999."""
    r = np.abs(y - fit)
    n = len(r)
    lo, hi = n // 2, n - n // 2 - 1
    middle = np.partition(r, [lo, hi])
    h = 3.0 * (middle[lo] + middle[hi])  # 6 x the median
    if h == 0:  # over half the data fitted exactly: no scale to judge outliers by
        return np.ones(n)
    return np.where(r <= 0.001 * h, 1.0, np.where(r <= 0.999 * h, (1.0 - (r / h) ** 2) ** 2, 0.0))


def stl(y, period: int, robust: bool = True, seasonal: int = SEASONAL_WINDOW) -> STLFit:
    """Decompose ``y`` (1-d, no gaps, at least two periods long) into trend + seasonal + resid."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    if y.ndim != 1 or n < 2 * period or not np.isfinite(y).all():
        raise ValueError("STL needs a 1-d series of finite values at least two periods long")
    cycle, low, trend_loess = _smoothers(
        n, period, seasonal, trend_window(period, seasonal), _next_odd(period + 1)
    )
    inner, outer = (2, 15) if robust else (5, 0)
    trend = np.zeros(n)
    season = np.zeros(n)
    rw = None
    for k in range(outer + 1):
        for _ in range(inner):
            smoothed = cycle.fit(y - trend, rw)
            averaged = smoothed
            for span in (period, period, 3):
                averaged = _moving_average(averaged, span)
            season = smoothed[period : period + n] - low.fit(averaged)
            trend = trend_loess.fit(y - season, rw)
        if k < outer:
            rw = _robustness_weights(y, trend + season)
    weights = np.ones(n) if rw is None else rw
    return STLFit(trend=trend, seasonal=season, resid=y - season - trend, weights=weights)
