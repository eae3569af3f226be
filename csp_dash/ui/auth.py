"""Who is using the app, and what they may do: the only code reading st.user or calling
st.login / st.logout.

The role is decided here, on the server, every run:
- sign-in configured (an ``[auth]`` section in .streamlit/secrets.toml): signed out is public;
  signed in, the role comes from the allowlist (csp_dash.access.allowlist);
- no sign-in, bound to a loopback address (``csp-dash serve`` / ``make run``): single-user
  local mode, the one local user is analyst;
- no sign-in, bound to any other address (or to every address): public only.
URL parameters never grant anything.

For other pages: ``current_role()``, ``current_user()`` (email, name, organisation claim),
``allowed(action)`` and ``require(role_or_action)`` (stops the page with a message).
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from csp_dash import config
from csp_dash.access import allowlist, audit
from csp_dash.access.roles import ACTIONS, Role, can, parse
from csp_dash.ui.state import engine

LOCAL_NOTE = "Single-user local mode: no sign-in. You are the analyst."
PUBLIC_ONLY_NOTE = (
    "Public view only: this server is reachable beyond this computer and no sign-in is "
    "configured. To sign in, add an [auth] section to .streamlit/secrets.toml (see the README, "
    "\"Sign-in and roles\"), or serve on 127.0.0.1 for single-user local use."
)
LOCAL_ACTOR = "local analyst"
ROLE_TTL = 30  # seconds: an admin's change to the allowlist reaches open sessions this soon


@dataclass(frozen=True)
class User:
    email: str | None
    name: str | None
    org: str | None  # the organisation claim (setting org_claim), when the provider sends it
    role: Role
    signed_in: bool
    mode: str  # "sign-in", "local" or "public-only"

    @property
    def actor(self) -> str:
        """How the audit log names this user."""
        if self.email:
            return self.email
        return LOCAL_ACTOR if self.mode == "local" else "public visitor"


def sign_in_configured() -> bool:
    try:
        return "auth" in st.secrets
    except StreamlitSecretNotFoundError:
        return False


def bind_address() -> str:
    return str(st.get_option("server.address") or "")


def is_loopback(address: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost; an empty address binds every interface."""
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def mode() -> str:
    if sign_in_configured():
        return "sign-in"
    return "local" if is_loopback(bind_address()) else "public-only"


def _claims() -> dict:
    try:
        return st.user.to_dict()
    except Exception:  # no run context
        return {}


def _signed_in_role(claims: dict) -> Role:
    email = str(claims.get("email") or "").lower()
    cached = st.session_state.get("_auth_role")
    if cached and cached[0] == email and time.monotonic() - cached[2] < ROLE_TTL:
        return parse(cached[1])
    role = allowlist.role_for(engine(), claims, config.get("admin_email"))
    st.session_state["_auth_role"] = (email, role.label, time.monotonic())
    return role


def current_user() -> User:
    m = mode()
    if m == "local":
        return User(None, None, None, Role.ANALYST, False, m)
    claims = _claims() if m == "sign-in" else {}
    if not claims.get("is_logged_in"):
        return User(None, None, None, Role.PUBLIC, False, m)
    org = claims.get(config.get("org_claim"))
    user = User(
        email=str(claims.get("email") or "") or None,
        name=str(claims.get("name") or "") or None,
        org=str(org) if org else None,
        role=_signed_in_role(claims),
        signed_in=True,
        mode=m,
    )
    if st.session_state.get("_auth_signed_in") != user.email:
        st.session_state["_auth_signed_in"] = user.email
        audit.record(engine(), user.actor, user.role.label, "sign_in",
                     f"signed in as {user.role.label}")
    return user


def current_role() -> Role:
    return current_user().role


def allowed(action: str) -> bool:
    return can(current_role(), action)


def require(what: str | Role) -> None:
    """Stop the page unless the user has this role (or may do this action)."""
    if isinstance(what, Role):
        needed = what
    elif what in ACTIONS:
        needed = ACTIONS[what]
    elif what.upper() in Role.__members__:
        needed = Role[what.upper()]
    else:  # a misspelt requirement is a bug, not a grant
        raise ValueError(f"unknown role or action {what!r}")
    if current_role() >= needed:
        return
    st.warning(f"This needs the {needed.label} role. " + (
        "Sign in with an account that has it." if mode() == "sign-in" else PUBLIC_ONLY_NOTE))
    st.stop()


def record(event: str, detail: str = "") -> None:
    """Write an audit row as the current user."""
    user = current_user()
    audit.record(engine(), user.actor, user.role.label, event, detail)


def record_view(what: str) -> None:
    """Audit a view of restricted material once per session per view (not every rerun)."""
    seen = st.session_state.setdefault("_auth_seen", set())
    if what not in seen:
        seen.add(what)
        record("view_restricted", what)


def account_box() -> None:
    """The sidebar's sign-in state: the local/public-only note, or sign in / sign out."""
    user = current_user()
    with st.sidebar:
        if user.mode == "local":
            st.caption(f":material/person: {LOCAL_NOTE}")
        elif user.mode == "public-only":
            st.caption(f":material/public: {PUBLIC_ONLY_NOTE}")
        elif user.signed_in:
            who = user.name or user.email or "signed in"
            st.caption(f":material/person: {who} · {user.role.label}")
            if st.button("Sign out", key="auth_logout", icon=":material/logout:",
                         type="tertiary"):
                st.session_state.pop("_auth_role", None)
                st.session_state.pop("_auth_signed_in", None)
                st.logout()
        else:
            st.caption(":material/public: Public view")
            if st.button("Sign in", key="auth_login", icon=":material/login:"):
                st.login()


RESTRICTED_MARK = "not for public circulation"  # in every restricted file's stamp


def audited(data, name: str, stamp):
    """Wrap a download's deferred data so a restricted file is audited when it is made.

    The user is taken now, at draw time: the download callable runs outside the script.
    """
    if not any(RESTRICTED_MARK in str(line).lower() for line in stamp):
        return data
    user, eng = current_user(), engine()

    def made():
        audit.record(eng, user.actor, user.role.label, "export_restricted", name)
        return data()

    return made
