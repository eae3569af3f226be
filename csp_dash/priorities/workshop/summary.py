"""A one-page summary of the agreed priorities: self-contained HTML (prints to one A4 page).

No PDF library is installed, so the page is HTML with print styles: open it in a browser and
print or save as PDF. The risk matrix goes in as inline SVG; every text is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd

from csp_dash.export import markdown_text

_STYLE = """
@page { size: A4 portrait; margin: 12mm; }
body { font-family: "Segoe UI", Arial, sans-serif; font-size: 10pt; color: #1b1b1b; margin: 0; }
main { max-width: 186mm; margin: 0 auto; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 11.5pt; margin: 4mm 0 1.5mm; border-bottom: 1px solid #999; }
p.sub { margin: 0 0 2mm; color: #444; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border-bottom: 1px solid #ddd; padding: 1.2mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num { text-align: right; white-space: nowrap; }
.new { color: #1a6f1a; font-weight: 600; } .up { color: #1a6f1a; } .down { color: #a33; }
.dropped { color: #777; text-decoration: line-through; }
figure { margin: 2mm 0; text-align: center; } figure svg { max-width: 100%; height: auto; max-height: 85mm; }
footer { margin-top: 3mm; font-size: 8pt; color: #555; }
"""


def _e(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return html.escape(str(value))


def _status_class(status: str) -> str:
    return status.split(" ")[0] if status else ""


def _agreed_rows(moves: pd.DataFrame) -> str:
    rows = []
    for r in moves.itertuples(index=False):
        rank = "" if pd.isna(r.rank) else str(int(r.rank))
        last = "" if pd.isna(r.last_rank) else str(int(r.last_rank))
        cls = _status_class(r.status)
        rows.append(
            f"<tr><td class='num'>{rank}</td><td class='{cls}'>{_e(r.candidate)}</td>"
            f"<td class='num'>{last}</td><td class='{cls}'>{_e(r.status)}</td>"
            f"<td>{_e(r.rationale)}</td></tr>"
        )
    return "\n".join(rows)


def _table(df: pd.DataFrame, numeric_format: str = "{:.2f}") -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in df.columns)
    body = []
    for row in df.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, float):
                cells.append(
                    f"<td class='num'>{'' if pd.isna(v) else numeric_format.format(v)}</td>"
                )
            elif isinstance(v, int):
                cells.append(f"<td class='num'>{v}</td>")
            else:
                cells.append(f"<td>{_e(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def summary_html(
    title: str,
    subtitle: str,
    moves: pd.DataFrame,
    last_year: int | None,
    ranking: pd.DataFrame | None = None,
    chart_svg: str | None = None,
    notes: Sequence[str] = (),
) -> str:
    """The one-page summary.

    ``moves``: ``priority_agreed.year_on_year`` output (candidate, rank, last_rank, status,
    rationale); ``ranking``: an optional short scored table (already in words); ``notes``:
    footer lines such as the formula, the evidence period and the weights.
    """
    last = f"Rank {last_year}" if last_year is not None else "Last year"
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body><main>",
        f"<h1>{_e(title)}</h1><p class='sub'>{_e(subtitle)}</p>",
        "<h2>Agreed priorities</h2>",
        "<table><thead><tr><th>Rank</th><th>Priority</th>"
        f"<th>{_e(last)}</th><th>Movement</th><th>Rationale</th></tr></thead>",
        f"<tbody>{_agreed_rows(moves)}</tbody></table>",
    ]
    if chart_svg:
        parts.append(f"<h2>Risk matrix</h2><figure>{chart_svg}</figure>")
    if ranking is not None and not ranking.empty:
        parts.append("<h2>Partners' scoring</h2>" + _table(ranking))
    if notes:
        parts.append("<footer>" + "<br>".join(_e(n) for n in notes) + "</footer>")
    parts.append("</main></body></html>")
    return "\n".join(parts)


def summary_markdown(
    title: str, subtitle: str, moves: pd.DataFrame, notes: Sequence[str] = ()
) -> str:
    """The same summary as Markdown (for a briefing note or an email): text as typed, with
    Markdown syntax backslash-escaped (``export.markdown_text``), never HTML entities."""
    cell = markdown_text

    lines = [
        f"# {cell(title)}",
        "",
        cell(subtitle),
        "",
        "| Rank | Priority | Last year | Movement | Rationale |",
        "|---|---|---|---|---|",
    ]
    for r in moves.itertuples(index=False):
        rank = "" if pd.isna(r.rank) else str(int(r.rank))
        last = "" if pd.isna(r.last_rank) else str(int(r.last_rank))
        lines.append(
            f"| {rank} | {cell(r.candidate)} | {last} | {cell(r.status)} | {cell(r.rationale)} |"
        )
    lines += [""] + [f"_{cell(n)}_  " for n in notes]
    return "\n".join(lines) + "\n"
