"""Word rendering with python-docx: real heading levels, header rows that repeat, charts as
PNG with alt text, and the partners edition's marking in the header of every page."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from csp_dash.report.model import (
    NOT_FOR_PUBLIC,
    PARTNERS,
    Figure,
    Narrative,
    Paragraph,
    Report,
    Table,
)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _alt_text(shape, text: str, title: str) -> None:
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", text)
    doc_pr.set("title", title)


def _table(doc, t: Table) -> None:
    doc.add_paragraph(t.caption, style="Caption")
    table = doc.add_table(rows=1, cols=len(t.columns))
    table.style = "Light Grid Accent 1"
    hdr = table.rows[0]
    _repeat_header(hdr)
    for cell, name in zip(hdr.cells, t.columns, strict=True):
        cell.text = str(name)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in t.rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)
    if t.note:
        doc.add_paragraph(t.note, style="Caption")


def _figure(doc, f: Figure) -> None:
    doc.add_picture(io.BytesIO(f.png()), width=Cm(f.width_cm))
    _alt_text(_Inline(doc.paragraphs[-1].runs[-1]), f.alt, f.caption)
    doc.add_paragraph(f.caption, style="Caption")


class _Inline:
    """The picture's inline element, where Word reads alt text (docPr descr)."""

    def __init__(self, run):
        self._inline = run._r.xpath(".//wp:inline")[0]


def _paragraph(doc, p: Paragraph) -> None:
    if p.style == "heading":
        doc.add_heading(p.text, level=2)
    elif p.style == "headline":
        doc.add_paragraph(p.text, style="List Bullet")
    elif p.style == "lead":
        doc.add_paragraph().add_run(p.text).bold = True
    elif p.style == "note":
        run = doc.add_paragraph().add_run(p.text)
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
    else:
        doc.add_paragraph(p.text)


def _header(doc, report: Report) -> None:
    section = doc.sections[0]
    para = section.header.paragraphs[0]
    para.text = (NOT_FOR_PUBLIC if report.edition == PARTNERS
                 else f"{report.title}: public edition")
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if report.edition == PARTNERS:
        for run in para.runs:
            run.bold = True
            run.font.color.rgb = RGBColor(0xB2, 0x22, 0x22)
    footer = section.footer.paragraphs[0]
    footer.text = f"{report.partnership}: {report.title}, {report.period_label}"


def render_docx(report: Report) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    doc.core_properties.title = f"{report.title}: {report.partnership}"
    doc.core_properties.author = report.author
    _header(doc, report)
    doc.add_heading(report.title, level=0)
    doc.add_paragraph(f"{report.partnership}\n12 months to {report.period_end:%B %Y} "
                      f"({report.period_label})\n{report.author}, "
                      f"{report.generated_at:%d %B %Y}").runs[0].bold = True
    doc.add_paragraph(report.marking)
    for sec in report.sections:
        doc.add_heading(sec.title, level=sec.level)
        for block in sec.blocks:
            if isinstance(block, Table):
                _table(doc, block)
            elif isinstance(block, Figure):
                _figure(doc, block)
            elif isinstance(block, Narrative):
                doc.add_heading(block.title, level=3)
                doc.add_paragraph(block.text)
            else:
                _paragraph(doc, block)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
