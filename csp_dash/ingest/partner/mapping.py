"""The column mapping of a partner dataset: chosen once, saved as JSON, reused on re-import.

A mapping names columns and formats, never values (apart from the optional partner category
-> police.uk category table), so it is safe to store and to share as a file for the CLI:

    {"theme": "Domestic abuse", "unit": "records",
     "date_column": "Offence date", "date_format": "DD/MM/YYYY",
     "category_column": "Offence group",
     "latitude_column": "Latitude", "longitude_column": "Longitude",
     "lsoa_column": "LSOA code", "estate_column": null,
     "flags": {"repeat": "Repeat victim"}, "key_column": "Victim ID",
     "police_categories": {"Violence with injury": "Violence and sexual offences"}}
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from csp_dash.vocab import POLICE_CATEGORIES

THEMES = ("Domestic abuse", "Hate", "Fire", "Reoffending", "Modern slavery", "FGM", "Other")
# Every record of a dataset with one of these themes carries the theme's flag, so a
# "Domestic abuse" extract needs no DA flag column of its own.
THEME_FLAGS = {
    "Domestic abuse": "domestic",
    "Hate": "hate",
    "Modern slavery": "slavery",
    "FGM": "fgm",
}
KNOWN_FLAGS = ("domestic", "repeat", "hate")
UNITS = ("records", "referrals")  # records = crimes and incidents; referrals are counted apart
DATE_FORMATS = {
    "YYYY-MM-DD": "%Y-%m-%d",
    "DD/MM/YYYY": "%d/%m/%Y",
    "DD-MM-YYYY": "%d-%m-%Y",
    "DD.MM.YYYY": "%d.%m.%Y",
    "MM/DD/YYYY": "%m/%d/%Y",
    "YYYY-MM-DD HH:MM:SS": "%Y-%m-%d %H:%M:%S",
    "DD/MM/YYYY HH:MM": "%d/%m/%Y %H:%M",
    "YYYY-MM": "%Y-%m",
}
DATASET_NAME = re.compile(r"^[a-z][a-z0-9_]{0,19}$")  # 20 chars: the cube's source is dataset/flag
FLAG_NAME = re.compile(r"^[a-z][a-z0-9_]{0,10}$")
VIOLENCE = "Violence and sexual offences"


def check_dataset_name(name: str) -> str:
    """The dataset name, or ValueError saying what a name may hold."""
    if not DATASET_NAME.match(name or ""):
        raise ValueError(
            f"dataset name {name!r} must be 1 to 20 lower-case letters, digits or _, "
            "starting with a letter (e.g. police_da)"
        )
    return name


@dataclass(frozen=True)
class PartnerMapping:
    """Which column holds what, for one partner dataset."""

    theme: str
    date_column: str
    unit: str = "records"
    date_format: str = "YYYY-MM-DD"
    category_column: str | None = None
    category_value: str | None = None  # one fixed category where the file has no such column
    latitude_column: str | None = None
    longitude_column: str | None = None
    lsoa_column: str | None = None
    estate_column: str | None = None
    flags: dict[str, str] = field(default_factory=dict)  # flag name -> yes/no column
    key_column: str | None = None  # victim or case key: pseudonymised, never stored
    police_categories: dict[str, str] = field(default_factory=dict)
    coordinate_decimals: int = 4  # about 10 m: places a record in an estate, not at an address

    def __post_init__(self) -> None:
        _validate(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PartnerMapping:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown mapping field(s): {', '.join(unknown)}")
        clean = {
            k: (v.strip() or None) if isinstance(v, str) and k.endswith("_column") else v
            for k, v in data.items()
        }
        return cls(**clean)

    @classmethod
    def from_json(cls, text: str) -> PartnerMapping:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"the mapping is not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise ValueError("the mapping must be a JSON object")
        return cls.from_dict(data)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, indent=1, ensure_ascii=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()

    @property
    def columns(self) -> dict[str, str]:
        """Mapped column -> what it holds, in the order a reader expects."""
        roles = {self.date_column: "date"}
        for col, role in (
            (self.category_column, "category"),
            (self.latitude_column, "latitude"),
            (self.longitude_column, "longitude"),
            (self.lsoa_column, "LSOA code"),
            (self.estate_column, "estate"),
            (self.key_column, "key"),
        ):
            if col:
                roles.setdefault(col, role)
        for name, col in self.flags.items():
            roles.setdefault(col, f"{name} flag")
        return roles

    @property
    def all_flags(self) -> list[str]:
        """Flag names records of this dataset can carry (mapped columns and the theme's flag)."""
        names = list(self.flags)
        implied = THEME_FLAGS.get(self.theme)
        if implied and implied not in names:
            names.append(implied)
        return sorted(names)

    @property
    def violence_categories(self) -> list[str]:
        """Partner categories mapped to police.uk's Violence and sexual offences."""
        return sorted(k for k, v in self.police_categories.items() if v == VIOLENCE)

    @property
    def strftime(self) -> str:
        return DATE_FORMATS[self.date_format]


def _validate(m: PartnerMapping) -> None:
    if not isinstance(m.theme, str) or not m.theme.strip() or len(m.theme) > 64:
        raise ValueError("the mapping needs a theme (e.g. Domestic abuse), at most 64 characters")
    if m.unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {m.unit!r}")
    if not m.date_column:
        raise ValueError("the mapping needs a date column")
    if m.date_format not in DATE_FORMATS:
        raise ValueError(f"date format {m.date_format!r} is not one of {', '.join(DATE_FORMATS)}")
    if not m.category_column and not m.category_value:
        raise ValueError("map a category column, or give one fixed category for every row")
    if m.category_column and m.category_value:
        raise ValueError("map either a category column or one fixed category value, not both")
    if m.category_value and len(m.category_value) > 64:
        raise ValueError("the fixed category is longer than 64 characters")
    if bool(m.latitude_column) != bool(m.longitude_column):
        raise ValueError("map both a latitude and a longitude column, or neither")
    if not isinstance(m.flags, dict) or not isinstance(m.police_categories, dict):
        raise ValueError("flags and police_categories must be objects")
    for name, col in m.flags.items():
        if not FLAG_NAME.match(name):
            raise ValueError(f"flag name {name!r} must be 1 to 11 lower-case letters, digits or _")
        if not isinstance(col, str) or not col.strip():
            raise ValueError(f"flag {name!r} needs a column")
    bad = sorted(v for v in m.police_categories.values() if v not in POLICE_CATEGORIES)
    if bad:
        raise ValueError(f"not police.uk categories: {', '.join(map(str, bad))}")
    if not isinstance(m.coordinate_decimals, int) or not 2 <= m.coordinate_decimals <= 6:
        raise ValueError("coordinate_decimals must be a whole number from 2 to 6")


_GUESSES = {
    "date_column": (
        "date",
        "offence date",
        "incident date",
        "occurred",
        "referral date",
        "created",
    ),
    "category_column": (
        "category",
        "offence",
        "crime type",
        "type",
        "incident type",
        "classification",
    ),
    "latitude_column": ("latitude", "lat"),
    "longitude_column": ("longitude", "lon", "long", "lng"),
    "lsoa_column": ("lsoa code", "lsoa", "lsoa11cd", "lsoa21cd"),
    "estate_column": ("estate", "estate name"),
    "key_column": ("victim id", "victim key", "victim", "person id", "case id", "case key"),
}


def guess_columns(columns: list[str]) -> dict[str, str | None]:
    """A first guess at the mapping from a file's column names (the user confirms it)."""
    lower = {c.strip().lower(): c for c in columns}
    out: dict[str, str | None] = {}
    for role, names in _GUESSES.items():
        out[role] = next((lower[n] for n in names if n in lower), None)
        if out[role] is None:  # a looser match: the name contains the word
            out[role] = next((c for n in names[:2] for k, c in lower.items() if n in k), None)
    return out
