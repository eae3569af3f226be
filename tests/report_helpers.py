"""Helpers for the assessment tests: read Word and PDF back, and the app's own figures."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date

from docx import Document

from csp_dash.db import queries
from csp_dash.db.cube import ALL_LAYER
from csp_dash.overview.comparison import compare_periods
from csp_dash.overview.headlines import items_from
from csp_dash.trends.queries import loaded_months


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def docx_text(data: bytes) -> tuple[str, list[list[list[str]]], str, list[tuple[str, int]]]:
    """(body text, tables as rows of cells, header text, headings as (text, level))."""
    doc = Document(io.BytesIO(data))
    body = "\n".join(p.text for p in doc.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    header = " ".join(p.text for s in doc.sections for p in s.header.paragraphs)
    heads = [(p.text, int(p.style.name.split()[-1])) for p in doc.paragraphs
             if p.style.name.startswith("Heading ")]
    return body, tables, header, heads


def pdf_pages(path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return [p for p in out.split("\f") if p.strip()]


def app_figures(engine, end: date):
    """What the Overview computes for the same period: the comparison and its headlines."""
    counts = queries.cube_counts(engine, layer=ALL_LAYER, by=("month", "category"))
    themes = queries.theme_table(engine)
    cmp = compare_periods(counts, themes, end, loaded_months(engine), 12)
    return cmp, items_from(cmp, themes), themes
