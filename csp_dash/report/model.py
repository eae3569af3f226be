"""The report model: sections of paragraphs, figures and tables, shared by every renderer.

Renderers (``docx``, ``pdf``, the Report page's preview) read only this model, so the Word
file, the PDF and the preview can never disagree about a figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

PUBLIC, PARTNERS = "public", "partners"
EDITIONS = (PUBLIC, PARTNERS)
NOT_FOR_PUBLIC = "Not for public circulation"


@dataclass
class Paragraph:
    text: str
    style: str = "body"  # body, headline (a bullet), note (small print), lead (bold), heading (level 2)


@dataclass
class Figure:
    """A chart (an altair chart, rendered server-side) with the alt text every format carries."""

    chart: Any
    alt: str
    caption: str
    width_cm: float = 16.0
    _png: bytes | None = field(default=None, repr=False)
    _svg: str | None = field(default=None, repr=False)

    def png(self) -> bytes:
        # Rasterise the SVG rather than run the chart's Vega again: one layout per chart.
        if self._png is None:
            import vl_convert as vlc

            self._png = vlc.svg_to_png(self.svg(), scale=2)
        return self._png

    def svg(self) -> str:
        if self._svg is None:
            from csp_dash.export import chart_svg

            self._svg = chart_svg(self.chart)
        return self._svg


@dataclass
class Table:
    """Header row plus body rows of display text. ``sensitive`` marks partner counts: in the
    public edition they have already been through the disclosure adapter."""

    caption: str
    columns: list[str]
    rows: list[list[str]]
    sensitive: bool = False
    note: str | None = None


@dataclass
class Narrative:
    """An editable block: the drafted text, or the analyst's stored edit (who and when)."""

    key: str
    title: str
    drafted: str
    text: str
    edited_by: str | None = None
    edited_at: datetime | None = None

    @property
    def edited(self) -> bool:
        return self.edited_by is not None


Block = Paragraph | Figure | Table | Narrative


@dataclass
class Section:
    key: str
    title: str
    level: int = 1  # heading level: 1 for chapters, 2 within them
    blocks: list[Block] = field(default_factory=list)
    appendix: bool = False

    def add(self, block: Block) -> Block:
        self.blocks.append(block)
        return block


@dataclass
class Report:
    title: str
    partnership: str
    period_end: date
    period_label: str
    edition: str
    author: str
    generated_at: datetime
    sections: list[Section] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def marking(self) -> str:
        if self.edition == PARTNERS:
            return f"{NOT_FOR_PUBLIC}: partners edition"
        return "Public edition: small counts in partner data are suppressed"

    def narratives(self) -> list[Narrative]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Narrative)]

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]
