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


def coverage(engine: Engine, first: date | None = None, last: date | None = None,
             source: str = POLICE) -> Coverage:
    """Counts inside the district, outside it and with no location, over the months given."""
    c = cube.c
    stmt = (select(c.layer, func.sum(c.count)).where(
        c.source == source, c.area_code == ALL_AREA,
        c.layer.in_([ALL_LAYER, OUTSIDE_LAYER, NO_LOCATION_LAYER])).group_by(c.layer))
    files = select(ingest_files.c.force).where(ingest_files.c.source == source).distinct()
    if first is not None:
        stmt = stmt.where(c.month >= first)
        files = files.where(ingest_files.c.month >= first)
    if last is not None:
        stmt = stmt.where(c.month <= last)
        files = files.where(ingest_files.c.month <= last)
    with engine.connect() as conn:
        counts = {layer: int(n or 0) for layer, n in conn.execute(stmt)}
        forces = tuple(sorted(_force_name(f) for f in conn.execute(files).scalars()))
        eff = in_effect(conn)
    return Coverage(eff.name, eff.status, eff.n_lsoas, counts.get(ALL_LAYER, 0),
                    counts.get(OUTSIDE_LAYER, 0), counts.get(NO_LOCATION_LAYER, 0), forces)
