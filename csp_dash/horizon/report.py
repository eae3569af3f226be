"""The "Looking ahead" section of the assessment report, as Markdown: forecasts for chosen
categories and the near-repeat readings of a partner crime extract."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from csp_dash.analysis.forecast import RANGE_WORDING, ForecastRefused
from csp_dash.analysis.near_repeat import describe_knox, run_knox
from csp_dash.horizon.series import forecast_for, partner_dataset_names, partner_events

REPORT_CATEGORIES = ("Burglary", "Vehicle crime", "Violence and sexual offences", "Shoplifting")


def forecast_lines(engine: Engine, categories: Sequence[str] = REPORT_CATEGORIES,
                   horizon: int = 12) -> list[str]:
    """One bullet per category: next 12 months' expected total and its 80% range, or why not."""
    lines = []
    for cat in categories:
        try:
            fc, y = forecast_for(engine, category=cat, horizon=horizon)
        except (ForecastRefused, ValueError) as exc:
            lines.append(f"- **{cat}**: not forecast ({str(exc).rstrip('.')}).")
            continue
        t = fc.table[fc.table["chosen"]]
        last12 = y.iloc[-12:].sum(min_count=12)
        mean = t["mean"].sum()
        before = f"; the last 12 months had {last12:,.0f}" if last12 == last12 else ""
        lines.append(
            f"- **{cat}**: about {mean:,.0f} in the next {horizon} months{before}. "
            f"Monthly {RANGE_WORDING} (80%): {t['lo80'].min():,.0f} to {t['hi80'].max():,.0f}. "
            f"{fc.reason}"
        )
    return lines


def near_repeat_lines(engine: Engine, dataset: str, categories: Sequence[str] | None = None,
                      permutations: int = 999, seed: int = 1964) -> list[str]:
    """The headline readings for each category of the dataset (or those given)."""
    from csp_dash.horizon.series import event_categories

    cats = categories or event_categories(engine, dataset)["category"].tolist()
    lines = []
    for cat in cats:
        ev = partner_events(engine, dataset, cat)
        f = ev.frame
        res = run_knox(f["x"], f["y"], f["day"], permutations=permutations, seed=seed)
        head = [r for r in describe_knox(res, cat.lower())
                if r.startswith(("Repeat", "Near repeat", "No near-repeat"))]
        lines.append(f"- **{cat}** ({res.n_events:,} crimes, {f['record_date'].min():%b %Y} to "
                     f"{f['record_date'].max():%b %Y}): " + " ".join(head))
    return lines


def report_section(engine: Engine, dataset: str | None = None) -> str:
    """Markdown for the report; the near-repeat part only where a partner extract is loaded."""
    parts = ["## Looking ahead", "",
             "### Forecasts", "",
             "What the next year looks like if recent patterns continue. ETS and seasonal naive "
             "are backtested over the last 12 months and the better one is used.", "",
             *forecast_lines(engine), ""]
    names = partner_dataset_names(engine)
    dataset = dataset or ("crime_extract" if "crime_extract" in names else None)
    if dataset:
        parts += ["### Crime series (near repeats)", "",
                  f"Knox test on partner dataset '{dataset}' (999 shuffles of the dates, "
                  "Manhattan distance).", "", *near_repeat_lines(engine, dataset), ""]
    return "\n".join(parts)
