"""The credit limit (rules.md §11, PC:credit-limit-enforcement.md).

The vendor sets a partner's limit in USD. Before a new purchase — never a renewal or
ongoing consumption — the partner's available credit is

    available = limit − (incoming purchase + outstanding unpaid invoices
                         + unbilled charges − overpayment)

and a purchase that would leave it below zero is refused with 900121
(``InsufficientCreditLimit``); a purchase exactly equal to what is available passes.
A partner with no ``CreditLimit`` row has no limit: nothing is checked (the default).

Each figure is in USD at the month's FX rate (``pricing`` ``fx_rates``: the USD value of
one unit, one rate for the whole month, rules.md §11), converted per currency and
rounded once to the cent (half-up, ``core.money``):

- **outstanding**: the vendor's issued documents billed to the partner, ``total − paid``
  of every invoice still owed, credit notes netted (``payments.Balance``);
- **overpayment**: what was paid beyond invoices' totals;
- **unbilled**: the orders the partner placed since the first open billing period began
  (the month after the latest closed ``BillingPeriod``, or this month when none is
  closed), at their ``totalPrice`` — what the purchases bill now — not cancelled; and the
  seats it added to subscriptions since then, at the ``addQuantity`` charges the bill run
  will write for them (``seat_charges``). The order rows are read from the ``orders``
  table as the bill run reads them; ``orders`` sits above ``billing`` (DESIGN.md §3), so
  the table is named here, not imported.

A seat increase is a new purchase too (rules.md §11 "new purchases of all products"):
``ensure_credit_for_seats`` runs on every increase (``subscriptions.purchases``), with
the added seats already among the unbilled charges, and refuses it with 900121 when the
available credit would fall below zero.

A checkout takes the partner's ``credit_limits`` row ``FOR UPDATE`` first (PostgreSQL;
SQLite writers are serialized already), so two purchases of one partner are judged one
after the other and cannot overrun the limit together.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import String, Uuid, column, func, select, table
from sqlalchemy.orm import Session

from opencsp.audit import service as audit
from opencsp.auth.errors import OrganizationNotFound
from opencsp.auth.models import Organization
from opencsp.billing import payments
from opencsp.billing.errors import (
    CreditLimitNotApplicable,
    CreditLimitNotFound,
    InsufficientCreditLimit,
    InvalidCreditLimit,
)
from opencsp.billing.lines import midnight, month_of, next_month
from opencsp.billing.models import VENDOR, BillingPeriod, CreditLimit
from opencsp.billing.seat_charges import added_seat_charges
from opencsp.core.actor import Actor, Perm, Tier
from opencsp.core.config import settings
from opencsp.core.errors import PermissionDenied
from opencsp.core.money import Currency, Money, round_amount
from opencsp.core.types import DecimalText, UTCDateTime
from opencsp.pricing.errors import FxRateNotFound
from opencsp.pricing.models import FxRate
from opencsp.subscriptions import purchases
from opencsp.subscriptions.models import Subscription

USD = Currency("USD")
BUYERS = frozenset({Tier.DIRECT_BILL, Tier.INDIRECT_PROVIDER})
"""Who buys from the vendor and so has a credit limit (rules.md §1.3)."""

CANCELLED = "cancelled"

_orders = table(
    "orders",
    column("organization_id", Uuid),
    column("currency", String),
    column("total_price", DecimalText()),
    column("status", String),
    column("created_at", UTCDateTime()),
)
"""The columns of ``orders.models.Order`` that unbilled purchases are read from."""


# --- rules -------------------------------------------------------------------------------


def available(
    limit: Decimal,
    *,
    incoming: Decimal = Decimal(0),
    outstanding: Decimal,
    unbilled: Decimal,
    overpayment: Decimal,
) -> Decimal:
    """``Credit Limit − (Incoming Purchase + Outstanding Unpaid Invoices + Unbilled
    Charges − Overpayment)``, all USD (rules.md §11, PC:credit-limit-enforcement.md)."""
    return limit - (incoming + outstanding + unbilled - overpayment)


def ensure_within_limit(available_after: Decimal) -> None:
    """A purchase that leaves the available credit below zero is refused (900121);
    one that leaves exactly zero passes."""
    if available_after < 0:
        raise InsufficientCreditLimit(contact=settings().credit_contact)


def limit_usd(amount: Decimal) -> Decimal:
    """A limit as set: zero or more dollars in whole cents."""
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        raise InvalidCreditLimit(amount=amount)
    if amount != amount.quantize(USD.quantum):
        raise InvalidCreditLimit(amount=amount)
    return amount.quantize(USD.quantum)


def to_usd(amount: Decimal, currency: str, rates: Mapping[str, Decimal]) -> Decimal:
    """An amount in USD at the month's rate, rounded once to the cent."""
    return round_amount(amount * rates[currency], USD)


# --- reading the figures -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreditPosition:
    """A partner's credit figures, USD (module docstring)."""

    organization_id: uuid.UUID
    limit: Decimal
    outstanding: Decimal
    unbilled: Decimal
    overpayment: Decimal
    unbilled_since: date
    month: date

    @property
    def available(self) -> Decimal:
        return available(
            self.limit,
            outstanding=self.outstanding,
            unbilled=self.unbilled,
            overpayment=self.overpayment,
        )


def first_open_start(session: Session, now: datetime) -> date:
    """The first day of the first open billing period: the month after the latest closed
    one, or ``now``'s month when none is closed."""
    latest = session.scalar(
        select(func.max(BillingPeriod.period)).where(BillingPeriod.status == "closed")
    )
    return next_month(latest) if latest is not None else month_of(now.date())


def month_rates(session: Session, currencies: Iterable[str], month: date) -> dict[str, Decimal]:
    """USD per unit of each currency for the month, in one query (``FxRateNotFound`` for
    a currency with no rate: the figures can't be judged without it)."""
    wanted = set(currencies) - {USD.code}
    rates = {USD.code: Decimal(1)}
    if wanted:
        found = session.execute(
            select(FxRate.currency, FxRate.usd_per_unit).where(
                FxRate.month == month, FxRate.currency.in_(wanted)
            )
        )
        rates.update({code: rate for code, rate in found})
    missing = sorted(wanted - rates.keys())
    if missing:
        raise FxRateNotFound(currency=missing[0], month=f"{month:%Y-%m}")
    return rates


def unbilled_by_currency(
    session: Session, org_ids: Collection[uuid.UUID], since: date
) -> dict[uuid.UUID, dict[str, Decimal]]:
    """The partners' orders placed since ``since`` and not cancelled, summed by currency
    (exact: ``totalPrice`` is already the sum of the lines' rounded charges)."""
    start = midnight(since)
    o = _orders.c
    rows = session.execute(
        select(o.organization_id, o.currency, o.total_price).where(
            o.organization_id.in_(set(org_ids)), o.created_at >= start, o.status != CANCELLED
        )
    )
    out: dict[uuid.UUID, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for org, currency, total in rows:
        out[org][currency] += total
    return out


def positions(
    session: Session, limits: Mapping[uuid.UUID, Decimal], now: datetime
) -> dict[uuid.UUID, CreditPosition]:
    """The credit figures of every partner in ``limits`` (org → limit), set-based: one
    query for the first open period, one for the balances, one for the orders, one for
    the rates."""
    return _positions(session, limits, now)[0] if limits else {}


def _positions(
    session: Session,
    limits: Mapping[uuid.UUID, Decimal],
    now: datetime,
    *,
    also: Iterable[str] = (),
) -> tuple[dict[uuid.UUID, CreditPosition], dict[str, Decimal]]:
    """``positions``, and the month's rates of their currencies and of ``also``."""
    month = month_of(now.date())
    since = first_open_start(session, now)
    keys = [str(org) for org in limits]
    owed = payments.balances(session, today=now.date(), seller_key=VENDOR, bill_to_keys=keys)
    orders = unbilled_by_currency(session, limits.keys(), since)
    for org, per in added_seat_charges(session, limits.keys(), since, now).items():
        for currency, amount in per.items():
            orders[org][currency] += amount
    currencies = {b.currency for b in owed} | {c for per in orders.values() for c in per}
    currencies |= set(also)
    rates = month_rates(session, currencies, month)
    outstanding: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    overpaid: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    for b in owed:
        org = uuid.UUID(b.bill_to_key)
        net = b.money(b.unpaid_minor + b.credit_notes_minor).amount
        outstanding[org] += to_usd(net, b.currency, rates)
        overpaid[org] += to_usd(b.money(b.overpaid_minor).amount, b.currency, rates)
    found = {
        org: CreditPosition(
            organization_id=org,
            limit=limit,
            outstanding=outstanding[org],
            unbilled=sum((to_usd(v, c, rates) for c, v in orders.get(org, {}).items()), Decimal(0)),
            overpayment=overpaid[org],
            unbilled_since=since,
            month=month,
        )
        for org, limit in limits.items()
    }
    return found, rates


def credit_position(session: Session, org_id: uuid.UUID, now: datetime) -> CreditPosition | None:
    """A partner's credit figures, or None when it has no limit."""
    row = session.get(CreditLimit, org_id)
    if row is None:
        return None
    return positions(session, {org_id: row.limit_usd}, now)[org_id]


def available_credit(session: Session, org_id: uuid.UUID, now: datetime) -> Decimal | None:
    """``limit − (outstanding + unbilled − overpayment)`` in USD before any new purchase;
    None when the partner has no limit (module docstring)."""
    found = credit_position(session, org_id, now)
    return None if found is None else found.available


def _locked_limit(session: Session, org_id: uuid.UUID) -> CreditLimit | None:
    """The partner's limit row, locked until the purchase commits (module docstring)."""
    return session.scalar(
        select(CreditLimit).where(CreditLimit.organization_id == org_id).with_for_update()
    )


def ensure_credit_for(
    session: Session, org_id: uuid.UUID, purchase: Money, *, now: datetime
) -> CreditPosition | None:
    """Refuse a new purchase beyond the partner's available credit (900121); nothing is
    checked without a limit. Renewals never come here (rules.md §11). The limit row is
    locked until the purchase commits (module docstring)."""
    row = _locked_limit(session, org_id)
    if row is None:
        return None
    code = purchase.currency.code
    found, rates = _positions(session, {org_id: row.limit_usd}, now, also=[code])
    position = found[org_id]
    ensure_within_limit(position.available - to_usd(purchase.amount, code, rates))
    return position


@purchases.register
def ensure_credit_for_seats(session: Session, sub: Subscription, now: datetime) -> None:
    """Refuse a seat increase beyond the partner's available credit (900121; module
    docstring). The increase and its event are in the session: flushed, its
    ``addQuantity`` charge is among the unbilled charges, so nothing is counted twice."""
    org_id = sub.organization_id
    row = _locked_limit(session, org_id)
    if row is None:
        return
    session.flush()
    found, _ = _positions(session, {org_id: row.limit_usd}, now)
    ensure_within_limit(found[org_id].available)


# --- setting the limit -------------------------------------------------------------------


def _ensure_operator(actor: Actor) -> None:
    if not (actor.is_vendor and actor.can(Perm.BILLING_OPERATE)):
        raise PermissionDenied()


def _buyer(session: Session, org_id: uuid.UUID) -> Organization:
    org = session.get(Organization, org_id)
    if org is None or org.tier == Tier.VENDOR.value:
        raise OrganizationNotFound(organization_id=org_id)
    if org.tier not in BUYERS:
        raise CreditLimitNotApplicable(organization=org.name)
    return org


def set_credit_limit(
    session: Session, actor: Actor, org_id: uuid.UUID, amount: Decimal, *, now: datetime
) -> CreditLimit:
    """Set (or change) a partner's limit in USD; the vendor's Billing operator only."""
    _ensure_operator(actor)
    value = limit_usd(amount)
    org = _buyer(session, org_id)
    row = session.get(CreditLimit, org.id)
    old = None if row is None else {"limit": str(row.limit_usd)}
    if row is None:
        row = CreditLimit(organization_id=org.id, limit_usd=value)
        session.add(row)
    row.limit_usd = value
    row.updated_by = actor.user_id
    row.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "update_credit_limit",
        "credit",
        resource_id=org.id,
        old=old,
        new={"limit": str(value), "currencyCode": USD.code},
        partner_id=org.id,
    )
    return row


def remove_credit_limit(session: Session, actor: Actor, org_id: uuid.UUID) -> None:
    """Take a partner's limit away: it has no limit again (the default)."""
    _ensure_operator(actor)
    row = session.get(CreditLimit, org_id)
    if row is None:
        raise CreditLimitNotFound(organization=org_id)
    old = {"limit": str(row.limit_usd)}
    session.delete(row)
    session.flush()
    audit.record(
        session,
        actor,
        "remove_credit_limit",
        "credit",
        resource_id=org_id,
        old=old,
        partner_id=org_id,
    )


def get_credit_position(
    session: Session, actor: Actor, org_id: uuid.UUID, now: datetime
) -> CreditPosition:
    """A partner's limit and figures: the vendor's billing readers see any partner's, a
    partner its own; no limit, or a partner it may not see, is 404."""
    visible = (actor.is_vendor and actor.can(Perm.BILLING_READ)) or (
        actor.organization_id == org_id
    )
    found = credit_position(session, org_id, now) if visible else None
    if found is None:
        raise CreditLimitNotFound(organization=org_id)
    return found


# --- billing accounts (the console's list) -----------------------------------------------


@dataclass(frozen=True, slots=True)
class Account:
    """A partner buying from the vendor: its limit and credit figures (None without a
    limit) and its balances with the vendor per currency."""

    organization_id: uuid.UUID
    name: str
    tier: str
    position: CreditPosition | None
    balances: list[payments.Balance]

    @property
    def is_delinquent(self) -> bool:
        return any(b.is_delinquent for b in self.balances)


def accounts(
    session: Session, actor: Actor, now: datetime, *, offset: int = 0, size: int = 100
) -> tuple[list[Account], int]:
    """A page of billing accounts by name, and how many there are: every direct-bill
    partner and indirect provider for the vendor's billing readers; a partner's own
    account for a partner. Set-based for the page (``positions``)."""
    stmt = select(Organization.id, Organization.name, Organization.tier).where(
        Organization.tier.in_([t.value for t in BUYERS])
    )
    if not actor.is_vendor:
        stmt = stmt.where(Organization.id == actor.organization_id)
    elif not actor.can(Perm.BILLING_READ):
        return [], 0
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = session.execute(
        stmt.order_by(Organization.name, Organization.id).offset(offset).limit(size)
    ).all()
    ids = [row[0] for row in page]
    limits: dict[uuid.UUID, Decimal] = {
        org: limit
        for org, limit in session.execute(
            select(CreditLimit.organization_id, CreditLimit.limit_usd).where(
                CreditLimit.organization_id.in_(ids)
            )
        )
    }
    found = positions(session, limits, now)
    owed: dict[str, list[payments.Balance]] = defaultdict(list)
    for b in payments.balances(
        session, today=now.date(), seller_key=VENDOR, bill_to_keys=[str(i) for i in ids]
    ):
        owed[b.bill_to_key].append(b)
    out = [
        Account(org_id, name, tier, found.get(org_id), owed.get(str(org_id), []))
        for org_id, name, tier in page
    ]
    return out, total
