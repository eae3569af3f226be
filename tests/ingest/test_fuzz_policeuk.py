"""Fuzzing the police.uk parser (issue 12): any bytes at all are either parsed or refused with
an IngestError, never another exception. Bounded example counts keep it to seconds."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.policeuk import ParsedFile, parse_street_file
from csp_dash.ingest.sources import SourceFile
from tests.conftest import ESSEX
from tests.policeuk_files import crime, csv_bytes, month_rows


def _base() -> bytes:
    """The first rows of a real file when the real data is present, else a synthetic one."""
    real = ESSEX / "2018-01" / "2018-01-essex-street.csv"
    if real.exists():
        with real.open("rb") as fh:
            return b"".join(fh.readline() for _ in range(40))
    rows = month_rows("2018-01", 20, no_location=2) + [crime("2018-01", "Anti-social behaviour")]
    return csv_bytes(rows)


BASE = _base()
NAME = "2018-01-essex-street.csv"
FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
# Bytes that matter to a CSV parser and to the checks in front of it.
SPECIAL = [b",", b'"', b"\n", b"\r", b"\x00", b"\xff", b"\xef\xbb\xbf", b"\xe9", b";", b"\t",
           b"\x1f\x8b", b"PK\x03\x04", b"\xff\xfe", b"9" * 400, b"-", b".", b" ", b"\x07"]


def _parse(data: bytes) -> ParsedFile | None:
    try:
        return parse_street_file(SourceFile(NAME, lambda: data))
    except IngestError as exc:
        assert str(exc).startswith(NAME)  # every refusal names the file
        return None


@FUZZ
@given(st.binary(max_size=2000))
@example(b"Crime ID\rMonth,x\n1,2\n")  # found by fuzzing: a lone CR inside the header line
@example(b"\xff\xfe" + "Crime ID".encode("utf-16-le"))
def test_random_bytes(data: bytes):
    _parse(data)


@FUZZ
@given(st.lists(st.tuples(st.floats(0, 1), st.sampled_from(["insert", "delete", "replace"]),
                          st.one_of(st.sampled_from(SPECIAL), st.binary(min_size=1, max_size=8))),
                min_size=1, max_size=6))
def test_mutations_of_a_real_file(edits):
    data = bytearray(BASE)
    for where, op, chunk in edits:
        at = int(where * len(data))
        if op == "insert":
            data[at:at] = chunk
        elif op == "delete":
            del data[at:at + len(chunk)]
        else:
            data[at:at + len(chunk)] = chunk
    parsed = _parse(bytes(data))
    if parsed is not None:  # loaded: the rows and rejects account for every row
        assert parsed.n_rows + len(parsed.rejects) >= 1


@FUZZ
@given(st.lists(st.sampled_from(list(crime().keys())), min_size=1, max_size=3),
       st.text(max_size=80))
def test_random_text_in_fields(columns, value):
    rows = month_rows("2018-01", 3)
    for c in columns:
        rows[1][c] = value
    _parse(csv_bytes(rows))


def test_the_unmutated_base_loads():
    parsed = _parse(BASE)
    assert parsed is not None and parsed.n_rows > 0


pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
