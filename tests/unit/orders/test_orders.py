"""Order statuses as a transition table, transaction types, order IDs and the cart-line
form of checkout errors (PC:developer/order-resources.md, cart-resources.md)."""

from __future__ import annotations

import uuid

import pytest

from opencsp.catalog import errors as catalog_errors
from opencsp.catalog.rules import BillingPlan
from opencsp.core.errors import DomainError, NotFound
from opencsp.orders import errors, rules
from opencsp.orders.rules import LineError, LineTransactionType, OrderStatus, OrderTransactionType

PENDING, COMPLETED, CANCELLED = OrderStatus.PENDING, OrderStatus.COMPLETED, OrderStatus.CANCELLED


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (PENDING, COMPLETED, True),
        (PENDING, CANCELLED, True),
        (PENDING, PENDING, False),
        (COMPLETED, CANCELLED, True),
        (COMPLETED, PENDING, False),
        (COMPLETED, COMPLETED, False),
        (CANCELLED, PENDING, False),
        (CANCELLED, COMPLETED, False),
        (CANCELLED, CANCELLED, False),
    ],
)
def test_order_transitions(current: OrderStatus, target: OrderStatus, allowed: bool) -> None:
    if allowed:
        assert rules.ensure_order_transition(current, target) is target
    else:
        with pytest.raises(errors.InvalidOrderTransition) as caught:
            rules.ensure_order_transition(current, target)
        assert caught.value.code == 800061


@pytest.mark.parametrize(
    ("text", "member"),
    [
        ("pending", PENDING),
        ("Completed", COMPLETED),
        ("CANCELLED", CANCELLED),
        ("UserPurchase", OrderTransactionType.USER_PURCHASE),
        ("user_purchase", OrderTransactionType.USER_PURCHASE),
        ("New", LineTransactionType.NEW),
        ("new", LineTransactionType.NEW),
        ("addQuantity", LineTransactionType.ADD_QUANTITY),
        ("Renew", LineTransactionType.RENEW),
    ],
)
def test_wire_values_read_case_insensitively(text: str, member: object) -> None:
    assert type(member)(text) is member  # type: ignore[call-arg]


def test_wire_values_written_as_the_samples() -> None:
    assert LineTransactionType.NEW.value == "New"
    assert OrderTransactionType.USER_PURCHASE.value == "UserPurchase"
    assert OrderStatus.COMPLETED.value == "completed"


@pytest.mark.parametrize(
    ("plans", "cycle"),
    [
        ([BillingPlan.ONE_TIME], BillingPlan.ONE_TIME),
        ([BillingPlan.ONE_TIME, BillingPlan.ONE_TIME], BillingPlan.ONE_TIME),
        ([BillingPlan.MONTHLY], BillingPlan.MONTHLY),
        ([BillingPlan.ANNUAL], BillingPlan.MONTHLY),
        ([BillingPlan.ONE_TIME, BillingPlan.ANNUAL], BillingPlan.MONTHLY),
        ([], BillingPlan.MONTHLY),
    ],
)
def test_order_billing_cycle(plans: list[BillingPlan], cycle: BillingPlan) -> None:
    assert rules.order_billing_cycle(plans) is cycle


def test_order_id_is_twelve_hex_of_the_uuid() -> None:
    value = uuid.UUID("a6873675-8d9c-4f00-8000-000000000000")
    assert rules.order_id(value) == "a68736758d9c"  # the NCE checkout sample's id
    assert rules.parse_order_id(rules.order_id(value)) == "a68736758d9c"


def test_order_ids_of_random_uuids_differ() -> None:
    ids = {rules.order_id(uuid.uuid4()) for _ in range(2000)}
    assert len(ids) == 2000
    assert all(len(i) == 12 and int(i, 16) >= 0 for i in ids)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("a68736758d9c", "a68736758d9c"), (" A68736758D9C ", "a68736758d9c")],
)
def test_parse_order_id(text: str, parsed: str) -> None:
    assert rules.parse_order_id(text) == parsed


@pytest.mark.parametrize(
    "text",
    ["", "a68736758d9", "a68736758d9c0", "g68736758d9c", "311qiN8iFwkv-XARWMvXRYAwYKMACVqv1"],
)
def test_parse_order_id_refuses(text: str) -> None:
    with pytest.raises(errors.OrderNotFound) as caught:
        rules.parse_order_id(text)
    assert caught.value.code == 20000
    assert isinstance(caught.value, NotFound)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (
            catalog_errors.SeatPoolExceeded(requested=51, available=50, catalog_item_id="A:B:C"),
            LineError(
                10015,
                "The requested number of 51 seats exceeds the remaining limit of 50 seats "
                "allowed per subscription for the CatalogItemId - A:B:C",
                available_quantity=50,
            ),
        ),
        (
            errors.AttestationRequired(catalog_item_id="A:B:C"),
            LineError(10012, "CatalogItemId: A:B:C requires attestation acceptance."),
        ),
        (
            errors.AvailabilityNotPurchasable(catalog_item_id="A:B:C"),
            LineError(
                10001,
                "Availability not found for catalog item A:B:C. Get the current availability "
                "ID and check out again",
            ),
        ),
        (
            errors.QuantityAboveMaximum(line=0, minimum=1, maximum=300),
            LineError(
                10015,
                "The requested quantity for line item 0 is not within the allowed quantity "
                "for this offer (1 to 300)",
            ),
        ),
        (
            errors.CustomerAgreementMissing(),
            LineError(10010, errors.CustomerAgreementMissing.description),
        ),
        (DomainError(), LineError(10006, "Invalid request input")),
    ],
)
def test_line_error(exc: DomainError, expected: LineError) -> None:
    assert rules.line_error(exc) == expected


@pytest.mark.parametrize(
    ("cls", "status", "code"),
    [
        (errors.CustomerAgreementMissing, 403, 13605),
        (errors.BuyerAgreementMissing, 403, 900124),
        (errors.BuyerNotActive, 403, 800039),
        (errors.CustomerOutOfMarket, 403, 2030),
        (errors.AvailabilityNotPurchasable, 404, 400019),
        (errors.TermNotOffered, 400, 800121),
        (errors.BillingCycleNotOffered, 400, 900269),
        (errors.QuantityOutOfRange, 400, 900275),
        (catalog_errors.SeatPoolExceeded, 403, 800088),
        (errors.AssetLimitExceeded, 403, 800089),
        (errors.AddonPrerequisiteMissing, 400, 400041),
        (errors.AttestationRequired, 400, 900203),
        (errors.PartnerIdNotFound, 404, 800015),
        (errors.NotAValidIndirectReseller, 400, 800016),
        (errors.OwnPartnerIdOnRecord, 404, 2072),
        (errors.ResellerAgreementMissing, 403, 900123),
        (errors.CheckoutRejected, 400, 800009),
        (errors.OrderNotFound, 404, 20000),
    ],
)
def test_documented_status_and_code(cls: type[DomainError], status: int, code: int) -> None:
    """HTTP status and code as PC:developer/error-codes.md lists them."""
    assert (cls.status, cls.code) == (status, code)


def test_checkout_rejected_carries_every_line() -> None:
    lines = [{"lineItemNumber": 0, "errorCode": 10015}, {"lineItemNumber": 2, "errorCode": 10012}]
    exc = errors.CheckoutRejected(lines)
    assert exc.data == lines and exc.message == "Error in Cart item(s)"
