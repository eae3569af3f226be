"""Monthly crime forecasts with honest uncertainty: ETS beside seasonal naive, chosen by backtest.

Methods (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed.):

- ETS with additive error and additive seasonality (statsmodels ``ETSModel``), with no trend
  or a damped additive trend, whichever has the lower AICc (section 8.6);
- seasonal naive (each month = the same month a year earlier), with prediction intervals
  from the residual standard deviation times sqrt(years ahead) (section 5.5);
- a rolling-origin backtest: one-step-ahead forecasts from each of the last 12 months,
  refitting each time, scored by the mean absolute scaled error (MASE, section 5.8) scaled
  by the in-sample seasonal-naive error of the data before the backtest window.

ETS is used only if its MASE is at least 5% lower than seasonal naive's; otherwise the forecast is
seasonal naive and the result says the model does no better. Intervals are clipped at zero.

Series with 30 or fewer records a month, or fewer than 36 months, are refused
(:class:`ForecastRefused`). A small area can instead borrow the district's seasonal pattern
(:func:`forecast_borrowed_season`). A missing month is never treated as zero: a few gaps are
estimated for fitting only, and the result lists them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SEASON = 12
MIN_MONTHS = 36
MIN_MEAN = 30.0  # "about 30 a month or fewer": too noisy to forecast usefully
MAX_GAP_SHARE = 0.1
BACKTEST_MONTHS = 12
LEVELS = (0.80, 0.95)
# ETS must beat seasonal naive's MASE by 5% to be used: 12 errors cannot tell two nearly
# equal methods apart, and then the simpler one is the honest choice.
BETTER_BY = 0.95
ETS = "ETS"
SNAIVE = "Seasonal naive"
BORROWED = "Area share of district seasonal pattern"
RANGE_WORDING = "likely range if recent patterns continue"


class ForecastRefused(ValueError):
    """The series cannot be forecast usefully; the message says why."""


@dataclass
class Forecast:
    """A forecast table (month, method, mean, lo80, hi80, lo95, hi95) and how it was chosen."""

    table: pd.DataFrame
    method: str
    reason: str
    mase: dict[str, float] = field(default_factory=dict)
    estimated_months: list[pd.Timestamp] = field(default_factory=list)
    ets_form: str = ""


def check_series(y: pd.Series, min_mean: float = MIN_MEAN) -> pd.Series:
    """The series with a monthly index, or ForecastRefused naming the problem."""
    if not isinstance(y.index, pd.DatetimeIndex):
        raise ForecastRefused("the series needs a monthly date index")
    full = pd.date_range(y.index.min(), y.index.max(), freq="MS")
    y = y.astype(float).reindex(full)
    # Leading/trailing gaps are outside the span: the span is from first to last real month.
    y = y.loc[y.first_valid_index(): y.last_valid_index()] if y.notna().any() else y.iloc[:0]
    n_real = int(y.notna().sum())
    if n_real < MIN_MONTHS:
        raise ForecastRefused(
            f"only {n_real} months of data; a forecast needs at least {MIN_MONTHS} complete months"
        )
    gaps = int(y.isna().sum())
    if gaps > MAX_GAP_SHARE * len(y):
        raise ForecastRefused(f"{gaps} of {len(y)} months are missing: too many gaps to forecast")
    mean = float(y.mean())
    if mean <= min_mean:
        raise ForecastRefused(
            f"about {mean:.0f} records a month: series of {min_mean:.0f} a month or fewer are "
            "too small to forecast usefully"
        )
    return y


def estimate_gaps(y: pd.Series) -> tuple[pd.Series, list[pd.Timestamp]]:
    """Fill missing months for fitting only: the mean of the same month a year before and
    after (whichever exist), else linear interpolation. Returns the filled series and the
    months estimated, so the caller can say so."""
    missing = list(y.index[y.isna()])
    if not missing:
        return y, []
    filled = y.copy()
    for m in missing:
        near = [y.get(m - pd.DateOffset(years=1)), y.get(m + pd.DateOffset(years=1))]
        near = [v for v in near if v is not None and not np.isnan(v)]
        if near:
            filled[m] = float(np.mean(near))
    filled = filled.interpolate(limit_direction="both")
    return filled, missing


FORMS = {"A,N,A": False, "A,Ad,A": True}  # ETS(error, trend, season): no trend, damped


def _ets_model(y: pd.Series, damped: bool):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    return ETSModel(
        y,
        error="add",
        trend="add" if damped else None,
        damped_trend=damped,
        seasonal="add",
        seasonal_periods=SEASON,
    )


def _ets_fit(y: pd.Series, damped: bool):
    model = _ets_model(y, damped)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the backtest judges the fit
        return model.fit(disp=False)


def fit_ets(y: pd.Series, form: str | None = None):
    """Fit ETS(A,N,A) and ETS(A,Ad,A); keep the lower AICc (or the given ``form``)."""
    if form is not None:
        return form, _ets_fit(y, FORMS[form])
    fits = {name: _ets_fit(y, damped) for name, damped in FORMS.items()}
    best = min(fits, key=lambda k: fits[k].aicc if np.isfinite(fits[k].aicc) else np.inf)
    return best, fits[best]


def _months_after(last: pd.Timestamp, horizon: int) -> pd.DatetimeIndex:
    return pd.date_range(last + pd.DateOffset(months=1), periods=horizon, freq="MS")


def _clip(table: pd.DataFrame) -> pd.DataFrame:
    cols = ["mean", "lo80", "hi80", "lo95", "hi95"]
    table[cols] = table[cols].clip(lower=0.0)
    return table


def forecast_ets(y: pd.Series, horizon: int, form: str | None = None) -> tuple[str, pd.DataFrame]:
    """ETS point forecasts with 80% and 95% analytic prediction intervals."""
    form, res = fit_ets(y, form)
    pred = res.get_prediction(start=len(y), end=len(y) + horizon - 1)
    table = pd.DataFrame({"month": _months_after(y.index[-1], horizon)})
    mean = np.asarray(pred.predicted_mean, dtype=float)
    table["mean"] = mean
    # The fit's error variance is a maximum-likelihood estimate (divides by n) and ETS has
    # ~15 estimated values (initial states included): widen by sqrt(n / (n - k)) so the
    # intervals are not too narrow on short series.
    widen = np.sqrt(len(y) / max(len(y) - len(res.params), 1))
    for level in LEVELS:
        frame = pred.summary_frame(alpha=1 - level)
        tag = int(round(level * 100))
        table[f"lo{tag}"] = mean - widen * (mean - frame["pi_lower"].to_numpy(dtype=float))
        table[f"hi{tag}"] = mean + widen * (frame["pi_upper"].to_numpy(dtype=float) - mean)
    return form, _clip(table)


def forecast_seasonal_naive(y: pd.Series, horizon: int) -> pd.DataFrame:
    """Each month as the same month of the last year; intervals widen with years ahead."""
    values = y.to_numpy(dtype=float)
    resid = values[SEASON:] - values[:-SEASON]
    sigma = float(np.sqrt(np.nanmean(resid**2)))
    h = np.arange(1, horizon + 1)
    mean = values[len(values) - SEASON + (h - 1) % SEASON]
    scale = sigma * np.sqrt((h - 1) // SEASON + 1)
    # scipy.stats costs about 55 MB: only the forecast tab loads it (docs/architecture.md).
    from scipy import stats

    table = pd.DataFrame({"month": _months_after(y.index[-1], horizon), "mean": mean})
    for level in LEVELS:
        z = stats.norm.ppf(0.5 + level / 2)
        tag = int(round(level * 100))
        table[f"lo{tag}"] = mean - z * scale
        table[f"hi{tag}"] = mean + z * scale
    return _clip(table)


def mase_scale(y: pd.Series) -> float:
    """Mean absolute seasonal difference of the training data (the MASE denominator)."""
    v = y.to_numpy(dtype=float)
    d = np.abs(v[SEASON:] - v[:-SEASON])
    scale = float(np.nanmean(d)) if len(d) else np.nan
    if not scale > 0:
        raise ForecastRefused("the series does not vary from year to year, so errors cannot be scaled")
    return scale


def backtest(y: pd.Series, actual: pd.Series | None = None, months: int = BACKTEST_MONTHS,
             form: str | None = None) -> dict[str, float]:
    """Rolling-origin one-step-ahead MASE of ETS and seasonal naive over the last ``months``.

    ``y`` is the series used for fitting (gaps estimated); ``actual`` the real values (NaN
    where a month is missing: such months are not scored). ETS parameters are estimated once
    on the data before the window; from each origin the model's states then update with the
    months seen so far (no refit, so no month of the window informs the parameters).
    """
    actual = y if actual is None else actual
    start = len(y) - months
    if start < 2 * SEASON:
        raise ForecastRefused(f"a {months}-month backtest needs {2 * SEASON + months} months")
    scale = mase_scale(y.iloc[:start])
    form, res = fit_ets(y.iloc[:start], form)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        onestep = np.asarray(_ets_model(y, FORMS[form]).smooth(res.params).fittedvalues, dtype=float)
    values = y.to_numpy(dtype=float)
    truth = actual.to_numpy(dtype=float)[start:]
    scored = ~np.isnan(truth)
    preds = {ETS: onestep[start:], SNAIVE: values[start - SEASON: len(y) - SEASON]}
    return {k: float(np.mean(np.abs(truth - p)[scored])) / scale for k, p in preds.items()}


def forecast_series(y: pd.Series, horizon: int = 12, *, min_mean: float = MIN_MEAN,
                    run_backtest: bool = True) -> Forecast:
    """Forecast a monthly count series: both methods, choose by backtest MASE.

    Returns the chosen method's table plus the seasonal-naive table (``method`` column
    tells them apart). Raises ForecastRefused for a series too short, gappy or small.
    """
    if horizon < 1 or horizon > 36:
        raise ValueError("horizon must be 1 to 36 months")
    actual = check_series(y, min_mean)
    fit_y, estimated = estimate_gaps(actual)
    form, ets = forecast_ets(fit_y, horizon)
    snaive = forecast_seasonal_naive(fit_y, horizon)
    mase = backtest(fit_y, actual, form=form) if run_backtest else {}
    if mase and mase[ETS] < BETTER_BY * mase[SNAIVE]:
        method = ETS
        reason = (
            f"ETS ({form}) is used: over the last {BACKTEST_MONTHS} months its one-month-ahead "
            f"errors (MASE {mase[ETS]:.2f}) were smaller than seasonal naive's ({mase[SNAIVE]:.2f})."
        )
    elif mase:
        method = SNAIVE
        reason = (
            f"Seasonal naive is used: the model (ETS {form}, MASE {mase[ETS]:.2f}) did no better "
            f"than simply repeating last year (MASE {mase[SNAIVE]:.2f}; ETS must be 5% better) "
            "over the last "
            f"{BACKTEST_MONTHS} months."
        )
    else:
        method, reason = ETS, f"ETS ({form}); no backtest was run."
    if mase and min(mase.values()) > 1:
        reason += (" Both methods erred more over the last year than repeating the year before "
                   "did on the earlier data (MASE above 1): the pattern may have changed, so "
                   "treat this forecast with caution.")
    table = pd.concat(
        [ets.assign(method=ETS), snaive.assign(method=SNAIVE)], ignore_index=True
    )
    table["chosen"] = table["method"] == method
    return Forecast(table, method, reason, mase, estimated, form)


def seasonal_index(y: pd.Series) -> pd.Series:
    """Calendar-month factors (mean 1) from the last whole years of a series (gaps skipped)."""
    years = len(y) // SEASON
    if years < 1:
        raise ForecastRefused("a seasonal pattern needs at least 12 months")
    recent = y.iloc[-years * SEASON:]
    by_month = recent.groupby(recent.index.month).mean()
    if by_month.isna().any() or len(by_month) < SEASON:
        raise ForecastRefused("the district series lacks a calendar month, so has no seasonal pattern")
    return by_month / by_month.mean()


def forecast_borrowed_season(area: pd.Series, district: pd.Series, horizon: int = 12) -> Forecast:
    """A small area's next months: its last-12-month level times the district's seasonal factors.

    The level is uncertain (a Poisson count of the last 12 months), so the monthly count is
    negative binomial (Poisson-gamma, Jeffreys prior on the level). No trend is assumed.
    """
    last12 = area.iloc[-SEASON:]
    if len(last12) < SEASON or last12.isna().any():
        raise ForecastRefused("the area needs its last 12 months complete to borrow a pattern")
    factors = seasonal_index(district)
    total = float(last12.sum())
    months = _months_after(area.index[-1], horizon)
    s = factors.reindex(months.month).to_numpy()
    shape = total + 0.5
    prob = SEASON / (SEASON + s)  # NB(shape, p): mean shape * s / 12
    from scipy import stats  # only the forecast tab loads scipy.stats (see above)

    table = pd.DataFrame({"month": months, "mean": shape * s / SEASON})
    for level in LEVELS:
        tag = int(round(level * 100))
        table[f"lo{tag}"] = stats.nbinom.ppf((1 - level) / 2, shape, prob)
        table[f"hi{tag}"] = stats.nbinom.ppf(0.5 + level / 2, shape, prob)
    table = _clip(table).assign(method=BORROWED, chosen=True)
    reason = (
        f"Too few records to forecast on its own ({total:.0f} in the last 12 months): the area's "
        "level over the last year is spread over the months by the district's seasonal pattern. "
        "No trend is assumed."
    )
    return Forecast(table, BORROWED, reason)
