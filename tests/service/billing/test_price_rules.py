"""Downstream price rules: the bounds of a percent, the scope, the most specific rule
winning, the per-seat rounding, and the service (who may set, whom for, replace, delete,
audit)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.audit.models import AuditRecord
from opencsp.auth.rules import Role
from opencsp.billing import price_rules as pr
from opencsp.billing.errors import (
    InvalidPriceRule,
    NotADownstreamSeller,
    PriceRuleNotFound,
    UnknownBuyer,
)
from opencsp.billing.price_rules import ANY, Scope
from opencsp.core.actor import Tier
from opencsp.core.errors import DomainError
from tests.factories import member
from tests.factories.commerce import Scene

# --- pure -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-99.9999", Decimal("-99.9999")),
        ("-50", Decimal(-50)),
        ("0", Decimal(0)),
        ("0.0001", Decimal("0.0001")),
        ("12.5", Decimal("12.5")),
        ("1000", Decimal(1000)),
        (" 7 ", Decimal(7)),
    ],
)
def test_percent_within_bounds(value: str, expected: Decimal) -> None:
    assert pr.ensure_percent(value) == expected


@pytest.mark.parametrize(
    "value",
    ["-100", "-100.0001", "-1000", "1000.0001", "1001", "abc", "", "NaN", "Infinity", "1.00001"],
)
def test_percent_out_of_bounds_is_refused(value: str) -> None:
    with pytest.raises(InvalidPriceRule) as caught:
        pr.ensure_percent(value)
    assert caught.value.code == "InvalidPriceRule"


BUYER = str(uuid.UUID(int=7))


@pytest.mark.parametrize(
    ("buyer", "product", "sku"),
    [
        ("nobody", ANY, ANY),
        (ANY, ANY, "0001"),
        ("", ANY, ANY),
        (ANY, "P" * 37, ANY),
        (ANY, "P1", "123456789"),
    ],
)
def test_bad_scope_is_refused(buyer: str, product: str, sku: str) -> None:
    with pytest.raises(InvalidPriceRule):
        pr.ensure_scope(buyer, product, sku)


def test_scope_normalizes_the_buyer_guid() -> None:
    upper = BUYER.upper()
    assert pr.ensure_scope(f" {upper} ", " P1 ", "0001") == Scope(BUYER, "P1", "0001")


SCOPES = [
    Scope(BUYER, "P1", "S1"),
    Scope(BUYER, "P1", ANY),
    Scope(BUYER, ANY, ANY),
    Scope(ANY, "P1", "S1"),
    Scope(ANY, "P1", ANY),
    Scope(ANY, ANY, ANY),
]


def test_candidates_run_from_most_to_least_specific() -> None:
    assert list(pr.candidates(BUYER, "P1", "S1")) == SCOPES


@pytest.mark.parametrize("dropped", range(len(SCOPES)))
def test_the_most_specific_rule_present_wins(dropped: int) -> None:
    """With the first ``dropped`` scopes missing, the next one prices the line."""
    rules = {scope: Decimal(i) for i, scope in enumerate(SCOPES) if i >= dropped}
    assert pr.resolve(rules, BUYER, "P1", "S1") == Decimal(dropped)


@pytest.mark.parametrize(
    ("rules", "line", "expected"),
    [
        ({}, (BUYER, "P1", "S1"), None),
        ({Scope(BUYER, "P2", ANY): Decimal(5)}, (BUYER, "P1", "S1"), None),
        ({Scope(BUYER, "P1", "S2"): Decimal(5)}, (BUYER, "P1", "S1"), None),
        ({Scope(str(uuid.UUID(int=8)), ANY, ANY): Decimal(5)}, (BUYER, "P1", "S1"), None),
        (
            {Scope(ANY, "P1", "S1"): Decimal(3), Scope(BUYER, ANY, ANY): Decimal(4)},
            (BUYER, "P1", "S1"),
            Decimal(4),
        ),
    ],
)
def test_rules_for_other_scopes_do_not_apply(
    rules: dict[Scope, Decimal], line: tuple[str, str, str], expected: Decimal | None
) -> None:
    assert pr.resolve(rules, *line) == expected


@pytest.mark.parametrize(
    ("cost", "percent", "expected"),
    [
        (1000, "10", 1100),
        (1000, "0", 1000),
        (999, "12.5", 1124),  # 1123.875 rounds up
        (-999, "12.5", -1124),  # a credit mirrors its charge
        (1000, "-5", 950),
        (1, "50", 2),  # KRW/JPY: 1.5 won rounds half-up to 2
        (-1, "50", -2),
        (1, "49.9999", 1),
        (3, "-33.3333", 2),
        (5, "10", 6),  # 5.5 -> 6
        (4, "12.5", 5),  # 4.5 -> 5
        (7, "-99.9999", 0),
        (0, "1000", 0),
        (123456789012, "1000", 1358024679132),
    ],
)
def test_a_seat_is_priced_and_rounded_once(cost: int, percent: str, expected: int) -> None:
    assert pr.priced_seat(cost, pr.factor(Decimal(percent))) == expected


# --- service --------------------------------------------------------------------------


def audits(session: Session, operation: str) -> list[AuditRecord]:
    return list(session.scalars(select(AuditRecord).where(AuditRecord.operation_type == operation)))


def test_a_provider_prices_its_reseller_and_replaces_the_rule(session: Session, sc: Scene) -> None:
    reseller = str(sc.reseller.org.id)
    first = pr.set_rule(session, sc.provider.actor, buyer_key=reseller, percent="8")
    again = pr.set_rule(session, sc.provider.actor, buyer_key=reseller.upper(), percent="-2.5")
    assert again.id == first.id and again.percent == Decimal("-2.5")
    assert [r.percent for r in pr.list_rules(session, sc.provider.actor)] == [Decimal("-2.5")]
    records = audits(session, "set_price_rule")
    assert len(records) == 2 and all(r.partner_id == sc.provider.org.id for r in records)


def test_a_rule_per_product_and_sku(session: Session, sc: Scene) -> None:
    product, sku = sc.offer.product.id, sc.offer.sku.id
    pr.set_rule(session, sc.direct.actor, product_id=product, percent="3")
    pr.set_rule(session, sc.direct.actor, product_id=product, sku_id=sku, percent="4")
    pr.set_rule(session, sc.direct.actor, percent="5")
    scopes = [(r.product_id, r.sku_id, r.percent) for r in pr.list_rules(session, sc.direct.actor)]
    assert sorted(scopes) == sorted(
        [(product, ANY, Decimal(3)), (product, sku, Decimal(4)), (ANY, ANY, Decimal(5))]
    )


def test_a_partner_prices_its_own_customer_only(session: Session, sc: Scene) -> None:
    pr.set_rule(session, sc.direct.actor, buyer_key=str(sc.direct_customer.id), percent="10")
    with pytest.raises(UnknownBuyer):  # the provider's customer, not the direct partner's
        pr.set_rule(session, sc.direct.actor, buyer_key=str(sc.indirect_customer.id), percent="1")
    with pytest.raises(UnknownBuyer):  # a reseller of someone else
        pr.set_rule(session, sc.direct.actor, buyer_key=str(sc.reseller.org.id), percent="1")


def test_a_reseller_admin_prices_its_customers(session: Session, sc: Scene) -> None:
    rule = pr.set_rule(
        session, sc.reseller.actor, buyer_key=str(sc.indirect_customer.id), percent="15"
    )
    assert rule.seller_organization_id == sc.reseller.org.id


@pytest.mark.parametrize(
    ("tier", "roles"),
    [
        (Tier.VENDOR, (Role.BILLING_OPERATOR,)),
        (Tier.DIRECT_BILL, (Role.HELPDESK_AGENT,)),
        (Tier.INDIRECT_RESELLER, (Role.ADMIN_AGENT,)),
    ],
)
def test_who_may_not_price(session: Session, tier: Tier, roles: tuple[Role, ...]) -> None:
    who = member(session, tier=tier, roles=roles)
    with pytest.raises(NotADownstreamSeller) as caught:
        pr.set_rule(session, who.actor, percent="1")
    assert caught.value.status == 403
    if tier is Tier.VENDOR:
        assert pr.list_rules(session, who.actor) == []


def test_an_unknown_product_is_refused(session: Session, sc: Scene) -> None:
    with pytest.raises(InvalidPriceRule):
        pr.set_rule(session, sc.direct.actor, product_id="NOPE", percent="1")
    with pytest.raises(InvalidPriceRule):
        pr.set_rule(
            session, sc.direct.actor, product_id=sc.offer.product.id, sku_id="ZZZZ", percent="1"
        )


def test_delete_removes_and_audits(session: Session, sc: Scene) -> None:
    pr.set_rule(session, sc.direct.actor, percent="5")
    pr.delete_rule(session, sc.direct.actor)
    assert pr.list_rules(session, sc.direct.actor) == []
    assert len(audits(session, "delete_price_rule")) == 1
    with pytest.raises(PriceRuleNotFound) as caught:
        pr.delete_rule(session, sc.direct.actor)
    assert caught.value.status == 404


def test_another_sellers_rule_is_not_found(session: Session, sc: Scene) -> None:
    pr.set_rule(session, sc.direct.actor, percent="5")
    with pytest.raises(DomainError) as caught:
        pr.delete_rule(session, sc.provider.actor)
    assert caught.value.code == "PriceRuleNotFound"
    assert pr.list_rules(session, sc.provider.actor) == []
