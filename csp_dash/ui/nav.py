"""The page list: (file in app_pages/, title, icon, url path, least role), in menu order.

Every listed file must exist: a renamed page fails loudly at start-up instead of vanishing.
A page above the visitor's role is not given to st.navigation at all, so its URL leads
nowhere; each page checks the role again for what it draws.
"""

from __future__ import annotations

from pathlib import Path

from csp_dash.access.roles import Role, parse

PAGES_DIR = Path(__file__).resolve().parents[2] / "app_pages"
PAGES = [
    ("overview.py", "Overview", ":material/dashboard:", "overview", "public"),
    ("trends.py", "Crime trends", ":material/trending_up:", "trends", "public"),
    ("hotspots.py", "Estate hotspots", ":material/map:", "hotspots", "public"),
    ("crime_series.py", "Crime series", ":material/scatter_plot:", "crime-series", "partner"),
    ("domestic_abuse.py", "Domestic abuse", ":material/shield_person:", "domestic-abuse",
     "public"),
    ("priorities.py", "Priorities", ":material/format_list_numbered:", "priorities", "public"),
    ("workshop.py", "Workshop", ":material/groups:", "workshop", "partner"),
    ("report.py", "Report", ":material/description:", "report", "partner"),
    ("action_plan.py", "Action plan", ":material/checklist:", "action-plan", "public"),
    ("data.py", "Data", ":material/database:", "data", "analyst"),
    ("admin.py", "Admin", ":material/admin_panel_settings:", "admin", "admin"),
]
# Pages a participant's signed link opens whatever the role (the page checks the token).
TOKEN_PAGES = {"workshop"}


def available_pages(role: str | Role, token: bool = False
                    ) -> list[tuple[Path, str, str, str]]:
    """The pages this role may open (a workshop token adds the workshop page)."""
    missing = [p[0] for p in PAGES if not (PAGES_DIR / p[0]).is_file()]
    if missing:
        raise FileNotFoundError(f"pages listed in csp_dash/ui/nav.py are missing: {missing}")
    role = parse(role)
    return [(PAGES_DIR / f, t, i, u) for f, t, i, u, least in PAGES
            if role >= parse(least) or (token and u in TOKEN_PAGES)]
