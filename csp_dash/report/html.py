"""The report as HTML: WeasyPrint's input for the PDF, and the Report page's preview.

Every text is escaped (narrative edits are user text: shown as typed, never as markup).
Charts are inline SVG inside <figure> with role="img" and an aria-label carrying the alt text.
"""

from __future__ import annotations

import base64
from html import escape

from csp_dash.report.model import (
    NOT_FOR_PUBLIC,
    PARTNERS,
    Figure,
    Narrative,
    Paragraph,
    Report,
    Table,
)

CSS = """
@page { size: A4; margin: 2.2cm 1.8cm 2cm 1.8cm;
  @top-center { content: var(--marking); font: bold 9pt sans-serif; color: #b22222; }
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font: 8pt sans-serif; }
}
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.35; }
h1 { font-size: 17pt; color: #08306b; page-break-before: always; }
h1.first, .cover h1 { page-break-before: avoid; }
h2 { font-size: 13pt; color: #08519c; } h3 { font-size: 11pt; }
.cover { page-break-after: always; } .cover .title { font-size: 26pt; color: #08306b; }
.lead { font-weight: bold; } .note { font-size: 8.5pt; color: #444; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin: 4pt 0 8pt; font-size: 8.5pt; }
caption { text-align: left; font-weight: bold; padding-bottom: 3pt; }
th { background: #deebf7; text-align: left; } th, td { border: 0.5pt solid #9ecae1; padding: 2pt 4pt; }
thead { display: table-header-group; }
figure { margin: 6pt 0; page-break-inside: avoid; } figure svg, figure img { width: 100%; height: auto; }
figcaption { font-size: 8.5pt; color: #333; } .narrative { border-left: 3pt solid #9ecae1; padding-left: 6pt; }
.narrative p { white-space: pre-wrap; }
"""


def _table(t: Table) -> str:
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in t.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in t.rows)
    note = f'<p class="note">{escape(t.note)}</p>' if t.note else ""
    cls = ' class="sensitive"' if t.sensitive else ""
    return (f"<table{cls}><caption>{escape(t.caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>{note}")


def _figure(f: Figure, svg: bool) -> str:
    if svg:
        art = f.svg()
        art = art.replace("<svg", f'<svg role="img" aria-label="{escape(f.alt)}"', 1)
    else:
        data = base64.b64encode(f.png()).decode()
        art = f'<img src="data:image/png;base64,{data}" alt="{escape(f.alt)}">'
    return f"<figure>{art}<figcaption>{escape(f.caption)}</figcaption></figure>"


def _paragraph(p: Paragraph) -> str:
    if p.style == "heading":
        return f"<h2>{escape(p.text)}</h2>"
    if p.style == "headline":
        return f"<ul><li>{escape(p.text)}</li></ul>"
    cls = {"lead": "lead", "note": "note"}.get(p.style)
    return f'<p class="{cls}">{escape(p.text)}</p>' if cls else f"<p>{escape(p.text)}</p>"


def marking(report: Report) -> str:
    return NOT_FOR_PUBLIC if report.edition == PARTNERS else f"{report.title}: public edition"


def render_html(report: Report, svg: bool = True) -> str:
    """The whole document; ``svg=False`` embeds PNGs instead (a lighter browser preview)."""
    parts = [
        '<section class="cover">',
        f'<h1 class="first title">{escape(report.title)}</h1>',
        f"<p class='lead'>{escape(report.partnership)}</p>",
        f"<p>12 months to {report.period_end:%B %Y} ({escape(report.period_label)})</p>",
        f"<p>{escape(report.author)}, {report.generated_at:%d %B %Y}</p>",
        f"<p class='lead'>{escape(report.marking)}</p></section>",
    ]
    for sec in report.sections:
        parts.append(f'<section id="{escape(sec.key)}"><h{sec.level}>{escape(sec.title)}'
                     f"</h{sec.level}>")
        for block in sec.blocks:
            if isinstance(block, Table):
                parts.append(_table(block))
            elif isinstance(block, Figure):
                parts.append(_figure(block, svg))
            elif isinstance(block, Narrative):
                parts.append(f'<div class="narrative"><h3>{escape(block.title)}</h3>'
                             f"<p>{escape(block.text)}</p></div>")
            else:
                parts.append(_paragraph(block))
        parts.append("</section>")
    mark = marking(report).replace('"', "'")
    css = CSS.replace("var(--marking)", f'"{mark}"')
    return (f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
            f"<title>{escape(report.title)}: {escape(report.partnership)}</title>"
            f"<style>{css}</style></head><body>{''.join(parts)}</body></html>")
