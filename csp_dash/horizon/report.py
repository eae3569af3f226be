"""The "Looking ahead" section of the assessment report: forecasts for chosen categories and
the near-repeat readings of a partner crime extract, as report-model paragraphs (the Word, PDF
and preview renderers) or as Markdown (the command line)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Engine

from csp_dash.analysis.forecast import RANGE_WORDING, ForecastRefused
from csp_dash.analysis.near_repeat import describe_knox, run_knox
from csp_dash.horizon.series import forecast_for, partner_dataset_names, partner_events
from csp_dash.report.model import Paragraph, Section

REPORT_CATEGORIES = ("Burglary", "Vehicle crime", "Violence and sexual offences", "Shoplifting")


def forecast_lines(engine: Engine, categories: Sequence[str] = REPORT_CATEGORIES,
                   horizon: int = 12, end: date | None = None) -> list[tuple[str, str]]:
    """(category, sentence) per category: next 12 months' expected total and 80% range, or why not."""
    lines = []
    for cat in categories:
        try:
            fc, y = forecast_for(engine, category=cat, horizon=horizon, end=end)
        except (ForecastRefused, ValueError) as exc:
            lines.append((cat, f"not forecast ({str(exc).rstrip('.')})."))
            continue
        t = fc.table[fc.table["chosen"]]
        last12 = y.iloc[-12:].sum(min_count=12)
        mean = t["mean"].sum()
        before = f"; the last 12 months had {last12:,.0f}" if last12 == last12 else ""
        lines.append((cat,
            f"about {mean:,.0f} in the next {horizon} months from {y.index[-1]:%B %Y}{before}. "
            f"Monthly {RANGE_WORDING} (80%): {t['lo80'].min():,.0f} to {t['hi80'].max():,.0f}. "
            f"{fc.reason}"))
    return lines


def near_repeat_lines(engine: Engine, dataset: str, categories: Sequence[str] | None = None,
                      permutations: int = 999, seed: int = 1964) -> list[tuple[str, str]]:
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
        lines.append((cat, f"({res.n_events:,} crimes, {f['record_date'].min():%b %Y} to "
                           f"{f['record_date'].max():%b %Y}): " + " ".join(head)))
    return lines


FORECAST_INTRO = ("What the next year looks like if recent patterns continue. ETS and "
                  "seasonal naive are backtested over the last 12 months and the better one is "
                  "used.")


def _near_repeat_dataset(engine: Engine, dataset: str | None) -> str | None:
    names = partner_dataset_names(engine)
    return dataset or ("crime_extract" if "crime_extract" in names else None)


def _near_repeat_intro(dataset: str) -> str:
    return (f"Knox test on the partner crime extract '{dataset}' (999 shuffles of the dates, "
            "Manhattan distance).")


def report_section(engine: Engine, dataset: str | None = None) -> str:
    """Markdown for the command line; the near-repeat part only where a partner extract is loaded."""
    parts = ["## Looking ahead", "", "### Forecasts", "", FORECAST_INTRO, "",
             *(f"- **{cat}**: {text}" for cat, text in forecast_lines(engine)), ""]
    dataset = _near_repeat_dataset(engine, dataset)
    if dataset:
        parts += ["### Crime series (near repeats)", "", _near_repeat_intro(dataset), "",
                  *(f"- **{cat}** {text}" for cat, text in near_repeat_lines(engine, dataset)),
                  ""]
    return "\n".join(parts)


def looking_ahead(engine: Engine, end: date, *, near_repeats: bool) -> Section:
    """The report's "Looking ahead" section. Near repeats read a partner extract's exact
    places and dates, so only the partners edition carries them (``near_repeats``)."""
    sec = Section("looking-ahead", "Looking ahead")
    sec.add(Paragraph("Forecasts", "heading"))
    sec.add(Paragraph(FORECAST_INTRO))
    for cat, text in forecast_lines(engine, end=end):
        sec.add(Paragraph(f"{cat}: {text}", "headline"))
    dataset = _near_repeat_dataset(engine, None) if near_repeats else None
    if dataset:
        sec.add(Paragraph("Crime series (near repeats)", "heading"))
        sec.add(Paragraph(_near_repeat_intro(dataset)))
        for cat, text in near_repeat_lines(engine, dataset):
            sec.add(Paragraph(f"{cat} {text}", "headline"))
    return sec
