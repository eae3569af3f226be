"""XmR statistical process control chart, following NHS England's "Making Data Count".

Limits are mean +/- 2.66 x mean moving range (MR). A point shows special-cause variation
where any of these rules fires, each evaluated within its own segment:

- ``outside``: the point is above the upper or below the lower process limit;
- ``run_side`` (shift): it is one of a run of 7 or more consecutive points strictly on the
  same side of the mean. A point exactly on the mean breaks the run. Every point of the
  run is flagged;
- ``run_trend`` (trend): it is one of "a run of seven increasing or decreasing points",
  that is 7 or more consecutive points each strictly above (or each strictly below) the
  one before, i.e. 6 or more consecutive rises (falls). An equal value breaks the trend.
  Every point of the run is flagged, the first one included;
- ``two_of_three``: within some 3 consecutive points, at least 2 lie beyond two-thirds of
  the distance from the mean to the same limit (points beyond the limit count too, as in
  Western Electric rule 2). The points beyond are flagged; the third point is not.

``variation`` colours each point: "common" where no rule fires, otherwise "improvement"
or "concern" by the improvement direction ("down" is better for most crime), or
"neutral" when ``improvement="neutral"``. Whether a special point is high or low is taken,
in this order, from the limit it breaches, the side of its 2-of-3 or shift run, then the
direction of its trend (so a rising trend below the mean is still a concern when down is
better).

Options:

- ``baseline_points=N`` fixes the mean and limits to the first N points of each segment;
  later points are judged against them (the domestic abuse baselining case).
- ``rebase_at`` starts a new segment, with its own mean and limits, at each given position
  (int) or label (a month for a date-indexed series: the first point on or after it).
  The chart is never rebased automatically.
- ``mr_screen=True`` drops moving ranges above 3.267 x the mean MR and recomputes the mean
  MR once, as Making Data Count recommends where a single wild MR inflates the limits.
  Off by default. The lower limit is not floored at zero.

Making Data Count advises at least 12 to 15 points for stable limits; segments whose
limits rest on fewer than 12 get a warning in ``result.attrs["warnings"]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

LIMIT_FACTOR = 2.66
MR_SCREEN_FACTOR = 3.267
RUN_LENGTH = 7
MIN_STABLE_POINTS = 12
IMPROVEMENTS = ("down", "up", "neutral")

SPC_COLUMNS = [
    "value",
    "mean",
    "ucl",
    "lcl",
    "mr",
    "segment",
    "baseline",
    "outside",
    "run_side",
    "run_trend",
    "two_of_three",
    "special",
    "variation",
]


def _as_series(values) -> pd.Series:
    s = values.copy() if isinstance(values, pd.Series) else pd.Series(list(values))
    s = pd.Series(pd.to_numeric(s, errors="raise").to_numpy(dtype=float), index=s.index)
    if s.empty:
        raise ValueError("an XmR chart needs at least one value")
    if not np.all(np.isfinite(s.to_numpy())):
        raise ValueError("values contain missing or infinite entries; fill or drop gaps first")
    if (
        isinstance(s.index, pd.DatetimeIndex | pd.PeriodIndex)
        and not s.index.is_monotonic_increasing
    ):
        raise ValueError("a date-indexed series must be in time order")
    return s


def _position(index: pd.Index, at) -> int:
    """Position in the index where a rebase declared as ``at`` starts a new segment."""
    if isinstance(at, int | np.integer) and not isinstance(at, bool):
        pos = int(at)
    elif isinstance(index, pd.DatetimeIndex):
        pos = int(index.searchsorted(pd.Timestamp(at), side="left"))
    elif isinstance(index, pd.PeriodIndex):
        pos = int(index.searchsorted(pd.Period(at, freq=index.freq), side="left"))
    else:
        loc = index.get_loc(at)
        if not isinstance(loc, int | np.integer):
            raise ValueError(f"rebase label {at!r} is not unique in the index")
        pos = int(loc)
    if not 0 <= pos < len(index):
        raise ValueError(f"rebase point {at!r} is outside the series")
    return pos


def _runs(codes: np.ndarray) -> list[tuple[int, int, int]]:
    """(start, stop, code) for each run of equal values in a 1-D array."""
    runs = []
    start = 0
    for i in range(1, len(codes) + 1):
        if i == len(codes) or codes[i] != codes[start]:
            runs.append((start, i, int(codes[start])))
            start = i
    return runs


def _segment(y: np.ndarray, n_base: int, mr_screen: bool) -> dict[str, np.ndarray]:
    """Limits and rule flags for one segment of values."""
    n = len(y)
    mr = np.full(n, np.nan)
    mr[1:] = np.abs(np.diff(y))
    base_mr = mr[1:n_base]
    mean = float(y[:n_base].mean())
    mr_bar = float(base_mr.mean()) if len(base_mr) else np.nan
    if mr_screen and len(base_mr):
        mr_bar = float(base_mr[base_mr <= MR_SCREEN_FACTOR * mr_bar].mean())
    ucl = mean + LIMIT_FACTOR * mr_bar
    lcl = mean - LIMIT_FACTOR * mr_bar
    signal = np.zeros(n, dtype=int)  # +1 high, -1 low, 0 none; first rule to fire wins

    above, below = y > ucl, y < lcl
    outside = above | below
    signal[above], signal[below] = 1, -1

    # 2 of 3 beyond two-thirds of the way to a limit, on the same side.
    near_high = y > mean + 2 / 3 * (ucl - mean)
    near_low = y < mean - 2 / 3 * (mean - lcl)
    two_of_three = np.zeros(n, dtype=bool)
    for near in (near_high, near_low):
        for i in range(max(n - 2, 0)):
            if near[i : i + 3].sum() >= 2:
                two_of_three[i : i + 3] |= near[i : i + 3]
    _mark(signal, two_of_three & near_high, 1)
    _mark(signal, two_of_three & near_low, -1)

    side = np.sign(y - mean) if np.isfinite(mean) else np.zeros(n)
    run_side = np.zeros(n, dtype=bool)
    for start, stop, code in _runs(side):
        if code != 0 and stop - start >= RUN_LENGTH:
            run_side[start:stop] = True
            _mark(signal[start:stop], np.ones(stop - start, dtype=bool), code)

    # A trend of 7 points is 6 consecutive steps the same way.
    steps = np.sign(np.diff(y))
    run_trend = np.zeros(n, dtype=bool)
    for start, stop, code in _runs(steps):
        if code != 0 and stop - start >= RUN_LENGTH - 1:
            run_trend[start : stop + 1] = True
            _mark(signal[start : stop + 1], np.ones(stop + 1 - start, dtype=bool), code)

    return {
        "mean": np.full(n, mean),
        "ucl": np.full(n, ucl),
        "lcl": np.full(n, lcl),
        "mr": mr,
        "baseline": np.arange(n) < n_base,
        "outside": outside,
        "run_side": run_side,
        "run_trend": run_trend,
        "two_of_three": two_of_three,
        "signal": signal,
    }


def _mark(signal: np.ndarray, where: np.ndarray, code: int) -> None:
    """Set the high/low signal where it is not already set by a stronger rule."""
    signal[where & (signal == 0)] = code


def xmr(
    values: pd.Series | Sequence[float],
    *,
    baseline_points: int | None = None,
    rebase_at: Iterable = (),
    improvement: str = "down",
    mr_screen: bool = False,
) -> pd.DataFrame:
    """XmR chart values, limits and Making Data Count special-cause flags per point.

    Accepts a sequence or a pd.Series (e.g. indexed by month); the result keeps its index
    and has the columns in ``SPC_COLUMNS``. See the module docstring for the rules.
    """
    if improvement not in IMPROVEMENTS:
        raise ValueError(f"improvement must be one of {IMPROVEMENTS}, not {improvement!r}")
    if baseline_points is not None and baseline_points < 1:
        raise ValueError("baseline_points must be a positive number of points")
    s = _as_series(values)
    y = s.to_numpy()
    n = len(y)
    starts = sorted({0, *(_position(s.index, at) for at in rebase_at)})
    bounds = list(zip(starts, [*starts[1:], n], strict=True))

    parts: dict[str, list[np.ndarray]] = {}
    segment = np.zeros(n, dtype=int)
    warnings: list[str] = []
    for k, (lo, hi) in enumerate(bounds):
        n_base = min(baseline_points or hi - lo, hi - lo)
        segment[lo:hi] = k
        for name, arr in _segment(y[lo:hi], n_base, mr_screen).items():
            parts.setdefault(name, []).append(arr)
        if n_base < 2:
            warnings.append(f"Segment {k + 1}: too few points for limits (needs at least 2).")
        elif n_base < MIN_STABLE_POINTS:
            warnings.append(
                f"Segment {k + 1}: limits rest on {n_base} points; Making Data Count advises "
                f"at least {MIN_STABLE_POINTS} to 15 for stable limits."
            )

    cols = {name: np.concatenate(arrs) for name, arrs in parts.items()}
    special = cols["outside"] | cols["run_side"] | cols["run_trend"] | cols["two_of_three"]
    variation = np.full(n, "common", dtype=object)
    if improvement == "neutral":
        variation[special] = "neutral"
    else:
        good = 1 if improvement == "up" else -1
        variation[special & (cols["signal"] == good)] = "improvement"
        variation[special & (cols["signal"] == -good)] = "concern"

    out = pd.DataFrame(
        {
            "value": y,
            "mean": cols["mean"],
            "ucl": cols["ucl"],
            "lcl": cols["lcl"],
            "mr": cols["mr"],
            "segment": segment,
            "baseline": cols["baseline"],
            "outside": cols["outside"],
            "run_side": cols["run_side"],
            "run_trend": cols["run_trend"],
            "two_of_three": cols["two_of_three"],
            "special": special,
            "variation": variation,
        },
        index=s.index,
    )
    out.attrs["warnings"] = warnings
    out.attrs["improvement"] = improvement
    return out


def _label(value) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%b %Y")
    if isinstance(value, pd.Period):
        return value.strftime("%b %Y")
    return str(value)


def spc_summary(df: pd.DataFrame) -> dict:
    """Plain summary of an ``xmr`` result: the latest point's variation and the counts.

    ``warning`` is set when the latest segment's limits rest on fewer than 12 points.
    """
    if df.empty:
        raise ValueError("empty SPC table")
    last = df.iloc[-1]
    current = df[df["segment"] == last["segment"]]
    n_base = int(current["baseline"].sum())
    variation = str(last["variation"])
    when = _label(df.index[-1])
    if variation == "common":
        message = f"The latest point ({when}) shows common-cause variation."
    elif variation == "improvement":
        message = f"The latest point ({when}) shows special-cause variation: improvement."
    elif variation == "concern":
        message = f"The latest point ({when}) shows special-cause variation of concern."
    else:
        message = f"The latest point ({when}) shows special-cause variation."
    warning = None
    if n_base < MIN_STABLE_POINTS:
        points = "1 point" if n_base == 1 else f"{n_base} points"
        warning = (
            f"Limits rest on {points}; Making Data Count advises at least "
            f"{MIN_STABLE_POINTS} to 15 for stable limits."
        )
    return {
        "latest_label": df.index[-1],
        "latest_value": float(last["value"]),
        "latest_variation": variation,
        "mean": float(last["mean"]),
        "ucl": float(last["ucl"]),
        "lcl": float(last["lcl"]),
        "points": int(len(df)),
        "segments": int(df["segment"].nunique()),
        "baseline_points": n_base,
        "special_points": int(df["special"].sum()),
        "improvement_points": int((df["variation"] == "improvement").sum()),
        "concern_points": int((df["variation"] == "concern").sum()),
        "message": message,
        "warning": warning,
    }
