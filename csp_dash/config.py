"""Settings in one place: each has a default, an environment variable and a help text."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CSP_DASH_DATA_DIR", PROJECT_ROOT / "data"))
DEFAULT_DB_URL = f"duckdb:///{DATA_DIR / 'csp_dash.duckdb'}"  # the partnership's own data
DEMO_DB_URL = f"duckdb:///{DATA_DIR / 'demo.duckdb'}"  # the synthetic demo, never mixed with it
ACTIVE_FILE = DATA_DIR / "active_database"  # "own" or "demo": which one the app and CLI use
OWN, DEMO = "own", "demo"


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str


SETTINGS = {
    s.name: s
    for s in [
        Setting("db_url", "CSP_DASH_DB_URL", DEFAULT_DB_URL,
                "SQLAlchemy URL of the database (DuckDB file by default; postgresql+psycopg://... to share)"),
        Setting("db_read_url", "CSP_DASH_DB_READ_URL", "",
                "Optional SQLAlchemy URL of a read-only copy of the database (a PostgreSQL "
                "streaming replica): pages read the cube from it; every write, and reads of what "
                "a page has just edited, stay on the database of CSP_DASH_DB_URL"),
        Setting("disclosure_threshold", "CSP_DASH_DISCLOSURE_THRESHOLD", "5",
                "Counts below this are suppressed in public views for sensitive themes"),
        Setting("disclosure_label", "CSP_DASH_DISCLOSURE_LABEL", "<{threshold} or suppressed",
                "How a suppressed cell reads; {threshold} is filled in. True of primary and "
                "complementary cells alike, so it reveals neither"),
        Setting("cache_ttl", "CSP_DASH_CACHE_TTL", "600",
                "Seconds a page keeps a cached query before asking the database again"),
        Setting("cache_entries", "CSP_DASH_CACHE_ENTRIES", "64",
                "Most results each cached query keeps, least recently used dropped first: "
                "every period, area and theme a room of visitors picks is kept until the "
                "cache's time runs out, so this bounds the app's memory"),
        Setting("pseudonym_secret", "CSP_DASH_PSEUDONYM_SECRET", "",
                "Secret for the keyed hash that pseudonymises partner victim keys"),
        Setting("police_api_url", "CSP_DASH_POLICE_API_URL", "https://data.police.uk/api",
                "Base address of the police.uk API (a mirror or a test server can stand in)"),
        Setting("police_archive_url", "CSP_DASH_POLICE_ARCHIVE_URL",
                "https://data.police.uk/data/archive",
                "Base address of the police.uk monthly archives (YYYY-MM.zip under it)"),
        Setting("police_cache_dir", "CSP_DASH_POLICE_CACHE_DIR", str(DATA_DIR / "police_uk"),
                "Folder where downloaded police.uk archives are kept (resumable, checksummed)"),
        # Input limits (issue 12): checked before a file is read, on the CLI and the Data page.
        Setting("max_file_mb", "CSP_DASH_MAX_FILE_MB", "64",
                "Largest police.uk CSV accepted, in MB, on disk or inside a zip (the largest "
                "force-month, the Met's, is about 25 MB)"),
        Setting("max_zip_ratio", "CSP_DASH_MAX_ZIP_RATIO", "100",
                "Largest compression ratio of a zip member; police.uk CSVs deflate about 5-10 "
                "times, a zip bomb thousands of times"),
        # Sign-in and roles (issue 13). Sign-in itself is Streamlit's [auth] in secrets.toml.
        Setting("admin_email", "CSP_DASH_ADMIN_EMAIL", "",
                "Bootstrap admin: this signed-in email is admin even before the allowlist "
                "names anyone"),
        Setting("org_claim", "CSP_DASH_ORG_CLAIM", "org",
                "The ID-token claim naming the user's organisation, if the provider sends one"),
        Setting("workshop_secret", "CSP_DASH_WORKSHOP_SECRET", "",
                "Secret that signs workshop participant links (HMAC); changing it voids "
                "every link given out"),
        Setting("workshop_link_hours", "CSP_DASH_WORKSHOP_LINK_HOURS", "12",
                "How long a workshop participant link works, in hours (and never after "
                "the workshop closes)"),
        Setting("public_url", "CSP_DASH_PUBLIC_URL", "",
                "The address partners reach the dashboard at (e.g. https://csp.example.gov.uk); "
                "participant links and QR codes are built from it"),
        Setting("check_charts", "CSP_DASH_CHECK_CHARTS", "",
                "1: check every chart drawn against the Vega-Lite schema (the tests set it; "
                "it costs a fifth of a Crime trends rerun, so a served app skips it)"),
        Setting("held_count_rows", "CSP_DASH_HELD_COUNT_ROWS", "250000",
                "Hotspots hold a layer's cube rows in memory (about 25 bytes a row) when it has "
                "at most this many, and sum each period there; a larger layer (a national "
                "load without a district) is read from the database for each period"),
        Setting("freeze_gc", "CSP_DASH_FREEZE_GC", "1",
                "1: once the pages' libraries are imported, keep what is alive then out of "
                "the garbage collector's scans (gc.freeze); Streamlit collects after every "
                "run, and scanning the libraries' objects cost about 90 ms of each"),
        Setting("max_field_chars", "CSP_DASH_MAX_FIELD_CHARS", "1000",
                "Longest text field of a police.uk row; a longer one makes the row a reject"),
    ]
}


def _secrets() -> dict:
    """Read .streamlit/secrets.toml if present (Streamlit's own convention)."""
    path = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def get(name: str) -> str:
    """Resolve a setting: environment first, then secrets.toml, then the default."""
    s = SETTINGS[name]
    if os.environ.get(s.env):
        return os.environ[s.env]
    secret = _secrets().get(name)
    return str(secret) if secret else s.default


def explicit_db_url() -> str | None:
    """A database named in the environment or secrets.toml (a shared deployment), if any."""
    s = SETTINGS["db_url"]
    return os.environ.get(s.env) or (str(_secrets().get("db_url") or "") or None)


def active_choice() -> str:
    """"own" once the user has started their own data, else "demo" (a fresh install)."""
    try:
        return OWN if ACTIVE_FILE.read_text().strip() == OWN else DEMO
    except OSError:
        return DEMO


def set_active_choice(choice: str) -> None:
    if choice not in (OWN, DEMO):
        raise ValueError("choose 'own' or 'demo'")
    ACTIVE_FILE.parent.mkdir(parents=True, exist_ok=True)
    ACTIVE_FILE.write_text(choice + "\n")


def db_url(override: str | None = None) -> str:
    """The database to use: --db, else an explicit setting, else the demo or own file chosen."""
    if override:
        return override
    explicit = explicit_db_url()
    if explicit:
        return explicit
    return DEFAULT_DB_URL if active_choice() == OWN else DEMO_DB_URL


def check_charts() -> bool:
    """Whether each chart drawn is checked against the Vega-Lite schema (tests)."""
    return get("check_charts") == "1"


def held_count_rows() -> int:
    """Largest layer (cube rows) that Hotspots hold in memory (hotspots/layer_counts.py)."""
    return int(get("held_count_rows"))


def freeze_gc() -> bool:
    """Whether a served app freezes its long-lived objects after the warm-up (ui/state.py)."""
    return get("freeze_gc") == "1"


def cache_entries() -> int:
    """Most results each cached query keeps (ui/cache.py)."""
    return int(get("cache_entries"))


def cache_ttl() -> int:
    """Seconds Streamlit caches a query (st.cache_data ttl)."""
    return int(get("cache_ttl"))
