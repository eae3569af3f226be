"""Generate N police.uk street-crime rows as monthly files, shaped like England & Wales data.

Every per-row step is vectorised (numpy draws, Arrow `take`) so that 10M rows generate in
seconds; only the small per-force pools of map points and LSOAs are built in Python.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context\n"
)

# The 43 territorial forces of England & Wales, as police.uk names their files.
FORCES = [
    "avon-and-somerset",
    "bedfordshire",
    "cambridgeshire",
    "cheshire",
    "city-of-london",
    "cleveland",
    "cumbria",
    "derbyshire",
    "devon-and-cornwall",
    "dorset",
    "durham",
    "dyfed-powys",
    "essex",
    "gloucestershire",
    "greater-manchester",
    "gwent",
    "hampshire",
    "hertfordshire",
    "humberside",
    "kent",
    "lancashire",
    "leicestershire",
    "lincolnshire",
    "merseyside",
    "metropolitan",
    "norfolk",
    "north-wales",
    "north-yorkshire",
    "northamptonshire",
    "northumbria",
    "nottinghamshire",
    "south-wales",
    "south-yorkshire",
    "staffordshire",
    "suffolk",
    "surrey",
    "sussex",
    "thames-valley",
    "warwickshire",
    "west-mercia",
    "west-midlands",
    "west-yorkshire",
    "wiltshire",
]
WELSH = {"dyfed-powys", "gwent", "north-wales", "south-wales"}

# Shares close to the Essex 2018 files in ../shared/realdata (115,065 rows).
CATEGORIES = {
    "Violence and sexual offences": 0.2754,
    "Anti-social behaviour": 0.2499,
    "Criminal damage and arson": 0.0815,
    "Vehicle crime": 0.0758,
    "Other theft": 0.0699,
    "Public order": 0.0602,
    "Burglary": 0.0601,
    "Shoplifting": 0.0540,
    "Drugs": 0.0183,
    "Other crime": 0.0169,
    "Possession of weapons": 0.0114,
    "Bicycle theft": 0.0107,
    "Robbery": 0.0079,
    "Theft from the person": 0.0079,
}
ASB = "Anti-social behaviour"
OUTCOMES = {  # for crimes; ASB rows have no outcome
    "Investigation complete; no suspect identified": 0.407,
    "Under investigation": 0.211,
    "Unable to prosecute suspect": 0.172,
    "Awaiting court outcome": 0.050,
    "Status update unavailable": 0.049,
    "Formal action is not in the public interest": 0.045,
    "Local resolution": 0.036,
    "Offender given a caution": 0.007,
    "Offender given a drugs possession warning": 0.007,
    "Offender sent to prison": 0.003,
    "Offender given penalty notice": 0.0025,
    "Offender given community sentence": 0.0025,
    "Action to be taken by another organisation": 0.0025,
    "Offender fined": 0.001,
    "Offender given suspended prison sentence": 0.0015,
    "Court case unable to proceed": 0.0005,
    "Offender given conditional discharge": 0.0005,
    "Defendant found not guilty": 0.0005,
}
PLACES = [
    "Supermarket",
    "Parking Area",
    "Petrol Station",
    "Shopping Area",
    "Nightclub",
    "Sports/Recreation Area",
    "Further/Higher Educational Building",
    "Hospital",
    "Police Station",
    "Conference/Exhibition Centre",
    "Theatre/Concert Hall",
]
_STEMS = [
    "Ash",
    "Brad",
    "Chel",
    "Dun",
    "Elm",
    "Fair",
    "Glen",
    "Hart",
    "Ivy",
    "King",
    "Lang",
    "Mill",
    "North",
    "Oak",
    "Park",
    "Queens",
    "Ridge",
    "Stan",
    "Thorn",
    "Upton",
    "Vale",
    "Wood",
    "Yew",
    "Bram",
    "Cran",
    "Hazel",
    "Lark",
    "Marl",
    "Rose",
    "Shir",
]
_ENDS = ["ford", "ham", "ton", "bury", "field", "ley", "wood", "well", "dale", "mere"]
_KINDS = [
    "Road",
    "Street",
    "Close",
    "Drive",
    "Avenue",
    "Lane",
    "Way",
    "Crescent",
    "Gardens",
    "Court",
    "Grove",
    "Place",
    "Walk",
    "Mews",
    "Rise",
]

NO_LOCATION_SHARE = 0.015
ROWS_PER_FILE = 11_628  # 10M rows / (43 forces x 20 months)
LSOA_PER_FORCE = 800  # ~34,750 LSOAs in England & Wales / 43
POINTS_PER_LSOA = 20


@dataclass
class Generated:
    folder: Path
    files: int
    rows: int
    no_location: int
    asb: int
    months: list[str]
    bytes: int


@dataclass
class _Pool:
    """One force's map points: every text column a located row takes from its point."""

    name: str
    lon: pa.Array
    lat: pa.Array
    location: pa.Array
    lsoa_code: pa.Array
    lsoa_name: pa.Array
    weight: np.ndarray


def force_names(n: int) -> list[str]:
    return FORCES[:n] if n <= len(FORCES) else FORCES + [f"force-{i}" for i in range(44, n + 1)]


def months_for(rows: int, forces: int) -> int:
    """Months so that a file holds ~ROWS_PER_FILE rows, as real force-months do."""
    return max(1, round(rows / (forces * ROWS_PER_FILE)))


def _display(force: str) -> str:
    if force == "metropolitan":
        return "Metropolitan Police Service"
    return " ".join(w.capitalize() for w in force.split("-")).replace(" And ", " and ") + " Police"


def _degrees(micro: np.ndarray) -> pa.Array:
    """Micro-degrees as police.uk's 6-decimal text, e.g. -0.073901, without a Python loop."""
    whole = pa.array(np.abs(micro) // 1_000_000).cast(pa.string())
    frac = pc.utf8_lpad(pa.array(np.abs(micro) % 1_000_000).cast(pa.string()), 6, "0")
    sign = pc.if_else(pa.array(micro < 0), "-", "")
    return pc.binary_join_element_wise(sign, whole, ".", frac, "")


def _pool(rng: np.random.Generator, force: str, first_lsoa: int) -> _Pool:
    n_pts = LSOA_PER_FORCE * POINTS_PER_LSOA
    lsoa_of = np.repeat(np.arange(LSOA_PER_FORCE), POINTS_PER_LSOA)
    centre = (rng.uniform(-4.5, 1.5), rng.uniform(50.6, 54.8))
    lsoa_lon = centre[0] + rng.normal(0, 0.2, LSOA_PER_FORCE)
    lsoa_lat = centre[1] + rng.normal(0, 0.15, LSOA_PER_FORCE)
    lon = np.rint((lsoa_lon[lsoa_of] + rng.normal(0, 0.004, n_pts)) * 1e6).astype(np.int64)
    lat = np.rint((lsoa_lat[lsoa_of] + rng.normal(0, 0.003, n_pts)) * 1e6).astype(np.int64)
    streets = pa.array(
        [f"On or near {s}{e} {k}" for s in _STEMS for e in _ENDS for k in _KINDS]
        + [f"On or near {p}" for p in PLACES]
    )
    n_streets = len(_STEMS) * len(_ENDS) * len(_KINDS)
    # One point in ten is a named place (supermarket, parking area...), as police.uk does.
    street_idx = np.where(
        rng.random(n_pts) < 0.1,
        rng.integers(n_streets, len(streets), n_pts),
        rng.integers(0, n_streets, n_pts),
    )
    prefix = "W01" if force in WELSH else "E01"
    codes = pa.array([f"{prefix}{first_lsoa + i:06d}" for i in range(LSOA_PER_FORCE)])
    districts = [
        f"{_STEMS[(first_lsoa // 7 + d) % len(_STEMS)]}{_ENDS[d % len(_ENDS)]}" for d in range(8)
    ]
    names = pa.array(
        [
            f"{districts[i % 8]} {i // 8 // 4 + 1:03d}{'ABCD'[i // 8 % 4]}"
            for i in range(LSOA_PER_FORCE)
        ]
    )
    # Crime concentrates: a few points carry much of it (lognormal point weights).
    weight = rng.lognormal(0.0, 1.2, n_pts)
    return _Pool(
        _display(force),
        _degrees(lon),
        _degrees(lat),
        streets.take(street_idx),
        codes.take(lsoa_of),
        names.take(lsoa_of),
        weight / weight.sum(),
    )


def _hex_ids(rng: np.random.Generator, n: int) -> pa.Array:
    data = rng.bytes(32 * n).hex().encode()
    offsets = np.arange(0, 64 * n + 1, 64, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def _file_table(rng: np.random.Generator, pool: _Pool, month: str, n: int) -> pa.Table:
    cats = pa.array(list(CATEGORIES))
    cat = rng.choice(
        len(CATEGORIES), n, p=np.array(list(CATEGORIES.values())) / sum(CATEGORIES.values())
    )
    point = rng.choice(len(pool.weight), n, p=pool.weight)
    located = rng.random(n) >= NO_LOCATION_SHARE
    # police.uk sorts by LSOA name and puts the rows without a location last.
    order = np.lexsort((point, ~located))
    cat, point, located = cat[order], pa.array(point[order]), pa.array(located[order])
    is_asb = pa.array(cat == list(CATEGORIES).index(ASB))
    out_p = np.array(list(OUTCOMES.values()))
    outcome = pa.array(list(OUTCOMES)).take(rng.choice(len(OUTCOMES), n, p=out_p / out_p.sum()))

    def where_located(values: pa.Array, missing: str = "") -> pa.Array:
        return pc.if_else(located, values.take(point), missing)

    return pa.table(
        {
            "id": pc.if_else(is_asb, "", _hex_ids(rng, n)),
            "month": pa.repeat(pa.scalar(month), n),
            "by": pa.repeat(pa.scalar(pool.name), n),
            "within": pa.repeat(pa.scalar(pool.name), n),
            "lon": where_located(pool.lon),
            "lat": where_located(pool.lat),
            "loc": where_located(pool.location, "No Location"),
            "code": where_located(pool.lsoa_code),
            "name": where_located(pool.lsoa_name),
            "cat": cats.take(pa.array(cat)),
            "outcome": pc.if_else(is_asb, "", outcome),
            "context": pa.repeat(pa.scalar(""), n),
        }
    )


def generate(
    folder: Path, rows: int, forces: int = 43, seed: int = 12345, first_month: str = "2024-01"
) -> Generated:
    """Write `rows` rows as YYYY-MM/YYYY-MM-<force>-street.csv files under `folder`.

    The same arguments give the same files, so a folder kept from an earlier run (--keep) with
    a matching `generated.json` is reused as it is: 10M rows take minutes to write."""
    wanted = dict(rows=rows, forces=forces, seed=seed, first_month=first_month)
    stamp = folder.with_name(folder.name + ".generated.json")  # beside: ingest skips no file
    if stamp.exists():
        saved = json.loads(stamp.read_text())
        if saved.pop("args", None) == wanted and folder.is_dir():
            return Generated(folder=folder, **saved)
        stamp.unlink()  # written first, stamped last: a run cut short leaves no stamp
        shutil.rmtree(folder, ignore_errors=True)  # ours, for other arguments
    rng = np.random.default_rng(seed)
    names = force_names(forces)
    n_months = months_for(rows, forces)
    y, m = int(first_month[:4]), int(first_month[5:7])
    months = [f"{y + (m - 1 + i) // 12:04d}-{(m - 1 + i) % 12 + 1:02d}" for i in range(n_months)]
    # Forces differ in size; files of one force vary a little month to month.
    share = rng.uniform(0.7, 1.3, (forces, 1)) * rng.uniform(0.9, 1.1, (forces, n_months))
    counts = rng.multinomial(rows, (share / share.sum()).ravel()).reshape(forces, n_months)
    gen = Generated(folder, 0, rows, 0, 0, months, 0)
    opts = pacsv.WriteOptions(include_header=False, quoting_style="none")
    for f, force in enumerate(names):
        pool = _pool(rng, force, first_lsoa=1 + f * LSOA_PER_FORCE)
        for j, month in enumerate(months):
            n = int(counts[f, j])
            if n == 0:
                continue
            table = _file_table(rng, pool, month, n)
            path = folder / month / f"{month}-{force}-street.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            with pa.OSFile(str(path), "wb") as out:
                out.write(HEADER.encode())
                pacsv.write_csv(table, out, opts)
            gen.files += 1
            gen.no_location += (
                n - pc.count(table["lon"].filter(pc.not_equal(table["lon"], ""))).as_py()
            )
            gen.asb += pc.sum(pc.equal(table["cat"], ASB)).as_py() or 0
            gen.bytes += path.stat().st_size
    facts = {k: v for k, v in asdict(gen).items() if k != "folder"}
    stamp.write_text(json.dumps({"args": wanted, **facts}))
    return gen
