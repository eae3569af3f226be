"""What the district holds and what it leaves out, in words for every page and command:
"12,190 records in Colchester; 81,167 elsewhere in Essex, not counted; 218 with no location"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, select

from csp_dash.db.cube import ALL_AREA, ALL_LAYER, NO_LOCATION_LAYER, OUTSIDE_LAYER, POLICE
from csp_dash.db.district import DECLARED, EVERYTHING, PROPOSED, in_effect
from csp_dash.db.schema import cube, ingest_files


@dataclass(frozen=True)
class Coverage:
    name: str
    status: str  # declared, proposed or everything
    n_lsoas: int
    inside: int
    outside: int
    no_location: int
    forces: tuple[str, ...]

    @property
    def sentence(self) -> str:
        where = ", ".join(self.forces) or "the files loaded"
        text = f"{self.inside:,} records in {self.name}"
        if self.status != EVERYTHING:
            text += f"; {self.outside:,} elsewhere in {where}, not counted"
        if self.no_location:
            text += f"; {self.no_location:,} with no location, not in any area figure"
        return text + "."

    @property
    def status_note(self) -> str:
        if self.status == DECLARED:
            return f"District: {self.name} ({self.n_lsoas:,} LSOAs)."
        if self.status == PROPOSED:
            return (f"No district declared: the {self.n_lsoas:,} loaded LSOAs are used as the "
                    "district. Declare it on the Data page or with `csp-dash district set`.")
        return ("No district declared and no LSOA boundaries loaded: figures count every record "
                "with a location. Load your district's LSOAs, or declare the district.")

    def as_dict(self) -> dict:
        return {"name": self.name, "status": self.status, "lsoas": self.n_lsoas,
                "inside": self.inside, "outside": self.outside,
                "no_location": self.no_location, "forces": list(self.forces),
                "sentence": self.sentence}


def _force_name(slug: str) -> str:
    return slug.replace("-", " ").title().replace("And ", "and ")


@dataclass(frozen=True)
class MonthlyCoverage:
    """Coverage's counts and forces by month, read once; ``over`` sums any period of it
    (a page asks for each period shown, and a new period then costs no query)."""

    name: str
    status: str
    n_lsoas: int
    counts: dict[tuple[date, str], int]  # (month, layer) -> records
    forces: dict[date, frozenset[str]]  # month -> forces with a file loaded

    def over(self, first: date | None = None, last: date | None = None) -> Coverage:
        def within(month: date) -> bool:
            return (first is None or month >= first) and (last is None or month <= last)

        total = {ALL_LAYER: 0, OUTSIDE_LAYER: 0, NO_LOCATION_LAYER: 0}
        for (month, layer), n in self.counts.items():
            if within(month):
                total[layer] += n
        forces = set().union(*(f for m, f in self.forces.items() if within(m)))
        return Coverage(self.name, self.status, self.n_lsoas, total[ALL_LAYER],
                        total[OUTSIDE_LAYER], total[NO_LOCATION_LAYER],
                        tuple(sorted(_force_name(f) for f in forces)))


def _month(value) -> date:
    return value if type(value) is date else date.fromisoformat(str(value)[:10])


def monthly_coverage(engine: Engine, source: str = POLICE) -> MonthlyCoverage:
    """Counts inside the district, outside it and with no location, and the forces loaded,
    for every month."""
    c, f = cube.c, ingest_files.c
    stmt = (select(c.month, c.layer, func.sum(c.count)).where(
        c.source == source, c.area_code == ALL_AREA,
        c.layer.in_([ALL_LAYER, OUTSIDE_LAYER, NO_LOCATION_LAYER])).group_by(c.month, c.layer))
    files = select(f.month, f.force).where(f.source == source).distinct()
    forces: dict[date, set[str]] = {}
    with engine.connect() as conn:
        counts = {(_month(m), layer): int(n or 0) for m, layer, n in conn.execute(stmt)}
        for month, force in conn.execute(files):
            forces.setdefault(_month(month), set()).add(force)
        eff = in_effect(conn)
    return MonthlyCoverage(eff.name, eff.status, eff.n_lsoas, counts,
                           {m: frozenset(v) for m, v in forces.items()})


def coverage(engine: Engine, first: date | None = None, last: date | None = None,
             source: str = POLICE) -> Coverage:
    """Counts inside the district, outside it and with no location, over the months given."""
    return monthly_coverage(engine, source).over(first, last)
