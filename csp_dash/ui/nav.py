"""The page list: (file in app_pages/, title, icon, url path). A page shows once its file exists."""

from __future__ import annotations

from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parents[2] / "app_pages"
PAGES = [
    ("overview.py", "Overview", ":material/dashboard:", "overview"),
    ("trends.py", "Crime trends", ":material/trending_up:", "trends"),
    ("hotspots.py", "Estate hotspots", ":material/map:", "hotspots"),
    ("domestic_abuse.py", "Domestic abuse", ":material/shield_person:", "domestic-abuse"),
    ("priorities.py", "Priorities", ":material/format_list_numbered:", "priorities"),
    ("workshop.py", "Workshop", ":material/groups:", "workshop"),
    ("data.py", "Data", ":material/database:", "data"),
]


def available_pages() -> list[tuple[Path, str, str, str]]:
    return [(PAGES_DIR / f, t, i, u) for f, t, i, u in PAGES if (PAGES_DIR / f).exists()]
