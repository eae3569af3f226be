"""Row checks that make DuckDB and PostgreSQL agree, and notes on suspicious but valid data.

PostgreSQL enforces VARCHAR lengths and refuses NUL in text; DuckDB does neither. Checking
lengths and control characters while parsing gives one behaviour on both engines.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from csp_dash.ingest import limits
from csp_dash.ingest.errors import IngestError

# Columns stored in VARCHAR(n) (see db/schema.py crimes); other text has the general limit.
SCHEMA_LENGTHS = {"Crime ID": 64, "LSOA code": 16}
FORCE_LENGTH = 64
_CONTROL = r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]"  # tab, CR and LF are ordinary in text
_CONTROL_RE = re.compile(_CONTROL)
_CONTROL_TABLE = np.zeros(256, dtype=bool)
_CONTROL_TABLE[[*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]] = True
# England and Wales lie within these; police.uk only publishes those forces (and BTP).
_UK_LAT = (49.0, 61.0)
_UK_LON = (-8.7, 2.2)




def has_control(data: bytes) -> bool:
    """Whether the bytes hold a character _CONTROL matches: numpy, ten times a regex scan."""
    a = np.frombuffer(data, np.uint8)
    low = a[a < 0x20]  # mostly line ends: small
    return bool(_CONTROL_TABLE[low].any()) or b"\x7f" in data


def field_faults(t: pa.Table, columns: list[str], data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(mask of rows with a text field too long or holding a control character; the reason).

    `data` is the file's bytes: one scan of them rules out control characters in most files,
    and a column's longest value rules out its length check, so clean files cost little.
    """
    n = t.num_rows
    any_control = has_control(data)
    bad = np.zeros(n, dtype=bool)
    reason = np.full(n, "", dtype=object)
    general = limits.max_field_chars()
    for col in columns:
        arr = t[col]
        if not pa.types.is_string(arr.type):
            continue
        limit = SCHEMA_LENGTHS.get(col, general)
        if (pc.max(pc.binary_length(arr)).as_py() or 0) > limit:  # bytes >= characters
            length = pc.fill_null(pc.utf8_length(arr), 0).to_numpy(zero_copy_only=False)
            long_ = (length > limit) & ~bad
            for i in np.flatnonzero(long_):
                reason[i] = f"{col} is {length[i]:,} characters long; the limit is {limit:,}"
            bad |= long_
        if not any_control:
            continue
        ctrl = pc.fill_null(pc.match_substring_regex(arr, _CONTROL), False).to_numpy(
            zero_copy_only=False) & ~bad
        for i in np.flatnonzero(ctrl):
            char = _CONTROL_RE.search(arr[int(i)].as_py()).group()
            reason[i] = f"{col} holds a control character (0x{ord(char):02X})"
        bad |= ctrl
    return bad, reason


def force_fault(name: str, force: str) -> None:
    if len(force) > FORCE_LENGTH:
        raise IngestError(name, f"the force name '{force[:20]}...' is {len(force)} characters "
                          f"long; the limit is {FORCE_LENGTH}")


def swapped_note(lon: np.ndarray, lat: np.ndarray, row_no: np.ndarray) -> str | None:
    """A note when rows sit where England and Wales would be with latitude and longitude swapped."""
    with np.errstate(invalid="ignore"):
        swapped = ((lon >= _UK_LAT[0]) & (lon <= _UK_LAT[1])
                   & (lat >= _UK_LON[0]) & (lat <= _UK_LON[1]))
    if not swapped.any():
        return None
    i = int(np.argmax(swapped))
    return (f"{int(swapped.sum()):,} row(s) have coordinates that look swapped (row {row_no[i]}: "
            f"Longitude {lon[i]:g}, Latitude {lat[i]:g}); they were loaded as given: check the file")
