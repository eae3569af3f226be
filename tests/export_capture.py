"""Every table download a page offers, captured during an AppTest run and built as the
user's click would build it (the shared buttons of csp_dash.ui.downloads)."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from unittest import mock

import openpyxl
import pandas as pd

from csp_dash.ui import downloads


@dataclass
class Offered:
    label: str  # "CSV", "XLSX", "PNG", "SVG"
    file_name: str
    make: object  # the deferred data callable

    def build(self) -> bytes:
        data = self.make() if callable(self.make) else self.make
        return data.encode() if isinstance(data, str) else data


@contextlib.contextmanager
def capture():
    """Collect every button drawn by csp_dash.ui.downloads while the block runs."""
    seen: list[Offered] = []
    real = downloads._button

    def spy(label, data, file_name, mime, key, icon):
        seen.append(Offered(label, file_name, data))
        real(label, data, file_name, mime, key, icon)

    with mock.patch.object(downloads, "_button", spy):
        yield seen


def csv_cells(data: bytes) -> list[list[str]]:
    import csv

    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def frame_of_csv(data: bytes) -> pd.DataFrame:
    rows = csv_cells(data)
    body = [r for r in rows if not (len(r) == 1 and r[0].startswith("#"))]
    return pd.DataFrame(body[1:], columns=body[0]) if body else pd.DataFrame()
