"""PDF rendering with WeasyPrint (70+): HTML + CSS paged media, tagged for accessibility.

``pdf_tags=True`` writes the structure tree (headings, tables with header cells, figures
with their alt text), and ``pdf_variant="pdf/ua-1"`` asks WeasyPrint for PDF/UA metadata.
The marking sits in the ``@page`` top-centre margin box, so it is on every page.
"""

from __future__ import annotations

from weasyprint import HTML

from csp_dash.report.html import render_html
from csp_dash.report.model import Report


def render_pdf(report: Report) -> bytes:
    html = render_html(report, svg=True)
    return HTML(string=html).write_pdf(pdf_tags=True, pdf_variant="pdf/ua-1",
                                       custom_metadata=True)
