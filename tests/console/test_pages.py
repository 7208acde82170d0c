"""The console without a browser: sessions, CSRF, navigation by role, users, tokens,
markets, languages and error pages, through the real app on the test's transaction."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.auth import queries
from opencsp.auth.models import ApiToken, ConsoleSession, User
from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from tests.factories import PASSWORD, Member, member, organization

HTML = {"Accept": "text/html"}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD, **extra: str):
    page = client.get("/login", headers=HTML)
    data = {"csrf_token": csrf_of(page.text), "email": email, "password": password, **extra}
    return client.post("/login", data=data, headers=HTML, follow_redirects=False)


def signed_in(client: TestClient, session: Session, **kwargs) -> tuple[Member, str]:
    """A committed member, signed in; returns it with the session's CSRF token."""
    m = member(session, **kwargs)
    session.commit()
    assert sign_in(client, m.user.email).status_code == 303
    return m, csrf_of(client.get("/", headers=HTML).text)


def count(session: Session, model: type, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


# --- sessions ----------------------------------------------------------------------------


def test_a_page_without_a_session_redirects_to_login_with_next(client):
    r = client.get("/users?x=1", headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/users%3Fx%3D1"


def test_login_opens_a_session_and_returns_to_next(client, session):
    m = member(session)
    session.commit()
    r = sign_in(client, m.user.email, next="/tokens")
    assert r.status_code == 303
    assert r.headers["location"] == "/tokens"
    cookie = r.headers["set-cookie"].lower()
    assert "opencsp_session=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert count(session, ConsoleSession, ConsoleSession.user_id == m.user.id) == 1
    home = client.get("/", headers=HTML)
    assert home.status_code == 200
    assert m.org.name in home.text


def test_the_session_cookie_is_secure_when_configured(client, session, configure):
    configure(cookie_secure=True)
    m = member(session)
    session.commit()
    r = sign_in(client, m.user.email)
    assert "secure" in r.headers["set-cookie"].lower()


@pytest.mark.parametrize("case", ["wrong password", "unknown email", "inactive user"])
def test_a_failed_login_says_the_same_thing_whatever_was_wrong(client, session, case):
    m = member(session)
    m.user.is_active = case != "inactive user"
    session.commit()
    email = "nobody@example.test" if case == "unknown email" else m.user.email
    password = "not the password" if case == "wrong password" else PASSWORD
    r = sign_in(client, email, password)
    assert r.status_code == 401
    assert "Invalid email or password." in r.text
    assert "opencsp_session" not in r.headers.get("set-cookie", "")
    assert count(session, ConsoleSession) == 0


def test_login_without_the_double_submit_token_is_refused(client, session):
    m = member(session)
    session.commit()
    client.get("/login", headers=HTML)  # sets the cookie; the field is missing below
    r = client.post("/login", data={"email": m.user.email, "password": PASSWORD}, headers=HTML)
    assert r.status_code == 403
    assert count(session, ConsoleSession) == 0
    other = TestClient(client.app)  # a field without the matching cookie
    r = other.post(
        "/login",
        data={"csrf_token": "forged", "email": m.user.email, "password": PASSWORD},
        headers=HTML,
    )
    assert r.status_code == 403
    assert count(session, ConsoleSession) == 0


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_login_never_redirects_off_site(client, session, target):
    m = member(session)
    session.commit()
    r = sign_in(client, m.user.email, next=target)
    assert r.status_code == 303
    assert r.headers["location"] == "/"


def test_logout_ends_the_server_side_session(client, session):
    m, csrf = signed_in(client, session)
    secret = client.cookies.get("opencsp_session")
    r = client.post("/logout", data={"csrf_token": csrf}, headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")
    assert count(session, ConsoleSession, ConsoleSession.user_id == m.user.id) == 0
    client.cookies.set("opencsp_session", secret)  # replaying the old cookie gets nowhere
    assert client.get("/", headers=HTML, follow_redirects=False).status_code == 303


# --- CSRF --------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
def test_a_post_without_the_session_token_changes_nothing(client, session, token):
    _m, _ = signed_in(client, session)
    form = {
        "email": "new.user@example.test",
        "display_name": "New User",
        "password": "a good long password",
        "roles": "admin_agent",
    }
    if token is not None:
        form["csrf_token"] = token
    r = client.post("/users", data=form, headers=HTML)
    assert r.status_code == 403
    assert count(session, User, User.email == "new.user@example.test") == 0
    r = client.post(
        "/tokens", data={"name": "sneaky", **({} if token is None else {"csrf_token": token})}
    )
    assert r.status_code == 403
    assert count(session, ApiToken, ApiToken.name == "sneaky") == 0


def test_htmx_sends_the_token_as_a_header(client, session):
    m, csrf = signed_in(client, session)
    other = member(session, m.org)
    session.commit()
    r = client.post(
        f"/users/{other.user.id}/deactivate",
        headers={"HX-Request": "true", "X-CSRF-Token": csrf},
    )
    assert r.status_code == 200
    assert r.text.lstrip().startswith(f'<tr id="user-{other.user.id}"')
    assert "Inactive" in r.text
    session.expire_all()
    assert session.get(User, other.user.id).is_active is False


# --- navigation by role ------------------------------------------------------------------


def nav_areas(html: str) -> set[str]:
    nav = html.split('<nav class="sidebar"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'data-area="([a-z]+)"', nav))


def test_navigation_follows_roles(client, session):
    signed_in(client, session, tier=Tier.INDIRECT_RESELLER)
    admin = nav_areas(client.get("/", headers=HTML).text)
    assert admin == {
        "home",
        "inbox",
        "profile",
        "partnerships",
        "customers",
        "markets",
        "catalog",
        "users",
        "audit",
        "tokens",
        "invoices",
        "revenue",
        "directbill",
        "qualifications",
    }

    helpdesk = TestClient(client.app)
    signed_in(helpdesk, session, roles=(Role.HELPDESK_AGENT,))
    areas = nav_areas(helpdesk.get("/", headers=HTML).text)
    assert areas == {
        "home",
        "inbox",
        "profile",
        "customers",
        "markets",
        "catalog",
        "tokens",
        "invoices",  # Partner Center's helpdesk agents read billing (auth.rules)
        "revenue",
    }

    billing = TestClient(client.app)
    signed_in(billing, session, tier=Tier.VENDOR, roles=(Role.BILLING_OPERATOR,))
    assert "users" not in nav_areas(billing.get("/", headers=HTML).text)


def test_every_menu_entry_opens_a_page(client, session):
    signed_in(client, session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))
    for area in nav_areas(client.get("/", headers=HTML).text):
        href = "/" if area == "home" else f"/{area}"
        assert client.get(href, headers=HTML).status_code == 200, area


def test_audit_log_lists_the_organizations_changes(client, session):
    _, csrf = signed_in(client, session)
    client.post("/tokens", data={"name": "audited", "csrf_token": csrf}, headers=HTML)
    page = client.get("/audit", headers=HTML)
    assert page.status_code == 200
    assert "create_application_credential" in page.text


def test_audit_log_needs_the_permission(client, session):
    signed_in(client, session, roles=(Role.HELPDESK_AGENT,))
    assert client.get("/audit", headers=HTML).status_code == 403


# --- home --------------------------------------------------------------------------------


def test_home_shows_the_organization_its_users_and_its_market(client, session):
    org = organization(session, Tier.DIRECT_BILL, name="Contoso Korea", country="KR")
    m, _ = signed_in(client, session, org=org)
    colleague = member(session, org, roles=(Role.BILLING_ADMIN,))
    session.commit()
    page = client.get("/", headers=HTML).text
    assert "Contoso Korea" in page
    assert "Direct-bill partner" in page
    assert "South Korea" in page  # the country, named by CLDR
    assert m.user.email in page and colleague.user.email in page
    assert '<span class="count">2</span>' in page
    assert 'href="/markets/korea-republic-of"' in page
    assert "KRW" in page


def test_the_vendor_home_summarizes_every_market(client, session):
    signed_in(client, session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))
    page = client.get("/", headers=HTML).text
    assert "Vendor" in page
    assert 'href="/markets/europe"' in page and 'href="/markets/japan"' in page


# --- users -------------------------------------------------------------------------------


def new_user_form(csrf: str, **changes: object) -> dict[str, object]:
    return {
        "csrf_token": csrf,
        "email": "Jane.Doe@Example.test",
        "display_name": "Jane Doe",
        "password": "a good long password",
        "roles": ["admin_agent", "billing_admin"],
    } | changes


def test_a_user_manager_creates_a_user_who_can_then_sign_in(client, session):
    m, csrf = signed_in(client, session)
    r = client.post("/users", data=new_user_form(csrf), headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/users?done=user_created"
    created = queries.user_by_email(session, "jane.doe@example.test")
    assert created is not None
    assert created.organization_id == m.org.id
    assert queries.roles_of(session, created.id) == ["admin_agent", "billing_admin"]
    page = client.get(r.headers["location"], headers=HTML).text
    assert "The user was created." in page and "jane.doe@example.test" in page

    fresh = TestClient(client.app)
    assert sign_in(fresh, "jane.doe@example.test", "a good long password").status_code == 303


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"password": "short"}, 400, "The password must have at least 10 characters"),
        ({"email": "not-an-email"}, 400, "Not a valid email address: not-an-email"),
        ({"roles": []}, 400, "A user needs at least one role"),
        ({"roles": ["wizard"]}, 400, "Unknown role: wizard"),
    ],
)
def test_a_rejected_user_is_shown_again_with_the_reason(client, session, changes, status, message):
    signed_in(client, session)
    r = client.post(
        "/users",
        data=new_user_form(csrf_of(client.get("/users", headers=HTML).text), **changes),
        headers=HTML,
    )
    assert r.status_code == status
    assert message in r.text
    assert 'value="Jane Doe"' in r.text  # what was typed is kept
    assert count(session, User, User.display_name == "Jane Doe") == 0


def test_a_duplicate_email_is_a_conflict(client, session):
    m, csrf = signed_in(client, session)
    r = client.post("/users", data=new_user_form(csrf, email=m.user.email), headers=HTML)
    assert r.status_code == 409
    assert f"A user with the email {m.user.email} already exists" in r.text


def test_roles_offered_are_those_of_the_tier(client, session):
    _, csrf = signed_in(client, session, tier=Tier.INDIRECT_RESELLER)
    page = client.get("/users", headers=HTML).text
    assert 'value="sales_agent"' not in page
    assert 'value="admin_agent"' in page
    assert 'value="program_admin"' not in page
    r = client.post("/users", data=new_user_form(csrf, roles=["sales_agent"]), headers=HTML)
    assert r.status_code == 400
    assert "The role Sales agent is not available to" in r.text
    assert "Indirect reseller" in r.text


def test_roles_change_and_users_deactivate_with_plain_forms(client, session):
    m, csrf = signed_in(client, session)
    other = member(session, m.org, roles=(Role.HELPDESK_AGENT,))
    session.commit()
    r = client.post(
        f"/users/{other.user.id}/roles",
        data={"csrf_token": csrf, "roles": ["sales_agent", "billing_admin"]},
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert queries.roles_of(session, other.user.id) == ["billing_admin", "sales_agent"]
    r = client.post(f"/users/{other.user.id}/deactivate", data={"csrf_token": csrf}, headers=HTML)
    assert r.status_code == 200
    assert "The user was deactivated." in r.text
    r = client.post(f"/users/{m.user.id}/deactivate", data={"csrf_token": csrf}, headers=HTML)
    assert r.status_code == 400
    assert "You cannot deactivate your own user" in r.text


def test_without_users_manage_the_pages_refuse_and_nothing_changes(client, session):
    _m, csrf = signed_in(client, session, roles=(Role.SALES_AGENT,))
    page = client.get("/users", headers=HTML)
    assert page.status_code == 403
    assert "You don&#39;t have access to this page" in page.text
    r = client.post("/users", data=new_user_form(csrf), headers=HTML)
    assert r.status_code == 403
    assert 'id="users"' not in r.text  # the refused page does not show the user list
    assert count(session, User, User.display_name == "Jane Doe") == 0


def test_another_organizations_user_is_not_found(client, session):
    _, csrf = signed_in(client, session)
    stranger = member(session)
    session.commit()
    for path in (f"/users/{stranger.user.id}/deactivate", "/users/not-a-guid/deactivate"):
        r = client.post(path, data={"csrf_token": csrf}, headers=HTML)
        assert r.status_code == 404
        assert "User not found" in r.text
    session.expire_all()
    assert session.get(User, stranger.user.id).is_active is True


# --- tokens ------------------------------------------------------------------------------


def test_a_token_is_shown_once_and_can_be_revoked(client, session):
    _m, csrf = signed_in(client, session)
    r = client.post("/tokens", data={"csrf_token": csrf, "name": "billing export"}, headers=HTML)
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    secret = re.search(r'value="(ocsp_[^"]+)" data-secret', r.text).group(1)
    assert "It will not be shown again" in r.text
    assert (
        client.get("/v1/users/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    )

    listing = client.get("/tokens", headers=HTML).text
    assert "billing export" in listing
    assert secret not in listing
    token = session.scalar(select(ApiToken).where(ApiToken.name == "billing export"))
    assert token.prefix in listing

    r = client.post(
        f"/tokens/{token.id}/revoke",
        headers={"HX-Request": "true", "X-CSRF-Token": csrf},
    )
    assert r.status_code == 200
    assert "Revoked" in r.text
    assert (
        client.get("/v1/users/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )


def test_an_empty_token_name_is_refused_inline(client, session):
    _, csrf = signed_in(client, session)
    r = client.post("/tokens", data={"csrf_token": csrf, "name": "  "}, headers=HTML)
    assert r.status_code == 400
    assert "Token name must have 1 to 128 characters" in r.text
    assert count(session, ApiToken, ApiToken.name == "") == 0


def test_an_htmx_failure_comes_back_as_an_alert_for_the_flash_area(client, session):
    _, csrf = signed_in(client, session)
    stranger = member(session)
    session.commit()
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == stranger.user.id))
    r = client.post(
        f"/tokens/{token.id}/revoke", headers={"HX-Request": "true", "X-CSRF-Token": csrf}
    )
    assert r.status_code == 404
    assert r.headers["hx-retarget"] == "#flash"
    assert "API token not found" in r.text
    session.expire_all()
    assert session.get(ApiToken, token.id).revoked_at is None


# --- markets -----------------------------------------------------------------------------


def test_markets_list_marks_the_partners_own_market(client, session):
    org = organization(session, Tier.DIRECT_BILL, country="DE")
    signed_in(client, session, org=org)
    page = client.get("/markets", headers=HTML).text
    mine = re.search(r'<tr class="market-mine">(.*?)</tr>', page, re.S).group(1)
    assert "Europe" in mine and "EUR" in mine and "GBP" in mine
    detail = client.get("/markets/europe", headers=HTML)
    assert detail.status_code == 200
    assert "Germany" in detail.text and "<code>DE</code>" in detail.text
    missing = client.get("/markets/atlantis", headers=HTML)
    assert missing.status_code == 404
    assert "Market not found: atlantis" in missing.text


# --- languages ---------------------------------------------------------------------------


def test_the_language_switch_turns_the_console_korean(client, session):
    _, csrf = signed_in(client, session)
    assert "Sign out" in client.get("/", headers=HTML).text
    r = client.post(
        "/language",
        data={"csrf_token": csrf, "lang": "ko", "next": "/users"},
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/users"
    page = client.get("/users", headers=HTML)
    assert page.headers["content-language"] == "ko"
    assert "로그아웃" in page.text and "사용자" in page.text and "전역 관리자" in page.text
    assert '<html lang="ko">' in page.text


def test_the_switch_works_on_the_login_page_and_needs_its_token(client):
    page = client.get("/login", headers=HTML)
    assert "Sign in" in page.text
    refused = client.post("/language", data={"lang": "ko", "csrf_token": "x"}, headers=HTML)
    assert refused.status_code == 403
    r = client.post(
        "/language",
        data={"lang": "ko", "next": "/login", "csrf_token": csrf_of(page.text)},
        headers=HTML,
    )
    assert r.status_code == 200
    assert "로그인" in r.text and "암호" in r.text


def test_the_browser_language_is_the_default(client):
    page = client.get("/login", headers={**HTML, "Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"})
    assert "로그인" in page.text


def test_domain_errors_are_shown_in_korean(client, session):
    _, csrf = signed_in(client, session)
    client.cookies.set("lang", "ko")
    r = client.post("/users", data=new_user_form(csrf, password="short"), headers=HTML)
    assert r.status_code == 400
    assert "암호는 10자 이상이어야 합니다" in r.text


# --- errors ------------------------------------------------------------------------------


def test_an_unknown_page_is_an_html_404_and_the_api_keeps_its_shape(client, session):
    r = client.get("/no/such/page", headers=HTML)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "Page not found" in r.text
    signed_in(client, session)
    r = client.get("/no/such/page", headers=HTML)
    assert 'data-area="home"' in r.text  # signed in: inside the layout
    api = client.get("/v1/no/such/thing", headers=HTML)
    assert api.status_code == 404
    assert api.json()["code"] == 1000


def test_pages_carry_protective_headers(client):
    r = client.get("/login", headers=HTML)
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"


def test_static_files_are_served(client):
    assert client.get("/static/console.css").status_code == 200
    htmx = client.get("/static/vendor/htmx.min.js")
    assert htmx.status_code == 200
    assert "htmx" in htmx.text[:2000]
