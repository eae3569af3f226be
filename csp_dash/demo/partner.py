"""Synthetic partner data for the demo district, written as CSV/XLSX and loaded by the real ingest.

- ``police_da`` (CSV): police domestic abuse crimes and non-crime incidents with a victim key,
  repeat victims, summer and Christmas peaks, and a recording-practice change that steps the
  level up (non-crime incidents flagged from then on). The 12 months after the change are
  declared the baselining year; the last months run higher (a special cause to find).
- ``da_referrals`` (XLSX): referrals to DA support services, located by estate name.
- ``hate_incidents`` (CSV, LSOA codes) and ``fire_incidents`` (CSV, coordinates): small.

All keys are pseudonymised with ``DEMO_SECRET``, a fixed secret that is only for this
synthetic demo (labelled so on screen); real data needs CSP_DASH_PSEUDONYM_SECRET.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from csp_dash import events
from csp_dash.db.schema import areas, crimes
from csp_dash.demo.police import DemoFiles
from csp_dash.ingest.partner.load import DEMO_SECRET, ingest_partner
from csp_dash.ingest.partner.mapping import VIOLENCE, PartnerMapping

SEED = 5150
SCOPE = "Domestic abuse"
CHANGE_MONTHS_BEFORE_END = 29  # 2024-04 for the default demo ending 2026-09
CHANGE_LABEL = "DA recording practice change: non-crime incidents flagged (synthetic)"
LATE_RISE = (7, 1.12)  # the last 7 months run 12% higher: undeclared, so SPC should flag it
OVERDISPERSION = 150.0
# (monthly mean before the change, multiplier from the change, police.uk category or None)
DA_CATEGORIES = {
    "Violence with injury": (52.0, 1.05, VIOLENCE),
    "Violence without injury": (70.0, 1.08, VIOLENCE),
    "Stalking and harassment": (44.0, 1.10, VIOLENCE),
    "Sexual offences": (9.0, 1.0, VIOLENCE),
    "Criminal damage": (13.0, 1.0, "Criminal damage and arson"),
    "Other crime": (8.0, 1.0, "Other crime"),
    "Non-crime incident": (38.0, 2.4, None),
}
LINK_SHARE = 0.30  # share of records that belong to a victim seen in the previous year
UNKEYED_SHARE = 0.04
REFERRAL_SERVICES = {"IDVA service": 20.0, "MARAC": 9.0, "Refuge": 4.0, "Community outreach": 14.0}
HATE_STRANDS = {
    "Race": 14.0,
    "Religion": 3.0,
    "Sexual orientation": 4.0,
    "Disability": 2.5,
    "Transgender": 1.0,
}
FIRE_TYPES = {
    "Deliberate secondary fire": (22.0, 0.45, 4.5),
    "Deliberate primary fire": (6.0, 0.2, 5.0),
    "Accidental dwelling fire": (9.0, 0.12, 12.0),
    "Other fire": (5.0, 0.1, 7.0),
}


def _months(files: DemoFiles) -> pd.DatetimeIndex:
    """Every month of the demo span (partner data has no gap in police.uk's missing month)."""
    return pd.date_range(f"{files.months[0]}-01", f"{files.months[-1]}-01", freq="MS")


def _season(month: pd.Timestamp, summer: float = 0.12, christmas: float = 0.18) -> float:
    """DA peaks: summer (July) and the Christmas/New Year fortnight (December)."""
    return (1 + summer * np.cos(2 * np.pi * (month.month - 7) / 12)) * (
        1 + christmas * (month.month == 12)
    )


def _count(rng: np.random.Generator, lam: float) -> int:
    return int(rng.poisson(lam * rng.gamma(OVERDISPERSION, 1 / OVERDISPERSION)))


def _days(rng: np.random.Generator, month: pd.Timestamp, n: int) -> pd.DatetimeIndex:
    return month + pd.to_timedelta(rng.integers(0, month.days_in_month, n), unit="D")


def _victims(rng: np.random.Generator, days: pd.Series) -> np.ndarray:
    """A victim key per record: some records return to the victim of an earlier record from
    the previous 330 days (victims with several records are likelier to return again)."""
    order = np.argsort(days.to_numpy(), kind="stable")
    d = days.to_numpy()[order]
    lo = np.searchsorted(d, d - np.timedelta64(330, "D"), side="left")
    hi = np.searchsorted(d, d, side="left")  # earlier days only: no same-day links
    link = rng.random(len(d)) < LINK_SHARE
    pick = rng.random(len(d))
    keys = np.empty(len(d), dtype=object)
    next_id = 1
    for j in range(len(d)):
        if link[j] and lo[j] < hi[j]:
            keys[j] = keys[lo[j] + int(pick[j] * (hi[j] - lo[j]))]
        else:
            keys[j], next_id = f"DV{next_id:06d}", next_id + 1
    out = np.empty(len(d), dtype=object)
    out[order] = keys
    out[rng.random(len(out)) < UNKEYED_SHARE] = ""
    return out


def _police_repeat_flag(rng: np.random.Generator, days: pd.Series, keys: np.ndarray) -> np.ndarray:
    """The force's own repeat flag: a prior record within 12 months, recorded 90% faithfully."""
    df = pd.DataFrame({"k": keys, "d": days.to_numpy()}).sort_values("d", kind="stable")
    gap = df.groupby("k")["d"].diff().dt.days
    flag = (gap <= 365) & (df["k"] != "")
    flag = flag.reindex(range(len(keys))).to_numpy()
    noise = rng.random(len(keys)) < 0.10
    return np.where(flag ^ noise, "Y", "N")


def _points(engine: Engine) -> pd.DataFrame:
    """police.uk violence locations: DA follows where violence is recorded."""
    with engine.connect() as conn:
        return pd.read_sql(
            select(crimes.c.longitude, crimes.c.latitude, crimes.c.lsoa_code)
            .where(crimes.c.category == VIOLENCE, crimes.c.longitude.is_not(None))
            .order_by(crimes.c.month, crimes.c.row_no),
            conn,
        )


def _place(
    rng: np.random.Generator, pts: pd.DataFrame, n: int, lsoa_only: float, none: float
) -> pd.DataFrame:
    """Latitude/Longitude near a violence location, or only its LSOA code, or nothing."""
    pick = pts.iloc[rng.integers(0, len(pts), n)].reset_index(drop=True)
    jitter = rng.normal(0, 0.0003, (n, 2))
    lon = (pick["longitude"] + jitter[:, 0]).map("{:.6f}".format)
    lat = (pick["latitude"] + jitter[:, 1]).map("{:.6f}".format)
    u = rng.random(n)
    coords = u >= lsoa_only + none
    return pd.DataFrame(
        {
            "Latitude": lat.where(coords, ""),
            "Longitude": lon.where(coords, ""),
            "LSOA code": pick["lsoa_code"].where(u >= none, "").fillna(""),
        }
    )


def da_records(
    rng: np.random.Generator, months: pd.DatetimeIndex, pts: pd.DataFrame
) -> pd.DataFrame:
    """The police DA extract: crimes and non-crime incidents, one row per record."""
    change = months[-1 - CHANGE_MONTHS_BEFORE_END]
    parts = []
    for i, month in enumerate(months):
        ago = len(months) - 1 - i
        for cat, (mean, step, _) in DA_CATEGORIES.items():
            lam = mean * _season(month) * (1.015 ** (-ago / 12)) * (step if month >= change else 1)
            lam *= LATE_RISE[1] if ago < LATE_RISE[0] else 1
            n = _count(rng, lam)
            parts.append(pd.DataFrame({"day": _days(rng, month, n), "Offence group": cat}))
    df = pd.concat(parts, ignore_index=True)
    df["Victim ID"] = _victims(rng, df["day"])
    df["Repeat victim"] = _police_repeat_flag(rng, df["day"], df["Victim ID"].to_numpy())
    df["Alcohol involved"] = np.where(rng.random(len(df)) < 0.28, "Y", "N")
    df["Crime or incident"] = np.where(
        df["Offence group"] == "Non-crime incident", "Incident", "Crime"
    )
    df["Crime reference"] = [f"42/{100000 + i}/{d:%y}" for i, d in enumerate(df["day"])]
    df = pd.concat([df, _place(rng, pts, len(df), 0.10, 0.03)], axis=1)
    df = df.sort_values("day", kind="stable").reset_index(drop=True)
    df["Date recorded"] = df.pop("day").dt.strftime("%d/%m/%Y")
    # Two faulty rows, as real extracts have: they go to the rejects with a reason.
    df.loc[len(df) // 3, "Date recorded"] = "31/11/2023"
    df.loc[len(df) // 2, ["LSOA code", "Latitude", "Longitude"]] = ["E01000000", "", ""]
    return df[
        [
            "Crime reference",
            "Date recorded",
            "Offence group",
            "Crime or incident",
            "Latitude",
            "Longitude",
            "LSOA code",
            "Victim ID",
            "Repeat victim",
            "Alcohol involved",
        ]
    ]


def referrals(
    rng: np.random.Generator, months: pd.DatetimeIndex, estates: list[str]
) -> pd.DataFrame:
    rows = []
    for month in months:
        for service, mean in REFERRAL_SERVICES.items():
            for day in _days(rng, month, _count(rng, mean * _season(month, 0.08, 0.1))):
                rows.append({"Referral date": day.to_pydatetime(), "Referred to": service})
    df = pd.DataFrame(rows)
    pick = rng.integers(0, len(estates), len(df))
    est = np.array(estates, dtype=object)[pick]
    est = np.where(rng.random(len(df)) < 0.5, est, "")  # half give no estate
    low = rng.random(len(df)) < 0.1
    est[low] = [e.upper() for e in est[low]]  # spelling as typed; matching ignores case
    df["Estate"] = est
    df["Client ID"] = [f"C{int(x):05d}" for x in rng.integers(1, 3000, len(df))]
    df["Referral source"] = rng.choice(["Police", "Health", "Self", "Housing"], len(df))
    df.loc[len(df) // 2, "Estate"] = "Nowhere Estate"  # an unknown estate: one reject
    return df


def hate_incidents(
    rng: np.random.Generator, months: pd.DatetimeIndex, pts: pd.DataFrame
) -> pd.DataFrame:
    rows = []
    for month in months:
        for strand, mean in HATE_STRANDS.items():
            for day in _days(rng, month, _count(rng, mean * _season(month, 0.1, 0.0))):
                rows.append({"Date": f"{day:%Y-%m-%d}", "Hate strand": strand})
    df = pd.DataFrame(rows)
    place = _place(rng, pts, len(df), 1.0, 0.02)
    return df.assign(**{"LSOA code": place["LSOA code"]})


def fire_incidents(
    rng: np.random.Generator, months: pd.DatetimeIndex, pts: pd.DataFrame
) -> pd.DataFrame:
    rows = []
    for month in months:
        for kind, (mean, amp, peak) in FIRE_TYPES.items():
            lam = mean * (1 + amp * np.cos(2 * np.pi * (month.month - peak) / 12))
            for day in _days(rng, month, _count(rng, lam)):
                t = f"{int(rng.integers(0, 24)):02d}:{int(rng.integers(0, 60)):02d}:00"
                rows.append({"Call time": f"{day:%Y-%m-%d} {t}", "Incident type": kind})
    df = pd.DataFrame(rows)
    return pd.concat([df, _place(rng, pts, len(df), 0.0, 0.0)[["Latitude", "Longitude"]]], axis=1)


MAPPINGS = {
    "police_da": PartnerMapping(
        theme="Domestic abuse",
        date_column="Date recorded",
        date_format="DD/MM/YYYY",
        category_column="Offence group",
        latitude_column="Latitude",
        longitude_column="Longitude",
        lsoa_column="LSOA code",
        key_column="Victim ID",
        flags={"repeat": "Repeat victim", "alcohol": "Alcohol involved"},
        police_categories={k: v[2] for k, v in DA_CATEGORIES.items() if v[2]},
    ),
    "da_referrals": PartnerMapping(
        theme="Domestic abuse",
        unit="referrals",
        date_column="Referral date",
        category_column="Referred to",
        estate_column="Estate",
        key_column="Client ID",
    ),
    "hate_incidents": PartnerMapping(
        theme="Hate", date_column="Date", category_column="Hate strand", lsoa_column="LSOA code"
    ),
    "fire_incidents": PartnerMapping(
        theme="Fire",
        date_column="Call time",
        date_format="YYYY-MM-DD HH:MM:SS",
        category_column="Incident type",
        latitude_column="Latitude",
        longitude_column="Longitude",
    ),
}


def write_partner_files(
    folder: Path, months: pd.DatetimeIndex, pts: pd.DataFrame, estates: list[str]
) -> dict[str, Path]:
    """Write the four datasets and their mapping JSON files; returns dataset -> data file."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = {
        "police_da": da_records(np.random.default_rng([SEED, 1]), months, pts),
        "da_referrals": referrals(np.random.default_rng([SEED, 2]), months, estates),
        "hate_incidents": hate_incidents(np.random.default_rng([SEED, 3]), months, pts),
        "fire_incidents": fire_incidents(np.random.default_rng([SEED, 4]), months, pts),
    }
    paths = {}
    for name, df in frames.items():
        path = folder / (f"{name}.xlsx" if name == "da_referrals" else f"{name}.csv")
        if path.suffix == ".xlsx":
            df.to_excel(path, index=False, sheet_name="Referrals")
        else:
            df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        (folder / f"{name}.mapping.json").write_text(MAPPINGS[name].to_json(), encoding="utf-8")
        paths[name] = path
    return paths


def declare_baseline(engine: Engine, months: pd.DatetimeIndex) -> None:
    """The demo's recording change and baselining year (declared once, kept on re-runs)."""
    change = months[-1 - CHANGE_MONTHS_BEFORE_END].date()
    if not any(events.list_events(engine, [SCOPE])["label"] == CHANGE_LABEL):
        events.add_event(engine, change, CHANGE_LABEL, scope=SCOPE, kind="recording change")
    if events.get_baseline(engine, SCOPE) is None:
        end = (pd.Timestamp(change) + pd.DateOffset(months=11)).date()
        events.set_baseline(
            engine,
            SCOPE,
            change,
            end,
            note="Baselining year after the recording change (synthetic demo)",
        )


def load(engine: Engine, files: DemoFiles) -> None:
    """Write the demo's partner files under files.root/partner and load them."""
    months = _months(files)
    with engine.connect() as conn:
        estates = list(
            conn.execute(
                select(areas.c.name).where(areas.c.layer == "estate").order_by(areas.c.code)
            ).scalars()
        )
    paths = write_partner_files(Path(files.root) / "partner", months, _points(engine), estates)
    for name, path in paths.items():
        ingest_partner(engine, path, name, MAPPINGS[name], secret=DEMO_SECRET)
    declare_baseline(engine, months)


