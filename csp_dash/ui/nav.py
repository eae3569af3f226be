"""The page list: (file in app_pages/, title, icon, url path), in menu order.

Every listed file must exist: a renamed page fails loudly at start-up instead of vanishing.
"""

from __future__ import annotations

from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parents[2] / "app_pages"
PAGES = [
    ("overview.py", "Overview", ":material/dashboard:", "overview"),
    ("trends.py", "Crime trends", ":material/trending_up:", "trends"),
    ("hotspots.py", "Estate hotspots", ":material/map:", "hotspots"),
    ("crime_series.py", "Crime series", ":material/scatter_plot:", "crime-series"),
    ("domestic_abuse.py", "Domestic abuse", ":material/shield_person:", "domestic-abuse"),
    ("priorities.py", "Priorities", ":material/format_list_numbered:", "priorities"),
    ("workshop.py", "Workshop", ":material/groups:", "workshop"),
    ("report.py", "Report", ":material/description:", "report"),
    ("data.py", "Data", ":material/database:", "data"),
]


def available_pages() -> list[tuple[Path, str, str, str]]:
    missing = [f for f, *_ in PAGES if not (PAGES_DIR / f).is_file()]
    if missing:
        raise FileNotFoundError(f"pages listed in csp_dash/ui/nav.py are missing: {missing}")
    return [(PAGES_DIR / f, t, i, u) for f, t, i, u in PAGES]
