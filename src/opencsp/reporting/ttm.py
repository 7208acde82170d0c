"""Trailing-twelve-month revenue per partner in USD (rules.md §2a, §3.4–3.5; issue 6
"Revenue"), set-based.

One statement gives every partner's paid revenue by month, currency and product type:
the vendor's charge lines (tier ``vendor``) joined to the document each belongs to
(same seller, bill-to, period, currency and type), kept when the document is paid
(``rules.is_paid``: ``paid_minor >= total_minor``), once attributed to the reseller of
record and once to the bill-to (``rules.Role``). Each (month, currency) sum is put in
USD at that month's FX rate exactly, and each figure is rounded once (``rules``). The
figures of one partner come from the same statement restricted to it, so the list for
all partners and ``ttm_for`` cannot disagree; ``ttm_lines`` lists the charge lines
behind one figure, with USD parts that add up to it to the cent.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, func, literal, select, union_all
from sqlalchemy.orm import Session

from opencsp.auth.models import Organization
from opencsp.billing.models import VENDOR, Charge, Invoice
from opencsp.core.actor import Tier
from opencsp.core.money import Money
from opencsp.pricing.models import FxRate
from opencsp.reporting import rules
from opencsp.reporting.errors import RevenueRateMissing
from opencsp.reporting.rules import Measure, Role

MonthlyKey = tuple[uuid.UUID, Measure, date]


@dataclass(frozen=True, slots=True)
class Ttm:
    """A partner's three figures as of an instant, in USD rounded once each."""

    organization_id: uuid.UUID
    start: date
    end: date
    direct_bill: Decimal = Decimal("0.00")
    reseller_floor: Decimal = Decimal("0.00")
    billed: Decimal = Decimal("0.00")

    def figure(self, measure: Measure) -> Decimal:
        return {
            Measure.DIRECT_BILL: self.direct_bill,
            Measure.RESELLER_FLOOR: self.reseller_floor,
            Measure.BILLED: self.billed,
        }[measure]

    @property
    def meets_direct_bill(self) -> bool:
        """USD 300,000 or more as an indirect reseller (rules.md §2a)."""
        return self.direct_bill >= rules.DIRECT_BILL_THRESHOLD

    @property
    def meets_reseller_floor(self) -> bool:
        """USD 1,000 or more; below it a reseller tenant is subject to termination
        (rules.md §3.4)."""
        return self.reseller_floor >= rules.RESELLER_FLOOR


@dataclass(frozen=True, slots=True)
class TtmLine:
    """One charge line behind a figure: its document, amount in the billing currency,
    the month's rate, its exact USD value and its part of the rounded figure."""

    charge_id: int
    invoice_id: str
    document_type: str
    period: date
    charge_type: str
    product_id: str
    sku_id: str
    product_type: str
    subscription_id: uuid.UUID | None
    customer_id: uuid.UUID | None
    bill_to_organization_id: uuid.UUID | None
    reseller_organization_id: uuid.UUID | None
    quantity: int
    amount: Decimal
    currency: str
    usd_per_unit: Decimal
    usd_exact: Decimal
    usd: Decimal


@dataclass(frozen=True, slots=True)
class TtmDrill:
    organization_id: uuid.UUID
    measure: Measure
    start: date
    end: date
    figure: Decimal
    lines: list[TtmLine] = field(default_factory=list)


def _org_column(role: Role) -> Any:
    return (
        Charge.reseller_organization_id if role is Role.RESELLER else Charge.bill_to_organization_id
    )


def _counted(role: Role, start: date, end: date, org_id: uuid.UUID | None) -> list[Any]:
    """The conditions of a counted line (module docstring)."""
    c, i = Charge, Invoice
    types = set().union(*(rules.MEASURE_TYPES[m] for m in Measure if rules.MEASURE_ROLE[m] is role))
    org = _org_column(role)
    found: list[ColumnElement[bool]] = [
        c.tier == VENDOR,
        c.seller_key == VENDOR,
        c.period >= start,
        c.period < end,
        c.product_type.in_(sorted(types)),
        org.is_not(None),
        i.paid_minor >= i.total_minor,  # rules.is_paid
    ]
    if org_id is not None:
        found.append(org == org_id)
    return found


def document_join() -> ColumnElement[bool]:
    c, i = Charge, Invoice
    return and_(
        i.seller_key == c.seller_key,
        i.bill_to_key == c.bill_to_key,
        i.period == c.period,
        i.currency == c.currency,
        i.document_type == c.document_type,
    )


def _grouped(role: Role, start: date, end: date, org_id: uuid.UUID | None) -> Select[Any]:
    c = Charge
    org = _org_column(role)
    return (
        select(
            literal(role.value, String).label("role"),
            org.label("org"),
            c.period,
            c.currency,
            c.product_type,
            func.sum(c.billed_amount_minor).label("amount"),
        )
        .select_from(c)
        .join(Invoice, document_join())
        .where(*_counted(role, start, end, org_id))
        .group_by(org, c.period, c.currency, c.product_type)
    )


def rates(session: Session, start: date, end: date) -> dict[tuple[date, str], Decimal]:
    """Every FX rate of the months ``[start, end)`` (USD per unit; USD is 1)."""
    found = {
        (month, currency): rate
        for month, currency, rate in session.execute(
            select(FxRate.month, FxRate.currency, FxRate.usd_per_unit).where(
                FxRate.month >= start, FxRate.month < end
            )
        )
    }
    for month in rules.months(start, end):
        found[(month, "USD")] = Decimal(1)
    return found


def rate_of(found: dict[tuple[date, str], Decimal], month: date, currency: str) -> Decimal:
    rate = found.get((month, currency))
    if rate is None:
        raise RevenueRateMissing(currency=currency, month=f"{month:%Y-%m}")
    return rate


def monthly_exact(
    session: Session, start: date, end: date, org_id: uuid.UUID | None = None
) -> dict[MonthlyKey, Decimal]:
    """Exact USD per (partner, figure, month) over ``[start, end)``: one statement for
    every partner, or for ``org_id`` alone."""
    stmt = union_all(*(_grouped(role, start, end, org_id) for role in Role))
    found_rates = rates(session, start, end)
    totals: dict[MonthlyKey, Decimal] = defaultdict(Decimal)
    for role, org, period, currency, product_type, amount in session.execute(stmt):
        usd = rules.usd_exact(int(amount), currency, rate_of(found_rates, period, currency))
        for measure in rules.measures_for(Role(role), product_type):
            totals[(org, measure, period)] += usd
    return dict(totals)


def _figures(org_id: uuid.UUID, start: date, end: date, exact: dict[Measure, Decimal]) -> Ttm:
    def figure(m: Measure) -> Decimal:
        return rules.round_usd(exact.get(m, Decimal(0)))

    return Ttm(
        organization_id=org_id,
        start=start,
        end=end,
        direct_bill=figure(Measure.DIRECT_BILL),
        reseller_floor=figure(Measure.RESELLER_FLOOR),
        billed=figure(Measure.BILLED),
    )


def _sum_by_partner(monthly: dict[MonthlyKey, Decimal]) -> dict[uuid.UUID, dict[Measure, Decimal]]:
    sums: dict[uuid.UUID, dict[Measure, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for (org, measure, _month), usd in monthly.items():
        sums[org][measure] += usd
    return sums


def partner_ids(session: Session) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(Organization.id)
            .where(Organization.tier != Tier.VENDOR.value)
            .order_by(Organization.name, Organization.id)
        )
    )


def ttm_all(session: Session, as_of: datetime | date) -> dict[uuid.UUID, Ttm]:
    """Every partner's figures as of ``as_of`` (zero for a partner with no paid revenue
    in the window), from one revenue statement."""
    start, end = rules.window(as_of)
    sums = _sum_by_partner(monthly_exact(session, start, end))
    return {org: _figures(org, start, end, sums.get(org, {})) for org in partner_ids(session)}


def ttm_for(session: Session, org_id: uuid.UUID, as_of: datetime | date) -> Ttm:
    """One partner's figures as of ``as_of`` (the statement of ``ttm_all`` for it alone)."""
    start, end = rules.window(as_of)
    sums = _sum_by_partner(monthly_exact(session, start, end, org_id))
    return _figures(org_id, start, end, sums.get(org_id, {}))


def ttm_lines(
    session: Session, org_id: uuid.UUID, as_of: datetime | date, measure: Measure
) -> TtmDrill:
    """The charge lines behind one figure, by month, document and line, each with its
    USD value at the month's rate; their ``usd`` parts add up to the figure exactly
    (``rules.allocate_rounded``)."""
    start, end = rules.window(as_of)
    role = rules.MEASURE_ROLE[measure]
    c = Charge
    stmt = (
        select(c, Invoice.id)
        .join(Invoice, document_join())
        .where(*_counted(role, start, end, org_id))
        .where(c.product_type.in_(sorted(rules.MEASURE_TYPES[measure])))
        .order_by(c.period, Invoice.id, c.id)
    )
    rows = session.execute(stmt).all()
    found_rates = rates(session, start, end)
    exact = []
    for charge, _number in rows:
        rate = rate_of(found_rates, charge.period, charge.currency)
        exact.append((rate, rules.usd_exact(charge.billed_amount_minor, charge.currency, rate)))
    parts = rules.allocate_rounded([usd for _rate, usd in exact])
    lines = [
        _line(charge, number, rate, usd, part)
        for (charge, number), (rate, usd), part in zip(rows, exact, parts, strict=True)
    ]
    figure = rules.round_usd(rules.sum_exact(usd for _rate, usd in exact))
    return TtmDrill(org_id, measure, start, end, figure, lines)


def _line(charge: Charge, number: str, rate: Decimal, usd: Decimal, part: Decimal) -> TtmLine:
    return TtmLine(
        charge_id=charge.id,
        invoice_id=number,
        document_type=charge.document_type,
        period=charge.period,
        charge_type=charge.charge_type,
        product_id=charge.product_id,
        sku_id=charge.sku_id,
        product_type=charge.product_type,
        subscription_id=charge.subscription_id,
        customer_id=charge.customer_id,
        bill_to_organization_id=charge.bill_to_organization_id,
        reseller_organization_id=charge.reseller_organization_id,
        quantity=charge.quantity,
        amount=Money.from_minor(charge.billed_amount_minor, charge.currency).amount,
        currency=charge.currency,
        usd_per_unit=rate,
        usd_exact=usd,
        usd=part,
    )


def organizations(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Organization]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {
        o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(wanted)))
    }
