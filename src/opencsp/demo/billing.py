"""The demo's billing (issue 6 "Demo data"): the bill run of every month as it ends, and
the payments partners make afterwards, through the real services on the test clock.

- **Bill runs.** At the first jobs day of a new month, after the renewals, every ended
  month not billed yet is billed, in order, as the ``billing.run`` job does
  (``billing.run.run_due``, rules.md §9b: the period is a calendar month): the vendor's
  invoices to direct-bill partners and providers, the providers' to their resellers and
  the partners' to their customers. The story ends with the 12 months before the current
  one closed and the current month's lines unbilled.
- **Payments** (``billing.payments.record_payment``, by the document's seller: the
  vendor's Billing operator, a partner's Global admin), planned per invoice as it is
  issued (``pays``) and recorded at their instants among the story's other steps:

  - most invoices are paid in full 2 to 6 weeks after their invoice date (one that
    would be paid after now is still open: not due yet, net 60, rules.md §11);
  - ``PROMPT_PAYER`` pays the vendor by direct debit on the invoice date, so its
    resellers' revenue counts as soon as a month is billed (``reporting.ttm`` counts
    paid invoices only);
  - ``LATE_PAYER`` pays the vendor five weeks after the due date, so its latest invoice
    past due is always still open: it is delinquent today (rules.md §11 "late payment
    means delinquency");
  - ``PARTIAL_PAYER`` pays half of one vendor invoice not due yet on its invoice date
    (``partial_period``), the rest still owed.

- **One reseller just above USD 300,000** (issue 7's demo): the featured ``top_up`` deal
  is sized by ``window_so_far`` and ``seats_to_reach`` (``demo.commerce``).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.auth import queries as auth_queries
from opencsp.auth.rules import Role
from opencsp.billing import invoices, payments, run, unbilled
from opencsp.billing.invoices import DocumentType
from opencsp.billing.models import VENDOR, Invoice
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.money import Money
from opencsp.demo.commerce_plan import MONTHS
from opencsp.demo.parties import PARTNERS
from opencsp.demo.parties import VENDOR as DEMO_VENDOR
from opencsp.orders import checkout
from opencsp.orders.rules import CartLineRequest
from opencsp.pricing import queries as pricing_queries
from opencsp.reporting import ttm
from opencsp.reporting.rules import (
    DIRECT_BILL_THRESHOLD,
    MEASURE_TYPES,
    Measure,
    add_months,
    month_of,
)

LATE_PAYER = "direct-eu"
"""The direct-bill partner that pays the vendor late (``demo.parties`` key)."""
PARTIAL_PAYER = "direct-us"
"""The direct-bill partner that pays one invoice in part."""
PROMPT_PAYER = "provider-us"
"""The provider that pays the vendor by direct debit on the invoice date."""

PAY_AFTER = (14, 42)
"""Days after the invoice date an invoice is paid in full (drawn, inclusive)."""
LATE_BY = timedelta(days=35)
"""How long after the due date the late payer pays: more than a month, so one invoice
past due is always open."""
PAY_HOUR = time(10, 0, tzinfo=UTC)

BILLING_OPERATOR = next(u.email for u in DEMO_VENDOR.users if u.role is Role.BILLING_OPERATOR)


TOP_UP_MARGIN = Decimal("1500")
"""How far above USD 300,000 the top-up deal brings its reseller (``seats_to_reach``)."""


@dataclass(frozen=True, slots=True)
class Document:
    """An issued invoice as the payment plan sees it."""

    id: str
    seller_key: str
    bill_to_key: str
    period: date
    invoice_date: date
    due_date: date
    total_minor: int
    currency: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Pay:
    """A payment to record at ``at``: ``minor`` units of the invoice's currency."""

    at: datetime
    invoice_id: str
    seller_key: str
    minor: int
    currency: str


def bill_ended_months(session: Session, system: Actor) -> str:
    """Bill every ended month not billed yet, in order, in the caller's session (the
    ``billing.run`` job's ``run_due``); its summary."""

    @contextmanager
    def units() -> Iterator[tuple[Session, Actor]]:
        yield session, system

    return run.run_due(units)


def _at(day: date, doc: Document) -> datetime:
    """The instant a payment of ``day`` is recorded: 10:00 UTC, and never before an hour
    after the invoice was issued."""
    return max(datetime.combine(day, PAY_HOUR), doc.created_at + timedelta(hours=1))


@dataclass(frozen=True, slots=True)
class Habits:
    """The bill-to keys (organization ids) of the partners that pay the vendor their own
    way (module docstring)."""

    late: str | None = None
    partial: str | None = None
    prompt: str | None = None


def partial_period(today: date) -> date:
    """The month whose invoice ``PARTIAL_PAYER`` pays half of: the one two months back,
    or last month's when that one is past due today (net 60 after its invoice date)."""
    two_back = add_months(month_of(today), -2)
    if invoices.due_date(invoices.invoice_date(two_back)) >= today:
        return two_back
    return add_months(month_of(today), -1)


def pays(doc: Document, *, now: datetime, rng: random.Random, habits: Habits) -> Pay | None:
    """The payment of one invoice (module docstring), or None when it is not paid before
    ``now``. Pure; ``rng`` is drawn from for an invoice paid some weeks after its date."""
    if doc.total_minor <= 0:
        return None
    minor, to_vendor = doc.total_minor, doc.seller_key == VENDOR
    if to_vendor and doc.bill_to_key == habits.partial and doc.period == partial_period(now.date()):
        day, minor = doc.invoice_date, doc.total_minor // 2
    elif to_vendor and doc.bill_to_key == habits.prompt:
        day = doc.invoice_date
    elif to_vendor and doc.bill_to_key == habits.late:
        day = doc.due_date + LATE_BY
    else:
        day = doc.invoice_date + timedelta(days=rng.randint(*PAY_AFTER))
    at = _at(day, doc)
    return Pay(at, doc.id, doc.seller_key, minor, doc.currency) if at < now else None


# --- one reseller just above the direct-bill threshold ----------------------------------


def seats_to_reach(target: Decimal, so_far: Decimal, seat_usd: Decimal) -> int:
    """The fewest seats at ``seat_usd`` that take ``so_far`` to ``target`` or more; 0
    when it is there already."""
    if seat_usd <= 0:
        raise ValueError("a seat has a price")
    missing = target - so_far
    return 0 if missing <= 0 else int((missing / seat_usd).to_integral_value(ROUND_CEILING))


def window_so_far(
    session: Session, reseller_id: uuid.UUID, provider_key: str, period: date
) -> Decimal:
    """The reseller's direct-bill figure (USD, ``reporting.ttm``) of the 12 months ending
    with ``period`` as it stands during ``period``: the paid months before it, plus the
    lines ``period`` holds so far on its provider's vendor bill (``billing.unbilled``).
    An online service bought for it now adds to this exactly."""
    start = add_months(period, -(MONTHS - 1))
    known = ttm.monthly_exact(session, start, period, reseller_id)
    total = sum((v for (_, m, _), v in known.items() if m is Measure.DIRECT_BILL), Decimal(0))
    counted = MEASURE_TYPES[Measure.DIRECT_BILL]
    for line in unbilled.preview(session, bill_to_key=provider_key, period=period):
        if line.reseller_organization_id == reseller_id and line.product_type in counted:
            amount = Money.from_minor(line.billed_amount_minor, line.currency).amount
            total += amount * pricing_queries.usd_per_unit(session, line.currency, period)
    return total


def top_up_seats(
    session: Session,
    seller: Actor,
    customer_id: uuid.UUID,
    one_seat: CartLineRequest,
    *,
    reseller_id: uuid.UUID,
    month: date,
) -> int:
    """The seats of ``one_seat``'s item that take the reseller to ``TOP_UP_MARGIN`` above
    USD 300,000 (rules.md §2a) in the 12 months ending with ``month``
    (``window_so_far``). A seat's price is what checkout charges for one, read from an
    order placed and rolled back."""
    with session.begin_nested() as probe:
        order = checkout.place_order(session, seller, customer_id, [one_seat])
        seat = order.total_price * pricing_queries.usd_per_unit(session, order.currency, month)
        probe.rollback()
    so_far = window_so_far(session, reseller_id, str(seller.organization_id), month)
    return seats_to_reach(DIRECT_BILL_THRESHOLD + TOP_UP_MARGIN, so_far, seat)


def _org_key(session: Session, partner_key: str) -> str | None:
    org = next((p for p in PARTNERS if p.key == partner_key), None)
    if org is None:  # not in a market this cloud serves
        return None
    user = auth_queries.user_by_email(session, org.users[0].email)
    return None if user is None else str(user.organization_id)


def _payers(session: Session, actor_of: Callable[[str], Actor]) -> dict[str, Actor]:
    """Who records the payments of each seller: the vendor's Billing operator, each
    partner's first user (its Global admin) where it may (``billing.manage``: an indirect
    reseller may not, so its customers' payments are not recorded)."""
    found = {VENDOR: actor_of(BILLING_OPERATOR)}
    for org in PARTNERS:
        key = _org_key(session, org.key)
        actor = actor_of(org.users[0].email)
        if key is not None and actor.can(Perm.BILLING_MANAGE):
            found[key] = actor
    return found


class Collections:
    """The demo's accounts receivable: plans the payment of each invoice once it is
    issued and records it at its instant."""

    def __init__(
        self, session: Session, actor_of: Callable[[str], Actor], *, now: datetime, seed: int
    ) -> None:
        self.session, self.now = session, now
        self.rng = random.Random(seed)  # noqa: S311 - a reproducible story, not a secret
        self.payers = _payers(session, actor_of)
        self.habits = Habits(
            late=_org_key(session, LATE_PAYER),
            partial=_org_key(session, PARTIAL_PAYER),
            prompt=_org_key(session, PROMPT_PAYER),
        )
        self.planned: set[str] = set()
        self.recorded = 0

    def issued(self) -> list[Pay]:
        """The payments of the invoices issued since the last call, oldest first (one
        query)."""
        rows = self.session.execute(
            select(
                Invoice.id,
                Invoice.seller_key,
                Invoice.bill_to_key,
                Invoice.period,
                Invoice.invoice_date,
                Invoice.due_date,
                Invoice.total_minor,
                Invoice.currency,
                Invoice.created_at,
            )
            .where(
                Invoice.document_type == DocumentType.INVOICE.value,
                Invoice.seller_key.in_(self.payers),
            )
            .order_by(Invoice.invoice_date, Invoice.id)
        )
        found = []
        for doc in (Document(*row) for row in rows):
            if doc.id in self.planned:
                continue
            self.planned.add(doc.id)
            pay = pays(doc, now=self.now, rng=self.rng, habits=self.habits)
            if pay is not None:
                found.append(pay)
        return found

    def record(self, pay: Pay) -> None:
        """Record ``pay`` now (the caller's clock: its instant)."""
        payments.record_payment(
            self.session,
            self.payers[pay.seller_key],
            pay.invoice_id,
            Money.from_minor(pay.minor, pay.currency).amount,
            pay.currency,
            clock.now().date(),
            f"WIRE-{pay.invoice_id}",
            request_id=f"demo-{pay.invoice_id}",
        )
        self.recorded += 1
