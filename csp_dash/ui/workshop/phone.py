"""What a phone in the room needs around the participant's form: tap targets of at least
44 px, the page back at the top after Submit (where the answer and the next candidate are),
and the participant's name and organisation kept across a reload (docs/architecture.md,
"The workshop on phones").

The name and organisation live in a cookie of this browser only: the signed link (t=...)
stays as issued, and nothing in the URL says who is scoring.
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote, unquote

import streamlit as st

from csp_dash.priorities.workshop.submissions import MAX_NAME

COOKIE = "csp_dash_participant"
COOKIE_DAYS = 2

# 48 px leaves a margin over WCAG 2.5.5's 44 px; scoped to the participant's page.
_CSS = """
<style>
.stApp button, .stApp [data-testid="stBaseButton-primaryFormSubmit"] {
  min-height: 48px; min-width: 48px; font-size: 1.05rem;
}
.stApp [role="radiogroup"] { gap: 8px 10px; }
.stApp [data-testid="stRadioOption"] {
  min-height: 48px; min-width: 56px; padding: 0 12px 0 8px; margin: 0;
  border: 1px solid #8a8a8a; border-radius: 8px; display: flex; align-items: center;
}
.stApp [data-baseweb="select"] > div, .stApp input:not([type="radio"]), .stApp textarea {
  min-height: 48px;
}
/* Streamlit's caption grey (#828180) is 3.9:1 on white; this is 6.4:1 (WCAG 2.1 AA). */
.stApp [data-testid="stCaptionContainer"], .stApp [data-testid="stCaptionContainer"] * {
  color: #5c5b59 !important; opacity: 1 !important;
}
[data-testid="stToast"] button { min-height: 44px; min-width: 44px; }
.stApp h1 { font-size: 1.9rem !important; line-height: 1.2 !important; }
.stMainBlockContainer { padding-top: 3.5rem !important; }
.stApp [data-testid="stTooltipIcon"], .stApp [data-testid="stTooltipHoverTarget"] {
  min-height: 44px; min-width: 44px; display: inline-flex; align-items: center;
  justify-content: center;
}
</style>
"""


def tap_targets() -> None:
    st.html(_CSS)


def _script(body: str) -> None:
    # A fresh nonce makes the element new on every call, so the browser runs it again.
    st.html(f"<script>/* {uuid.uuid4().hex} */ {body}</script>", unsafe_allow_javascript=True)


def scroll_to_top() -> None:
    """Back to the top of the page, after the page has redrawn."""
    _script(
        "const up = () => { for (const el of [document.scrollingElement, "
        "...document.querySelectorAll('[data-testid=\"stMain\"], "
        "[data-testid=\"stAppViewContainer\"], section.main')]) { if (el) el.scrollTop = 0; } "
        "window.scrollTo(0, 0); }; up(); setTimeout(up, 80); setTimeout(up, 400);"
    )


def remember(name: str, organisation: str) -> None:
    """Keep who is scoring in this browser, for a reload or a reopened link."""
    value = quote(json.dumps([name, organisation]), safe="")  # only %XX, letters, digits
    _script(
        f"document.cookie = '{COOKIE}={value}; path=/; max-age={COOKIE_DAYS * 86400}; "
        "SameSite=Strict';"
    )


def forget() -> None:
    _script(f"document.cookie = '{COOKIE}=; path=/; max-age=0; SameSite=Strict';")


def remembered() -> tuple[str, str] | None:
    """The name and organisation this browser kept, or None (a bad cookie is ignored)."""
    raw = st.context.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        name, org = json.loads(unquote(raw))
    except (ValueError, TypeError):
        return None
    if not all(isinstance(v, str) for v in (name, org)):
        return None
    name, org = " ".join(name.split()), " ".join(org.split())
    if not name or not org or len(name) > MAX_NAME or len(org) > MAX_NAME:
        return None
    return name, org
