"""A small structured document (sections of headings, paragraphs, tables and chart images)
rendered to Word (python-docx) and to PDF (WeasyPrint, from HTML).

Kept separate from the review's content so the review can later move to the shared report
model: ``review.build_review`` makes a ``Document``; only this module knows the formats.
Text is always inserted as text (escaped in HTML), never as markup.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field

from docx import Document as DocxDocument
from docx.shared import Cm


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Image:
    png: bytes
    caption: str
    width_cm: float = 15.0


Block = str | Table | Image  # a str is a paragraph


@dataclass
class Section:
    heading: str
    level: int = 1  # 1 to 3
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    title: str
    subtitle: str
    sections: list[Section] = field(default_factory=list)


def to_docx(doc: Document) -> bytes:
    d = DocxDocument()
    d.core_properties.title = doc.title
    d.add_heading(doc.title, level=0)
    d.add_paragraph(doc.subtitle)
    for sec in doc.sections:
        d.add_heading(sec.heading, level=sec.level)
        for block in sec.blocks:
            if isinstance(block, Table):
                t = d.add_table(rows=1, cols=len(block.columns))
                t.style = "Table Grid"
                for cell, text in zip(t.rows[0].cells, block.columns, strict=True):
                    cell.text = text
                    for run in cell.paragraphs[0].runs:
                        run.bold = True
                for row in block.rows:
                    for cell, text in zip(t.add_row().cells, row, strict=True):
                        cell.text = text
            elif isinstance(block, Image):
                d.add_picture(io.BytesIO(block.png), width=Cm(block.width_cm))
                d.add_paragraph(block.caption, style="Caption")
            else:
                d.add_paragraph(block)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


CSS = """
@page { size: A4; margin: 18mm 16mm; @bottom-right { content: counter(page); font-size: 9pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.35; }
h1 { font-size: 20pt; margin-bottom: 2pt; } h2 { font-size: 14pt; margin-top: 16pt; }
h3 { font-size: 11.5pt; } h4 { font-size: 10.5pt; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0; font-size: 8.5pt; }
th, td { border: 0.5pt solid #999; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #eef2f7; } img { max-width: 100%; } .caption { font-size: 8.5pt; color: #555; }
.subtitle { color: #444; }
"""


def to_html(doc: Document) -> str:
    e = html.escape
    out = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(doc.title)}"
           f"</title><style>{CSS}</style></head><body><h1>{e(doc.title)}</h1>"
           f"<p class='subtitle'>{e(doc.subtitle)}</p>"]
    for sec in doc.sections:
        level = min(sec.level + 1, 4)
        out.append(f"<h{level}>{e(sec.heading)}</h{level}>")
        for block in sec.blocks:
            if isinstance(block, Table):
                head = "".join(f"<th>{e(c)}</th>" for c in block.columns)
                body = "".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>"
                               for row in block.rows)
                out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
            elif isinstance(block, Image):
                src = "data:image/png;base64," + base64.b64encode(block.png).decode("ascii")
                out.append(f"<figure><img src='{src}' alt='{e(block.caption)}' "
                           f"style='width:{block.width_cm}cm'><figcaption class='caption'>"
                           f"{e(block.caption)}</figcaption></figure>")
            else:
                out.append(f"<p>{e(block)}</p>")
    out.append("</body></html>")
    return "".join(out)


def _no_fetch():
    """A fetcher for inline (data:) images only: the PDF never fetches a URL."""
    from weasyprint import urls

    if hasattr(urls, "URLFetcher"):  # WeasyPrint 66 and later
        return urls.URLFetcher(allowed_protocols=["data"])

    def fetch(url: str, *args, **kwargs):
        if not url.startswith("data:"):
            raise ValueError(f"refusing to fetch {url[:40]}")
        return urls.default_url_fetcher(url, *args, **kwargs)

    return fetch


def to_pdf(doc: Document) -> bytes:
    from weasyprint import HTML  # imported here: it loads pango, which a CSV export never needs

    return HTML(string=to_html(doc), url_fetcher=_no_fetch()).write_pdf()
