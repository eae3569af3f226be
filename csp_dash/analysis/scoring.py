"""Priority scoring for the Strategic Risk Assessment, modelled on MoRiLE.

Each candidate issue is scored on small ordinal scales (MoRiLE uses 1-5-ish
scales; the default here is 1-5 for every dimension, each editable):

- harm: physical, psychological, financial, community;
- likelihood: volume, trend;
- public concern;
- partnership position: capacity, capability;
- confidence (reported beside the result, never multiplied in).

The app proposes data-driven scores for volume, trend, harm and concern
(``propose_*``); partners score the rest at the workshop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

HARM_DIMENSIONS = ("physical", "psychological", "financial", "community")
LIKELIHOOD_DIMENSIONS = ("volume", "trend")
POSITION_DIMENSIONS = ("capacity", "capability")
DIMENSIONS = (
    *HARM_DIMENSIONS,
    *LIKELIHOOD_DIMENSIONS,
    "concern",
    *POSITION_DIMENSIONS,
    "confidence",
)
# Dimensions that must be scored for a priority; confidence is only reported.
SCORED_DIMENSIONS = DIMENSIONS[:-1]

DIMENSION_LABELS: dict[str, str] = {
    "physical": "Harm: physical",
    "psychological": "Harm: psychological",
    "financial": "Harm: financial",
    "community": "Harm: community",
    "volume": "Likelihood: volume",
    "trend": "Likelihood: trend",
    "concern": "Public concern",
    "capacity": "Position: capacity",
    "capability": "Position: capability",
    "confidence": "Confidence in the evidence",
}

PositionDirection = Literal["can_act", "gap"]

FORMULA_MARKDOWN = """\
**How the priority score is worked out** (modelled on MoRiLE)

Every dimension is scored on its own scale (default 1 to 5).

- **Harm** = mean of physical, psychological, financial and community harm.
- **Likelihood** = mean of volume and trend.
- **Risk** = harm × likelihood (1 to 25 on 1-5 scales).
- **Position** = mean of the partnership's capacity and capability.
- **Priority** = w_risk × risk′ + w_concern × concern′ + w_position × position′,
  where each ′ term is rescaled to 0-1 by its scale range
  (for example risk′ = (risk − 1) / 24 on 1-5 scales), and the weights are divided
  by their total so priority runs from 0 to 1.

**Position direction.** By default a *high* position (the partnership has the
capacity and capability to act) *raises* priority, so the agreed list favours issues
where partners can make a difference. MoRiLE instead treats *low* capacity as raising
organisational risk; choose "gap" to score that way, and position′ becomes 1 − position′.

**Confidence** is shown beside each priority, not multiplied in. It rates the evidence,
not the problem: a hidden harm with thin data (modern slavery, say) should not sink
down the list for that reason; low confidence is a prompt to gather intelligence.

**Data-driven proposals.** Volume and harm: quintile of the candidate among all
candidates (lowest fifth 1, highest fifth 5). Trend: from the Poisson z of the
year-on-year change, z = 2(√current − √previous): z ≤ −2 → 1, −2 < z < −1 → 2,
−1 ≤ z ≤ 1 → 3, 1 < z < 2 → 4, z ≥ 2 → 5. Concern: the survey's mean concern per
theme, rescaled linearly onto the concern scale. Partners' scores take precedence.
"""


def _default_scales() -> dict[str, tuple[float, float]]:
    return {d: (1.0, 5.0) for d in DIMENSIONS}


@dataclass(frozen=True)
class ScoringModel:
    """Scales and weights for the priority score; stored as JSON via ``to_dict``.

    ``position_direction``: ``"can_act"`` (default) means a high capacity and
    capability raise priority, because the list should favour issues partners can
    act on; ``"gap"`` follows MoRiLE, where low capacity raises organisational risk.
    Weights need not sum to 1: they are divided by their total.
    """

    scales: dict[str, tuple[float, float]] = field(default_factory=_default_scales)
    w_risk: float = 0.6
    w_concern: float = 0.2
    w_position: float = 0.2
    position_direction: PositionDirection = "can_act"

    def __post_init__(self) -> None:
        missing = set(DIMENSIONS) - set(self.scales)
        unknown = set(self.scales) - set(DIMENSIONS)
        if missing or unknown:
            raise ValueError(f"scales: missing {sorted(missing)}, unknown {sorted(unknown)}")
        for name, (lo, hi) in self.scales.items():
            if not (math.isfinite(lo) and math.isfinite(hi) and 0 <= lo < hi):
                raise ValueError(f"scale for {name!r} must satisfy 0 <= min < max, got {lo}, {hi}")
        weights = (self.w_risk, self.w_concern, self.w_position)
        if any(w < 0 or not math.isfinite(w) for w in weights) or sum(weights) <= 0:
            raise ValueError("weights must be non-negative with a positive total")
        if self.position_direction not in ("can_act", "gap"):
            raise ValueError("position_direction must be 'can_act' or 'gap'")

    def scale(self, dimension: str) -> tuple[float, float]:
        """(min, max) of one dimension's scale."""
        return self.scales[dimension]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "scales": {d: [float(lo), float(hi)] for d, (lo, hi) in self.scales.items()},
            "w_risk": float(self.w_risk),
            "w_concern": float(self.w_concern),
            "w_position": float(self.w_position),
            "position_direction": self.position_direction,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScoringModel:
        """Inverse of ``to_dict``; keys left out take their defaults."""
        scales = _default_scales()
        for name, pair in (data.get("scales") or {}).items():
            lo, hi = pair
            scales[name] = (float(lo), float(hi))
        defaults = cls()
        return cls(
            scales=scales,
            w_risk=float(data.get("w_risk", defaults.w_risk)),
            w_concern=float(data.get("w_concern", defaults.w_concern)),
            w_position=float(data.get("w_position", defaults.w_position)),
            position_direction=data.get("position_direction", defaults.position_direction),
        )


# ---------------------------------------------------------------- proposals


def _levels(scale: tuple[float, float]) -> int:
    lo, hi = scale
    if lo != int(lo) or hi != int(hi) or hi <= lo:
        raise ValueError(f"quantile proposals need an integer scale, got {scale}")
    return int(hi - lo) + 1


def _quantile_scores(values: pd.Series, scale: tuple[float, float]) -> tuple[pd.Series, pd.Series]:
    """Score each value by its percentile among the candidates.

    Percentile p = (mid-rank − 1) / (n − 1), so the lowest is 0 and the highest 1;
    the score is min + floor(levels × p), capped at max. With 1-5 scales that is
    quintiles. Ties share the mid-rank. A single candidate sits in the middle.
    """
    values = pd.to_numeric(values, errors="coerce").astype(float)
    levels = _levels(scale)
    valid = values.dropna()
    n = len(valid)
    pct = pd.Series(np.nan, index=values.index)
    if n == 1:
        pct[valid.index] = 0.5
    elif n > 1:
        pct[valid.index] = (valid.rank(method="average") - 1) / (n - 1)
    score = scale[0] + np.minimum(levels - 1, np.floor(levels * pct))
    return score, pct


def _proposal_frame(score: pd.Series, evidence: list[str], index: pd.Index) -> pd.DataFrame:
    return pd.DataFrame(
        {"score": score.astype(float).to_numpy(), "evidence": evidence}, index=index
    )


def propose_volume(volumes: pd.Series, scale: tuple[float, float] = (1, 5)) -> pd.DataFrame:
    """Volume score from each candidate's percentile of count among candidates (quintiles)."""
    score, pct = _quantile_scores(volumes, scale)
    n = int(pct.notna().sum())
    evidence = [
        "no data"
        if pd.isna(p)
        else f"{v:,.0f} recorded; percentile {100 * p:.0f} of {n} candidates"
        for v, p in zip(volumes, pct, strict=True)
    ]
    return _proposal_frame(score, evidence, volumes.index)


def propose_harm(harm_totals: pd.Series, scale: tuple[float, float] = (1, 5)) -> pd.DataFrame:
    """Harm score from each candidate's percentile of harm-weighted count (quintiles)."""
    score, pct = _quantile_scores(harm_totals, scale)
    n = int(pct.notna().sum())
    evidence = [
        "no data"
        if pd.isna(p)
        else f"harm-weighted total {v:,.1f}; percentile {100 * p:.0f} of {n} candidates"
        for v, p in zip(harm_totals, pct, strict=True)
    ]
    return _proposal_frame(score, evidence, harm_totals.index)


def _trend_band(z: float) -> int:
    # Wheeler's |z| >= 2 marks a significant change; 1 < |z| < 2 a possible one.
    if z <= -2:
        return 1
    if z < -1:
        return 2
    if z <= 1:
        return 3
    if z < 2:
        return 4
    return 5


_TREND_WORDS = {
    1: "significant fall",
    2: "possible fall",
    3: "no clear change",
    4: "possible rise",
    5: "significant rise",
}


def propose_trend(z: pd.Series, scale: tuple[float, float] = (1, 5)) -> pd.DataFrame:
    """Trend score from the Poisson z of the year-on-year change.

    Bands: z <= -2 -> 1, -2 < z < -1 -> 2, |z| <= 1 -> 3, 1 < z < 2 -> 4, z >= 2 -> 5,
    then mapped linearly onto ``scale`` (unchanged on 1-5).
    """
    lo, hi = scale
    z = pd.to_numeric(z, errors="coerce").astype(float)
    scores: list[float] = []
    evidence: list[str] = []
    for value in z:
        if not math.isfinite(value):
            scores.append(np.nan)
            evidence.append("no data")
            continue
        band = _trend_band(value)
        scores.append(lo + (band - 1) * (hi - lo) / 4)
        evidence.append(f"Poisson z = {value:+.2f}: {_TREND_WORDS[band]}")
    return _proposal_frame(pd.Series(scores), evidence, z.index)


def propose_concern(
    survey: pd.DataFrame,
    survey_scale: tuple[float, float] = (1, 5),
    scale: tuple[float, float] = (1, 5),
    higher_is_more_concern: bool = True,
) -> pd.DataFrame:
    """Concern score per theme: the survey's mean concern rescaled onto ``scale``.

    ``survey`` is long (columns ``theme`` and ``concern``, one row per answer) or
    wide (one numeric column per theme). ``survey_scale`` is the answer range
    (e.g. (0, 10)); for rank questions (1 = most concerned) pass
    ``survey_scale=(1, n_themes)`` and ``higher_is_more_concern=False``.
    Blank answers are left out. Result is indexed by theme.
    """
    if {"theme", "concern"} <= set(survey.columns):
        long = survey[["theme", "concern"]].copy()
    else:
        long = survey.select_dtypes("number").melt(var_name="theme", value_name="concern")
    long["concern"] = pd.to_numeric(long["concern"], errors="coerce")
    s_lo, s_hi = survey_scale
    answered = long["concern"].dropna()
    if ((answered < s_lo) | (answered > s_hi)).any():
        raise ValueError(f"survey answers fall outside the survey scale {survey_scale}")
    stats = long.groupby("theme", sort=True)["concern"].agg(["mean", "count"])
    frac = (stats["mean"] - s_lo) / (s_hi - s_lo)
    if not higher_is_more_concern:
        frac = 1 - frac
    lo, hi = scale
    score = lo + frac * (hi - lo)
    evidence = [
        "no answers"
        if c == 0
        else f"mean {m:.2f} on {s_lo:g}-{s_hi:g} from {c} answers"
        + ("" if higher_is_more_concern else " (rank: lower is more concern)")
        for m, c in zip(stats["mean"], stats["count"], strict=True)
    ]
    out = _proposal_frame(score, evidence, stats.index)
    out.index.name = "theme"
    return out


# ---------------------------------------------------------------- scoring


def _group_range(model: ScoringModel, dims: tuple[str, ...]) -> tuple[float, float]:
    return (
        float(np.mean([model.scale(d)[0] for d in dims])),
        float(np.mean([model.scale(d)[1] for d in dims])),
    )


def score_candidates(scores: pd.DataFrame, model: ScoringModel | None = None) -> pd.DataFrame:
    """Add harm, likelihood, risk, position, priority, rank and missing to ``scores``.

    ``scores`` has one row per candidate (the index) and one column per dimension.
    A group's mean uses the sub-scores given; a group with none is missing, and so
    is the priority, which then ranks last (rank <NA>); ``missing`` lists the
    unscored dimensions. Rows come back sorted by priority, highest first; rank 1 is the top and
    ties share a rank. Raises ValueError if a score lies outside its scale.
    """
    model = model or ScoringModel()
    out = scores.copy()
    for d in DIMENSIONS:
        out[d] = pd.to_numeric(out[d], errors="coerce") if d in out else np.nan
        lo, hi = model.scale(d)
        bad = out[d].notna() & ((out[d] < lo) | (out[d] > hi))
        if bad.any():
            raise ValueError(f"{d} scores outside its scale {lo:g}-{hi:g}: {list(out.index[bad])}")

    out["harm"] = out[list(HARM_DIMENSIONS)].mean(axis=1, skipna=True)
    out["likelihood"] = out[list(LIKELIHOOD_DIMENSIONS)].mean(axis=1, skipna=True)
    out["risk"] = out["harm"] * out["likelihood"]
    out["position"] = out[list(POSITION_DIMENSIONS)].mean(axis=1, skipna=True)

    h_lo, h_hi = _group_range(model, HARM_DIMENSIONS)
    l_lo, l_hi = _group_range(model, LIKELIHOOD_DIMENSIONS)
    r_lo, r_hi = h_lo * l_lo, h_hi * l_hi
    c_lo, c_hi = model.scale("concern")
    p_lo, p_hi = _group_range(model, POSITION_DIMENSIONS)
    risk_n = (out["risk"] - r_lo) / (r_hi - r_lo)
    concern_n = (out["concern"] - c_lo) / (c_hi - c_lo)
    position_n = (out["position"] - p_lo) / (p_hi - p_lo)
    if model.position_direction == "gap":
        position_n = 1 - position_n
    total = model.w_risk + model.w_concern + model.w_position
    out["priority"] = (
        model.w_risk * risk_n + model.w_concern * concern_n + model.w_position * position_n
    ) / total

    absent = out[list(SCORED_DIMENSIONS)].isna()
    out["missing"] = [", ".join(absent.columns[row]) for row in absent.to_numpy()]
    out["rank"] = out["priority"].rank(method="min", ascending=False).astype("Int64")
    order = np.argsort(-out["priority"].fillna(-np.inf).to_numpy(), kind="stable")
    return out.iloc[order]
