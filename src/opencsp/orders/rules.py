"""Pure rules of ordering: the shape of a cart line and what can be checked without the
database, the price of a line, order statuses and transaction types, and order IDs
(PC:developer/create-a-cart.md, update-a-cart.md, checkout-a-cart.md, order-resources.md;
rules.md §6.6, §9b). The checkout gates that need facts from the database are in
``orders.gates``. No session, clock, settings or I/O: values in, values out or an error.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from opencsp.billing.cycles import seat_amount
from opencsp.catalog.errors import CatalogItemIdMissing, InvalidCatalogItemId, SeatPoolExceeded
from opencsp.catalog.rules import (
    PERIOD_MONTHS,
    TERM_MONTHS,
    BillingPlan,
    CatalogItemId,
    TermDuration,
    billing_plans_for,
    parse_catalog_item_id,
)
from opencsp.core.errors import DomainError
from opencsp.core.http import WireEnum
from opencsp.core.money import Currency, Money
from opencsp.orders.errors import (
    CART_CATALOG_ITEM_NOT_VALID,
    CART_INVALID_INPUT,
    CART_MAX_SEATS_EXCEEDED,
    CART_UNABLE_TO_PROCESS,
    InvalidOrderTransition,
    OrderError,
    OrderNotFound,
)
from opencsp.partners.rules import parse_partner_id

E = TypeVar("E", bound=WireEnum)

MAX_ADDITIONAL_RESELLERS = 5
"""EU/EFTA: at most five additional resellers besides the initial one (rules.md §6.6)."""

MAX_QUANTITY = 2_147_483_647
"""The quantity column is a 32-bit integer on every engine; more is refused as input."""


# --- a cart line as sent ---------------------------------------------------------------


class ParticipantKey(WireEnum):
    """``participants[].key`` (PC:developer/cart-resources.md)."""

    TRANSACTION_RESELLER = "transaction_reseller"
    ADDITIONAL_TRANSACTION_RESELLER = "additional_transaction_reseller"


@dataclass(frozen=True, slots=True)
class Participant:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class CartLineRequest:
    """A cart line as the client sent it (``lineItems[]``), strings unparsed: the rules
    decide what they mean, so a bad value becomes the line's error, not a 400 for the
    whole cart (PC:developer/create-a-cart.md)."""

    id: int
    catalog_item_id: str | None
    quantity: int | None
    term_duration: str | None = None
    billing_cycle: str | None = None
    partner_id_on_record: str | None = None
    provisioning_context: Mapping[str, str] = field(default_factory=dict)
    attestation_accepted: bool = False
    participants: Sequence[Participant] = ()


@dataclass(frozen=True, slots=True)
class LineError:
    """``lineItems[].error``: ``errorCode`` (a ``CartErrorCode``), ``errorDescription``
    and, for seat limits, ``additionalInformation.availableQuantity``."""

    code: int
    description: str
    available_quantity: int | None = None


@dataclass(frozen=True, slots=True)
class ValidLine:
    """A cart line whose own content is valid: parsed values, ready for the gates."""

    id: int
    catalog_item: CatalogItemId
    quantity: int
    term: TermDuration
    plan: BillingPlan
    partner_id_on_record: int | None
    additional_resellers: tuple[int, ...]
    attestation_accepted: bool
    provisioning_context: Mapping[str, str]


def validate_line(line: CartLineRequest) -> ValidLine | LineError:
    """Everything about a cart line that needs no database: the catalog item ID's syntax,
    a whole positive quantity, the term and billing cycle spellings and their combination
    (rules.md §9b: a plan no longer than the term; a perpetual purchase is ``one_time``
    with no term; a trial is ``none`` on P1M), and the resellers of record (§6.4, §6.6).
    Problems come back as the line's error, in the order Partner Center checks them."""
    try:
        catalog_item = parse_catalog_item_id(line.catalog_item_id)
    except (CatalogItemIdMissing, InvalidCatalogItemId) as exc:
        return LineError(CART_CATALOG_ITEM_NOT_VALID, exc.message)
    quantity = line.quantity
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        return LineError(CART_INVALID_INPUT, "quantity must be a whole number of at least 1")
    if quantity > MAX_QUANTITY:
        return LineError(CART_INVALID_INPUT, f"quantity must be at most {MAX_QUANTITY}")
    terms = parse_term_and_plan(line.term_duration, line.billing_cycle)
    if isinstance(terms, LineError):
        return terms
    resellers = parse_resellers(line.partner_id_on_record, line.participants)
    if isinstance(resellers, LineError):
        return resellers
    return ValidLine(
        id=line.id,
        catalog_item=catalog_item,
        quantity=quantity,
        term=terms[0],
        plan=terms[1],
        partner_id_on_record=resellers[0],
        additional_resellers=resellers[1],
        attestation_accepted=bool(line.attestation_accepted),
        provisioning_context=dict(line.provisioning_context),
    )


def parse_term_and_plan(
    term_duration: str | None, billing_cycle: str | None
) -> tuple[TermDuration, BillingPlan] | LineError:
    """``termDuration`` and ``billingCycle`` read case-insensitively (``Monthly``,
    ``one_time``, ``OneTime``). A one-time purchase may omit the term (the samples do);
    everything else needs both, on a plan ``billing_plans_for`` allows (900270 "The
    billing cycle cannot be longer than the term") or a trial's ``none`` on P1M."""
    plan = _parse(BillingPlan, billing_cycle)
    if plan is None:
        return LineError(CART_INVALID_INPUT, f"Unknown billingCycle {billing_cycle!r}")
    if plan is BillingPlan.ONE_TIME and not (term_duration or "").strip():
        return TermDuration.ONE_TIME, plan
    term = _parse(TermDuration, term_duration)
    if term is None:
        return LineError(CART_INVALID_INPUT, f"Unknown termDuration {term_duration!r}")
    allowed = billing_plans_for(term)
    if term is TermDuration.P1M:
        allowed |= billing_plans_for(term, trial=True)
    if plan not in allowed:
        return LineError(
            CART_INVALID_INPUT,
            f"The billing cycle {plan.value} isn't valid for the term {term.value}",
        )
    return term, plan


def _parse(enum: type[E], value: str | None) -> E | None:
    if value is None or not value.strip():
        return None
    try:
        return enum(value.strip())
    except ValueError:
        return None


def parse_resellers(
    partner_id_on_record: str | None, participants: Sequence[Participant]
) -> tuple[int | None, tuple[int, ...]] | LineError:
    """The reseller of record and the additional resellers of a line. ``partnerIdOnRecord``
    and a ``transaction_reseller`` participant both name the reseller of record and must
    agree; additional resellers need one first, are at most five and distinct, and each
    is a PartnerID (digits) (rules.md §6.4, §6.6). Whether they are valid resellers is a
    checkout gate (``gates.ensure_partner_of_record``)."""
    try:
        return _resellers(partner_id_on_record, participants)
    except _BadLine as exc:
        return LineError(CART_INVALID_INPUT, str(exc))


class _BadLine(ValueError):
    pass


def _resellers(
    partner_id_on_record: str | None, participants: Sequence[Participant]
) -> tuple[int | None, tuple[int, ...]]:
    on_record: int | None = None
    if partner_id_on_record is not None and partner_id_on_record.strip():
        on_record = parse_partner_id(partner_id_on_record)
        if on_record is None:
            raise _BadLine("partnerIdOnRecord must be a PartnerID (digits)")
    additional: list[int] = []
    for participant in participants:
        key = _parse(ParticipantKey, participant.key)
        number = parse_partner_id(participant.value or "")
        if key is None or number is None:
            raise _BadLine(
                "participants must be transaction_reseller or additional_transaction_reseller "
                "with a PartnerID (digits)"
            )
        if key is ParticipantKey.TRANSACTION_RESELLER:
            if on_record is not None and on_record != number:
                raise _BadLine("The transaction_reseller participant and partnerIdOnRecord differ")
            on_record = number
        elif number in additional:
            raise _BadLine(f"Additional reseller {number} is repeated")
        else:
            additional.append(number)
    if additional and on_record is None:
        raise _BadLine("Choose the reseller of record before additional resellers")
    if len(additional) > MAX_ADDITIONAL_RESELLERS:
        raise _BadLine(f"At most {MAX_ADDITIONAL_RESELLERS} additional resellers can be added")
    if on_record is not None and on_record in additional:
        raise _BadLine(f"Reseller {on_record} is already the reseller of record")
    return on_record, tuple(additional)


def line_error(exc: DomainError) -> LineError:
    """A checkout gate's error as it shows on a cart line: its ``cart_code``, its message,
    and the available quantity of a pooled seat limit (PC:developer/cart-resources.md)."""
    if isinstance(exc, SeatPoolExceeded):
        return LineError(CART_MAX_SEATS_EXCEEDED, exc.message, available_quantity=exc.available)
    if isinstance(exc, OrderError):
        return LineError(exc.cart_code, exc.message)
    return LineError(CART_UNABLE_TO_PROCESS, exc.message)


# --- the price of a line ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayFraction:
    """A share of a period counted in whole UTC days (``days`` of ``of_days``): proration
    is by day (rules.md §9c, §9f: the first short term of a custom end date is prorated)."""

    days: int
    of_days: int

    def __post_init__(self) -> None:
        if not 0 < self.days <= self.of_days:
            raise ValueError(f"need 0 < days <= of_days, got {self.days}/{self.of_days}")

    @property
    def whole(self) -> bool:
        return self.days == self.of_days


WHOLE = DayFraction(1, 1)


def served_fraction(start: date, end: date, full_end: date) -> DayFraction:
    """The share of a period from ``start`` to its normal inclusive ``full_end`` that a
    shortened inclusive ``end`` serves, by day: a P1Y term from 2022-07-15 (full end
    2023-07-14, 365 days) cut to 2023-06-30 serves 351/365 (rules.md §9f)."""
    if not start <= end <= full_end:
        raise ValueError(f"need start <= end <= full end, got {start}, {end}, {full_end}")
    return DayFraction((end - start).days + 1, (full_end - start).days + 1)


@dataclass(frozen=True, slots=True)
class LinePricing:
    """The price of one order line. ``unit_price`` and ``list_price`` are the locked
    partner price for the whole term, exact; ``extended_price`` is what the first term
    commits (unit × quantity × the served share of a shortened term); ``charge`` is what
    the purchase bills now. Both are rounded once with ``core.money``'s policy."""

    unit_price: Money
    list_price: Money
    extended_price: Money
    charge: Money


def price_line(
    unit_price: Money,
    quantity: int,
    term: TermDuration,
    plan: BillingPlan,
    *,
    first_term: DayFraction = WHOLE,
    first_period: DayFraction = WHOLE,
) -> LinePricing:
    """Price a line from the price list's unit price, which is the partner price for the
    whole term (``pricing.queries.unit_price``; rules.md §9b):

    - perpetual software (``one_time``): unit × quantity, charged now, no term;
    - a trial (``none``): nothing charged;
    - upfront (the plan's period is the term): the whole first term now, prorated by day
      when a custom end date shortens it (``first_term``);
    - periodic (P1Y or P3Y billed monthly or annually): one period's share now, 1/12 of
      a P1Y a month, 1/3 of a P3Y a year, prorated by day when the first period is short
      (``first_period``), the price being locked for the term.

    Each amount is one seat's share rounded once, times the seats, as the bill run
    charges it (``billing.cycles.seat_amount``; file-formats.md §8c: Subtotal =
    effective unit price × quantity), so the order and its invoice agree to the cent.
    """
    if isinstance(quantity, bool) or quantity < 1:
        raise ValueError("quantity must be at least 1")
    currency = unit_price.currency
    seat = unit_price.amount
    term_months = TERM_MONTHS.get(term)
    extended = _share(seat, first_term.days, first_term.of_days, currency) * quantity
    if plan is BillingPlan.ONE_TIME or term_months is None:
        extended = _share(seat, 1, 1, currency) * quantity
        charge = extended
    elif plan is BillingPlan.NONE:
        charge = Money.zero(currency)
    elif PERIOD_MONTHS[plan] >= term_months:
        charge = extended
    else:
        charge = (
            _share(
                seat,
                PERIOD_MONTHS[plan] * first_period.days,
                term_months * first_period.of_days,
                currency,
            )
            * quantity
        )
    return LinePricing(unit_price, unit_price, extended, charge)


def _share(seat: Decimal, numerator: int, denominator: int, currency: Currency) -> Money:
    """One seat's ``numerator / denominator`` of the term, rounded once."""
    return Money(seat_amount(seat, Fraction(numerator, denominator), currency), currency)


def order_total(lines: Iterable[LinePricing], currency: Currency) -> Money:
    """``totalPrice``: the sum of the lines' rounded charges, never re-rounded (DESIGN.md
    §4: totals are sums of rounded lines)."""
    result = Money.zero(currency)
    for line in lines:
        result = result + line.charge
    return result


# --- orders ----------------------------------------------------------------------------


class OrderStatus(WireEnum):
    """``Order.status`` (PC:developer/order-resources.md ``OrderStatus``) — the values an
    opencsp order takes; the enum's other values never occur here."""

    PENDING = "pending"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.COMPLETED, OrderStatus.CANCELLED}),
    OrderStatus.COMPLETED: frozenset({OrderStatus.CANCELLED}),
    OrderStatus.CANCELLED: frozenset(),
}
"""An order completes when provisioned; a completed order is cancelled only by the order
PATCH that cancels software or perpetual purchases in their window
(PC:developer/cancel-software-purchases.md); cancelled is final."""


def ensure_order_transition(current: OrderStatus, target: OrderStatus) -> OrderStatus:
    if target not in ORDER_TRANSITIONS[current]:
        raise InvalidOrderTransition(current=current.value, target=target.value)
    return target


class OrderTransactionType(WireEnum):
    """``Order.transactionType`` (PC:developer/order-resources.md): a partner's purchase,
    or what the system buys (renewals) or bills."""

    USER_PURCHASE = "UserPurchase"
    SYSTEM_PURCHASE = "SystemPurchase"
    SYSTEM_BILLING = "SystemBilling"


class LineTransactionType(WireEnum):
    """``lineItems[].transactionType``, written as the samples write it (``New``)."""

    NEW = "New"
    RENEW = "Renew"
    ADD_QUANTITY = "AddQuantity"
    REMOVE_QUANTITY = "RemoveQuantity"
    CANCEL = "Cancel"
    CONVERT = "Convert"
    CUSTOMER_CREDIT = "CustomerCredit"


def order_billing_cycle(plans: Iterable[BillingPlan]) -> BillingPlan:
    """``Order.billingCycle``: ``one_time`` for an order of one-time purchases, otherwise
    ``monthly`` (the samples: the checkout of perpetual software and reservations is a
    ``one_time`` order, every subscription order ``monthly``)."""
    seen = set(plans)
    if seen and seen <= {BillingPlan.ONE_TIME}:
        return BillingPlan.ONE_TIME
    return BillingPlan.MONTHLY


_ORDER_ID = re.compile(r"[0-9a-f]{12}")


def order_id(value: uuid.UUID) -> str:
    """An order's ``id`` (and ``alternateId``): 12 lowercase hex characters, as in the new
    commerce samples (``a68736758d9c``). The first 12 hex digits of a random (version 4)
    UUID are all random — 48 bits — so the service passes ``uuid.uuid4()`` and relies on
    the primary key to catch the rare collision and retry."""
    return value.hex[:12]


def parse_order_id(value: str) -> str:
    """An ``{order-id}`` path segment read case-insensitively; anything that cannot be an
    opencsp order ID is not found (20000)."""
    text = value.strip().lower()
    if not _ORDER_ID.fullmatch(text):
        raise OrderNotFound()
    return text
