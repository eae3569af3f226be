"""The plan's rows, as in its CSV layout, and the checks every row passes before it is stored.

One row per action and measure: an objective's actions and measures are paired row by row
(a row may carry an action, a measure or both). See docs/methods.md, "Action plan".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

STATUSES = ("not started", "on track", "at risk", "off track", "complete")
SERIES_KINDS = ("category", "theme", "dataset")
VALUES = ("count", "rate", "harm")
DIRECTIONS = ("down", "up")
ROLES = ("analyst", "partner", "public")

COLUMNS = [
    "priority", "objective", "action", "owner", "lead", "start", "due", "status",
    "measure_series", "measure_layer", "measure_area", "measure_value",
    "baseline_from", "baseline_to", "target_pct", "direction",
    "progress_date", "progress",
]
REQUIRED = COLUMNS[:16]  # progress_date and progress are optional


@dataclass(frozen=True)
class Action:
    name: str
    owner: str
    lead: str | None = None
    start: date | None = None
    due: date | None = None
    status: str = "not started"
    progress_date: date | None = None  # the latest progress update, if any
    progress: str | None = None


@dataclass(frozen=True)
class Measure:
    series: str  # "category:Burglary", "theme:Violence" or "dataset:police_da"
    value: str
    baseline_from: date
    baseline_to: date
    direction: str
    layer: str | None = None  # None: the district (the whole loaded area)
    area: str | None = None
    target_pct: float | None = None

    @property
    def kind(self) -> str:
        return self.series.split(":", 1)[0]

    @property
    def name(self) -> str:
        return self.series.split(":", 1)[1]

    @property
    def key(self) -> str:
        """How a review snapshot names the measure."""
        where = f"{self.layer}:{self.area}" if self.layer else "district"
        return f"{self.series}|{where}|{self.value}"


@dataclass
class Objective:
    priority: str
    name: str
    actions: list[Action] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)


def parse_series(text: str) -> str:
    """Check a measure_series value; returns it tidied ("theme:Violence")."""
    kind, sep, name = (text or "").partition(":")
    kind, name = kind.strip().lower(), name.strip()
    if not sep or kind not in SERIES_KINDS or not name:
        raise ValueError(
            f"measure_series '{text}' must be category:NAME, theme:NAME or dataset:NAME"
        )
    return f"{kind}:{name}"


def check_measure(m: Measure) -> None:
    parse_series(m.series)
    if m.value not in VALUES:
        raise ValueError(f"measure_value '{m.value}' must be one of {', '.join(VALUES)}")
    if m.direction not in DIRECTIONS:
        raise ValueError(f"direction '{m.direction}' must be down or up")
    if m.baseline_to < m.baseline_from:
        raise ValueError("baseline_to is before baseline_from")
    if m.area and not m.layer:
        raise ValueError("measure_area needs a measure_layer")
    if m.value == "harm" and m.kind == "dataset":
        raise ValueError("harm weights exist for police.uk categories only, not a dataset")


def check_action(a: Action) -> None:
    if not a.owner:
        raise ValueError(f"action '{a.name}' needs an owner organisation")
    if a.status not in STATUSES:
        raise ValueError(f"status '{a.status}' must be one of {', '.join(STATUSES)}")
    if a.start and a.due and a.due < a.start:
        raise ValueError(f"action '{a.name}' is due before it starts")


def can_edit(role: str, org: str | None, owner: str) -> bool:
    """Analysts edit every action; a partner edits the actions their organisation owns."""
    if role == "analyst":
        return True
    if role == "partner" and org:
        return org.strip().casefold() == owner.strip().casefold()
    return False
