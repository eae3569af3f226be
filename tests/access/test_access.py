"""The access package: role ladder, allowlist, workshop tokens, audit log (DuckDB and
PostgreSQL through the `engine` fixture), and the page list per role."""

from __future__ import annotations

import pytest

from csp_dash.access import allowlist, audit, tokens
from csp_dash.access.roles import ACTIONS, Role, can, parse
from csp_dash.db.engine import init_db
from csp_dash.ui.nav import PAGES, available_pages


def test_roles_are_ordered_and_each_a_superset():
    assert Role.PUBLIC < Role.PARTNER < Role.ANALYST < Role.ADMIN
    for action in ACTIONS:
        allowed = [can(r, action) for r in Role]
        assert allowed == sorted(allowed)  # once allowed, allowed for every higher role
    assert not can("public", "view_appendices") and can("partner", "view_appendices")
    assert not can("partner", "view_da_analyst") and can("analyst", "view_da_analyst")
    assert not can("analyst", "view_audit") and can("admin", "view_audit")


def test_unknown_roles_and_actions_fail_closed():
    assert parse("superuser") == Role.PUBLIC and parse(None) == Role.PUBLIC
    assert not can("admin", "no_such_action")


def test_page_list_follows_the_role():
    urls = {r.label: [u for *_, u in available_pages(r)] for r in Role}
    assert urls["public"] == ["overview", "trends", "hotspots", "domestic-abuse", "priorities",
                              "action-plan"]  # the plan's public summary
    assert "workshop" in urls["partner"] and "data" not in urls["partner"]
    assert "data" in urls["analyst"] and "admin" not in urls["analyst"]
    assert len(urls["admin"]) == len(PAGES)
    token_urls = [u for *_, u in available_pages("public", token=True)]
    assert "workshop" in token_urls and "data" not in token_urls


SECRET = "k" * 32


def test_a_valid_token_names_its_workshop():
    t = tokens.make_token(SECRET, "abc123", 2_000)
    assert tokens.verify(SECRET, t, now=1_000) == "abc123"
    assert tokens.verify(SECRET, t, "abc123", now=1_000) == "abc123"


@pytest.mark.parametrize("case,message", [
    ("forged signature", "not valid"),
    ("other workshop in the token", "not valid"),
    ("longer expiry", "not valid"),
    ("other secret", "not valid"),
    ("garbage", "not valid"),
    ("expired", "expired"),
    ("other workshop's link", "different workshop"),
])
def test_bad_tokens_are_refused_with_a_clear_message(case, message):
    good = tokens.make_token(SECRET, "abc123", 2_000)
    wid, exp, sig = good.split(".")
    token, expected_wid, now = good, None, 1_000
    if case == "forged signature":
        token = f"{wid}.{exp}.{'A' * len(sig)}"
    elif case == "other workshop in the token":
        token = f"def456.{exp}.{sig}"
    elif case == "longer expiry":
        token = f"{wid}.9999999999.{sig}"
    elif case == "other secret":
        token = tokens.make_token("x" * 32, "abc123", 2_000)
    elif case == "garbage":
        token = "<script>"
    elif case == "expired":
        now = 2_000
    elif case == "other workshop's link":
        expected_wid = "def456"
    with pytest.raises(tokens.TokenRefused, match=message):
        tokens.verify(SECRET, token, expected_wid, now=now)


def test_the_signature_is_hmac_sha256_of_id_and_expiry():
    import base64
    import hashlib
    import hmac

    mac = hmac.new(SECRET.encode(), b"workshop:abc123:2000", hashlib.sha256).digest()
    want = base64.urlsafe_b64encode(mac).decode().rstrip("=")
    assert tokens.make_token(SECRET, "abc123", 2_000) == f"abc123.2000.{want}"


def test_no_secret_no_token():
    with pytest.raises(ValueError, match="CSP_DASH_WORKSHOP_SECRET"):
        tokens.make_token("", "abc123", 2_000)
    with pytest.raises(tokens.TokenRefused):
        tokens.verify("", "abc123.2000.x")


def test_allowlist_email_claims_and_bootstrap_admin(engine):
    init_db(engine)
    assert allowlist.role_for(engine, {"email": "a@x.gov.uk"}) == Role.PUBLIC
    allowlist.set_role(engine, "email", " A@X.gov.uk ", "partner", "admin@x")
    allowlist.set_role(engine, "claim", "roles=CSP.Analyst", "analyst", "admin@x")
    assert allowlist.role_for(engine, {"email": "a@x.gov.uk"}) == Role.PARTNER
    both = {"email": "a@x.gov.uk", "roles": ["Other", "CSP.Analyst"]}
    assert allowlist.role_for(engine, both) == Role.ANALYST  # the highest wins
    assert allowlist.role_for(engine, {"roles": "CSP.Analyst"}) == Role.ANALYST
    assert allowlist.role_for(engine, {"email": "boss@x"}, "Boss@X") == Role.ADMIN
    allowlist.set_role(engine, "email", "a@x.gov.uk", "admin", "admin@x")  # a change
    assert len(allowlist.entries(engine)) == 2
    assert allowlist.role_for(engine, {"email": "a@x.gov.uk"}) == Role.ADMIN
    assert allowlist.remove(engine, "email", "a@x.gov.uk")
    assert allowlist.role_for(engine, {"email": "a@x.gov.uk"}) == Role.PUBLIC
    for kind, subject, role in [("email", "not-an-email", "partner"),
                                ("claim", "roles", "partner"),
                                ("email", "a@x", "public"), ("email", "a@x", "root")]:
        with pytest.raises(ValueError):
            allowlist.set_role(engine, kind, subject, role, "admin@x")


def test_audit_log_records_every_kind_of_event(engine):
    init_db(engine)
    for event in audit.EVENTS:
        audit.record(engine, "ann@council.example", "analyst", event, f"detail of {event}")
    log = audit.entries(engine)
    assert set(log["event"]) == set(audit.EVENTS) and len(log) == len(audit.EVENTS)
    assert (log["actor"] == "ann@council.example").all() and log["at"].notna().all()
    assert log["at"].is_monotonic_decreasing or log["at"].nunique() < len(log)
    with pytest.raises(ValueError, match="unknown audit event"):
        audit.record(engine, "x", "admin", "made_up")


def test_local_secret_is_made_once(engine):
    init_db(engine)
    first = tokens.local_secret(engine)
    assert len(first) >= 32 and tokens.local_secret(engine) == first
