"""Parsing role names, who may grant Global admin, email normalization, password strength."""

from __future__ import annotations

import pytest

from opencsp.auth.errors import InvalidEmail, RoleRequiresGlobalAdmin, UnknownRole, WeakPassword
from opencsp.auth.rules import (
    PASSWORD_MIN_LENGTH,
    Role,
    ensure_can_grant,
    ensure_password_strength,
    normalize_email,
    parse_role,
)

R = Role


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Global admin", R.GLOBAL_ADMIN),
        ("global_admin", R.GLOBAL_ADMIN),
        ("GlobalAdmin", R.GLOBAL_ADMIN),
        ("GLOBAL ADMIN", R.GLOBAL_ADMIN),
        (" global-admin ", R.GLOBAL_ADMIN),
        ("Admin agent", R.ADMIN_AGENT),
        ("Sales agent", R.SALES_AGENT),
        ("Helpdesk agent", R.HELPDESK_AGENT),
        ("Billing admin", R.BILLING_ADMIN),
        ("User management admin", R.USER_MANAGEMENT_ADMIN),
        ("Account admin", R.ACCOUNT_ADMIN),
        ("Program admin", R.PROGRAM_ADMIN),
        ("Catalog manager", R.CATALOG_MANAGER),
        ("Billing operator", R.BILLING_OPERATOR),
    ],
)
def test_role_names_are_read_as_partner_center_writes_them(text: str, role: Role) -> None:
    assert parse_role(text) is role


@pytest.mark.parametrize(
    "text", ["", "root", "Admin", "Global", "MPN Partner Admin", "globaladmins"]
)
def test_unknown_role_names_are_refused(text: str) -> None:
    with pytest.raises(UnknownRole) as raised:
        parse_role(text)

    assert raised.value.status == 400


@pytest.mark.parametrize(
    ("granter", "granted"),
    [
        (["global_admin"], [R.GLOBAL_ADMIN]),
        (["admin_agent", "global_admin"], [R.GLOBAL_ADMIN, R.SALES_AGENT]),
        ([R.GLOBAL_ADMIN], [R.GLOBAL_ADMIN]),
        (["user_management_admin"], [R.ADMIN_AGENT, R.SALES_AGENT]),
        (["account_admin"], [R.BILLING_ADMIN]),
        ([], [R.HELPDESK_AGENT]),
    ],
)
def test_roles_other_than_global_admin_may_be_granted_by_anyone_managing_users(
    granter: list[str], granted: list[Role]
) -> None:
    ensure_can_grant(granter, granted)


@pytest.mark.parametrize(
    ("granter", "granted"),
    [
        (["user_management_admin"], [R.GLOBAL_ADMIN]),
        (["account_admin"], [R.BILLING_ADMIN, R.GLOBAL_ADMIN]),
        (["admin_agent", "user_management_admin"], [R.GLOBAL_ADMIN]),
        (["program_admin"], [R.GLOBAL_ADMIN]),
    ],
)
def test_only_a_global_admin_grants_global_admin(granter: list[str], granted: list[Role]) -> None:
    with pytest.raises(RoleRequiresGlobalAdmin) as raised:
        ensure_can_grant(granter, granted)

    assert raised.value.status == 403


@pytest.mark.parametrize(
    ("given", "normalized"),
    [
        ("User@Example.com", "user@example.com"),
        ("  a.b+tag@sub.example.co.kr \n", "a.b+tag@sub.example.co.kr"),
        ("x@y.io", "x@y.io"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("kim@예시.한국", "kim@예시.한국"),
    ],
)
def test_valid_emails_are_trimmed_and_lower_cased(given: str, normalized: str) -> None:
    assert normalize_email(given) == normalized


@pytest.mark.parametrize(
    "given",
    [
        "",
        "   ",
        "plainaddress",
        "@example.com",
        "user@",
        "user@localhost",
        "user@@example.com",
        "a@b@example.com",
        "us er@example.com",
        "user@exa mple.com",
        "user@exa\u00a0mple.com",
        "user@.example.com",
        "user@example.com.",
        "user@example..com",
        "x" * 310 + "@example.com",
    ],
)
def test_invalid_emails_are_refused(given: str) -> None:
    with pytest.raises(InvalidEmail):
        normalize_email(given)


@pytest.mark.parametrize(
    "password",
    ["0123456789", "correct horse battery staple", "비밀번호는열글자입니다", "  padded pw  "],
)
def test_passwords_of_at_least_ten_characters_are_accepted(password: str) -> None:
    ensure_password_strength(password)


@pytest.mark.parametrize("password", ["", "short", "123456789", " " * 12, "\t" * 10])
def test_short_or_blank_passwords_are_refused(password: str) -> None:
    with pytest.raises(WeakPassword) as raised:
        ensure_password_strength(password)

    assert str(PASSWORD_MIN_LENGTH) in raised.value.message
    assert PASSWORD_MIN_LENGTH == 10
