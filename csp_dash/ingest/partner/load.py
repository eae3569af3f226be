"""Load a partner CSV/XLSX (DA crimes and incidents, referrals, hate, fire ...) into a dataset.

One call is one transaction: the mapping is saved, the records replace what they supersede,
and the dataset's cube rows are rebuilt, or nothing changes at all.

Replacement: a file replaces (a) every earlier version of the same file name in the dataset
and (b) every record of the dataset in the months it covers (first to last month of its
accepted rows), so a cumulative extract and a monthly one both do the right thing. The same
bytes loaded with the same mapping are "unchanged" and touch nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
from sqlalchemy import Connection, Engine, and_, delete, func, insert, or_, select, update

from csp_dash import config
from csp_dash.db.bulk import bulk_insert
from csp_dash.db.cube import LSOA_LAYER, POLICE
from csp_dash.db.schema import areas, cube, layers
from csp_dash.db.schema_partner import (
    partner_datasets,
    partner_files,
    partner_records,
    partner_rejects,
)
from csp_dash.db.version import bump
from csp_dash.disclosure.published import default_sensitive
from csp_dash.ingest.assign import layer_frame
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.guard import refuse_into_demo
from csp_dash.ingest.partner.cube import ESTATE_LAYER, drop_partner_cube, rebuild_partner_cube
from csp_dash.ingest.partner.mapping import PartnerMapping, check_dataset_name
from csp_dash.ingest.partner.read import read_partner_file
from csp_dash.ingest.partner.rows import Lookups, check_secret_given, normalise_name, parse_rows

# The demo's own secret: it pseudonymises synthetic keys only. Never use it for real data.
DEMO_SECRET = "csp-dash-DEMO-ONLY-secret-not-for-real-data"


@dataclass
class PartnerResult:
    dataset: str
    file_name: str
    status: str  # "loaded", "replaced" or "unchanged"
    rows: int = 0
    no_location: int = 0
    rejected: int = 0
    replaced_rows: int = 0  # earlier records this file superseded
    first_month: str = ""
    last_month: str = ""
    rejects: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["row_no", "reason"])
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def saved_mapping(engine_or_conn: Engine | Connection, dataset: str) -> PartnerMapping | None:
    """The mapping saved for a dataset, or None if the dataset is new."""
    stmt = select(partner_datasets.c.mapping).where(partner_datasets.c.dataset == dataset)
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.connect() as conn:
            text = conn.execute(stmt).scalar()
    else:
        text = _value(engine_or_conn, stmt)
    return PartnerMapping.from_json(text) if text else None


def ingest_partner(
    engine: Engine,
    path: str | Path,
    dataset: str,
    mapping: PartnerMapping | None = None,
    *,
    secret: str | None = None,
    data: bytes | None = None,
    file_name: str | None = None,
    sensitive: bool | None = None,
) -> PartnerResult:
    """Load one partner file into ``dataset``; raises IngestError if it is refused whole.

    ``mapping`` is saved for the dataset; without one the saved mapping is reused. ``secret``
    defaults to the ``pseudonym_secret`` setting. ``data``/``file_name`` pass an uploaded file.
    ``sensitive`` marks the dataset for the public release (None: keep the stored flag, or
    for a new dataset decide by its theme and categories, ``disclosure.published``).
    """
    check_dataset_name(dataset)
    name = file_name or str(path)
    refuse_into_demo(engine, name)
    base = Path(name).name
    mapping = mapping or saved_mapping(engine, dataset)
    if mapping is None:
        raise IngestError(
            name,
            f"no mapping is saved for dataset '{dataset}': give one "
            "(--mapping FILE, or choose the columns on the Data page)",
        )
    secret = config.get("pseudonym_secret") if secret is None else secret
    f = read_partner_file(path, data, name)
    check_secret_given(name, mapping, secret)
    with engine.connect() as conn:
        same = conn.execute(
            select(partner_files.c.file_name).where(
                partner_files.c.dataset == dataset,
                partner_files.c.sha256 == f.sha256,
                partner_files.c.mapping_sha256 == mapping.sha256,
            )
        ).first()
    if same is not None:
        return PartnerResult(dataset, base, "unchanged")
    with engine.begin() as conn:
        parsed = parse_rows(f, mapping, _lookups(conn, mapping), secret)
        first, last = parsed.months
        check = secret_check(secret) if mapping.key_column else None
        _check_secret(conn, dataset, check, name)
        cats = set(parsed.rows.column("category").to_pylist()) if parsed.rows.num_rows else set()
        _save_mapping(conn, dataset, mapping, check, sensitive, sorted(cats))
        replaced = _remove_superseded(conn, dataset, base, first, last)
        file_id = (_value(conn, select(func.max(partner_files.c.file_id))) or 0) + 1
        n = parsed.rows.num_rows
        rows = parsed.rows.append_column(
            "dataset", pa.array([dataset] * n, pa.string())
        ).append_column("file_id", pa.array([file_id] * n, pa.int32()))
        bulk_insert(conn, partner_records, rows)
        if len(parsed.rejects):
            conn.execute(
                insert(partner_rejects),
                [
                    {"dataset": dataset, "file_id": file_id, **r}
                    for r in parsed.rejects.to_dict("records")
                ],
            )
        conn.execute(
            insert(partner_files).values(
                file_id=file_id,
                dataset=dataset,
                file_name=base,
                sha256=f.sha256,
                mapping_sha256=mapping.sha256,
                first_month=first,
                last_month=last,
                rows_loaded=n,
                rows_no_location=parsed.n_no_location,
                rows_rejected=len(parsed.rejects),
                loaded_at=_now(),
            )
        )
        rebuild_partner_cube(conn, dataset)
        bump(conn)
    return PartnerResult(
        dataset,
        base,
        "replaced" if replaced else "loaded",
        n,
        parsed.n_no_location,
        len(parsed.rejects),
        replaced,
        f"{first:%Y-%m}",
        f"{last:%Y-%m}",
        parsed.rejects[["row_no", "reason"]],
    )


def _value(conn: Connection, stmt) -> object:
    """First column of the first row, reading the result to its end: DuckDB refuses the next
    bulk load on a connection whose last result was not fully fetched."""
    rows = conn.execute(stmt).all()
    return rows[0][0] if rows else None


def _lookups(conn: Connection, mapping: PartnerMapping) -> Lookups:
    a = areas.c
    codes = set(conn.execute(select(a.code).where(a.layer == LSOA_LAYER)).scalars())
    codes |= set(
        conn.execute(
            select(cube.c.area_code)
            .where(cube.c.source == POLICE, cube.c.layer == LSOA_LAYER)
            .distinct()
        ).scalars()
    )
    estates: dict[str, str] = {}
    for code, name in conn.execute(
        select(a.code, a.name).where(a.layer == ESTATE_LAYER).order_by(a.code.desc())
    ):
        estates[normalise_name(name)] = code  # descending: the lowest code wins a shared name
        estates[normalise_name(code)] = code
    polygons = None
    if mapping.latitude_column and _value(
        conn, select(layers.c.layer).where(layers.c.layer == LSOA_LAYER)
    ):
        polygons = layer_frame(conn, LSOA_LAYER)
    return Lookups(frozenset(codes), estates, polygons)


def secret_check(secret: str) -> str:
    """A fingerprint of the secret (an HMAC of a fixed text) that cannot be turned back into it."""
    return hmac.new(secret.encode(), b"csp-dash secret check", hashlib.sha256).hexdigest()


def _check_secret(conn: Connection, dataset: str, check: str | None, name: str) -> None:
    """Keys hashed under two secrets would never match: refuse a changed secret."""
    old = _value(
        conn, select(partner_datasets.c.secret_check).where(partner_datasets.c.dataset == dataset)
    )
    if check and old and old != check:
        raise IngestError(
            name,
            f"the pseudonym secret differs from the one dataset '{dataset}' "
            "was loaded with, so its victim keys would not link; restore the "
            "secret, or remove the dataset and load every file again",
        )


def _save_mapping(
    conn: Connection, dataset: str, mapping: PartnerMapping, check: str | None,
    sensitive: bool | None = None, categories: list[str] | None = None,
) -> None:
    pd_ = partner_datasets.c
    prior = conn.execute(
        select(pd_.secret_check, pd_.sensitive).where(pd_.dataset == dataset)
    ).first()
    old = prior.secret_check if prior else None
    if sensitive is None:
        sensitive = (
            bool(prior.sensitive) if prior is not None and prior.sensitive is not None
            else default_sensitive(mapping.theme, categories=categories or [])
        )
    conn.execute(delete(partner_datasets).where(partner_datasets.c.dataset == dataset))
    conn.execute(
        insert(partner_datasets).values(
            dataset=dataset,
            theme=mapping.theme,
            unit=mapping.unit,
            mapping=mapping.to_json(),
            secret_check=check or old,
            updated_at=_now(),
            sensitive=bool(sensitive),
        )
    )


def _remove_superseded(conn: Connection, dataset: str, base: str, first, last) -> int:
    """Delete records this file supersedes; tidy the log. Returns the records removed."""
    pr, pf = partner_records.c, partner_files.c
    same_name = select(pf.file_id).where(pf.dataset == dataset, pf.file_name == base)
    where = and_(
        pr.dataset == dataset, or_(pr.file_id.in_(same_name), pr.month.between(first, last))
    )
    n = _value(conn, select(func.count()).select_from(partner_records).where(where))
    if not n:
        return 0
    conn.execute(delete(partner_records).where(where))
    left = dict(
        conn.execute(
            select(pr.file_id, func.count()).where(pr.dataset == dataset).group_by(pr.file_id)
        ).all()
    )
    for file_id in conn.execute(select(pf.file_id).where(pf.dataset == dataset)).scalars().all():
        if file_id in left:
            conn.execute(
                update(partner_files).where(pf.file_id == file_id).values(rows_loaded=left[file_id])
            )
        else:
            conn.execute(delete(partner_rejects).where(partner_rejects.c.file_id == file_id))
            conn.execute(delete(partner_files).where(pf.file_id == file_id))
    return int(n)


def remove_dataset(engine: Engine, dataset: str) -> None:
    """Delete a dataset: its records, rejects, log, mapping and cube rows."""
    with engine.begin() as conn:
        for table in (partner_records, partner_rejects, partner_files, partner_datasets):
            conn.execute(delete(table).where(table.c.dataset == dataset))
        drop_partner_cube(conn, dataset)
        bump(conn)
