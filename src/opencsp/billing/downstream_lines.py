"""The downstream lines of one vendor line (issue 6, "Downstream billing"), line by line:
the pure pricing rules, and the Python path that applies them in keyset batches. The
set-based bill run (``billing.downstream``) computes the same lines in SQL from the same
rules resolved once per distinct combination; this module is its oracle in the tests and
its path for the rare lines it leaves here (a vendor key too long to prefix in SQL, or
amounts beyond the 64-bit integer arithmetic it checks for).

For every vendor-tier line of the period:

- with a reseller (an indirect provider's sale): a ``provider`` line, seller the provider
  (the vendor line's bill-to), bill-to the reseller, cost the vendor line's billed amount;
  and a ``partner`` line, seller the reseller, bill-to the customer, cost the provider
  line's amount;
- without one (a direct-bill partner, or a provider selling without a reseller): a
  ``partner`` line, seller the vendor line's bill-to, bill-to the customer, cost the
  vendor line's billed amount.

Price per seat = the seller's cost per seat × (1 + percent / 100) of its most specific
price rule (``price_rules.resolve``), rounded half-up once at the minor unit; amount =
each × seats, exactly. With no rule: a provider adds ``reseller_default_markup_percent``;
a partner bills its customer the ERP price of the month's price-list row for the line's
SKU, term and plan — the same share of the ERP as the vendor line is of the partner price
(``each = vendor each × ERP / UnitPrice``, an exact fraction: no division is rounded
before the seat is), so a monthly cycle of an annual term pays ERP/12 — and at cost where
the row has no ERP [inferred]. Each line keeps its factor and what it multiplied
(``price_ratio``, ``ratio_of``). A credit that names the charge it gives back
(``offsets_key``) is priced with that charge's factor on the same basis, so a rule or a
price list that changed in between never makes a refund differ from the charge it
returns (rules.md §11, "Cost basis"); a credit whose charge has no factor recorded
takes the rules in force when it accrues.

Currency: a seller bills downstream in the currency it is billed in (v1: the vendor
line's billing currency). The line is priced in the vendor line's pricing currency and
billed at the rate and date the vendor line carries, by the same seat-based formula
(``fx.billed_each``: ``ROUNDDOWN(each × PCToBCExchangeRate)``, file-formats.md §8c), so
its reconciliation row checks against it to the minor unit and a credit, converted at its
charge's rate, gives back exactly what that line billed. ``cost_minor`` keeps the
seller's cost, so margin = billed − cost, shown to the seller only."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import ColumnElement, and_, select, tuple_
from sqlalchemy.orm import Session

from opencsp.billing import fx
from opencsp.billing import price_rules as rules
from opencsp.billing.bulk import write_rows
from opencsp.billing.models import Charge
from opencsp.core.config import settings
from opencsp.pricing.models import PriceList, PriceRow
from opencsp.pricing.rules import ListStatus, pick_row

VENDOR_TIER, PROVIDER_TIER, PARTNER_TIER = "vendor", "provider", "partner"
COST, VENDOR_EACH = "cost", "vendor"
"""What a downstream line's factor multiplied: the seller's cost per seat, or the vendor
line's (the ERP default)."""
BATCH = 2000
KEY_LENGTH = 200

ErpKey = tuple[str, str, str, str, str, str]
"""(market, product, SKU, term, plan, currency) of a price-list row."""


# --- pure rules --------------------------------------------------------------------------


def scaled(each_minor: int, ratio: Fraction) -> int:
    """A seat's price in minor units: the cost per seat times ``ratio``, exactly, rounded
    half-up (away from zero on a tie, so a credit mirrors its charge) once, at the minor
    unit (DESIGN.md §4: one rounding policy, once per line)."""
    exact = each_minor * ratio
    whole = (abs(exact.numerator) * 2 + exact.denominator) // (exact.denominator * 2)
    return -whole if exact < 0 else whole


def marked_up(unit_price: Decimal, percent: Decimal) -> tuple[Fraction, Decimal]:
    """A price rule's (or the default markup's) factor on the cost as an exact fraction,
    and the term price it shows (``price_rules.factor``)."""
    multiplier = rules.factor(percent)
    return Fraction(multiplier), unit_price * multiplier


def erp_share(erp_price: Decimal, unit_price: Decimal) -> Fraction | None:
    """The ERP default's factor on the vendor line: ERP / UnitPrice, exact; None (bill at
    cost) for a free unit price."""
    if not unit_price:
        return None
    return Fraction(erp_price) / Fraction(unit_price)


def ratio_text(ratio: Fraction) -> str:
    """A factor as stored on its line (``num/den``, lowest terms; ``Fraction`` reads it)."""
    return f"{ratio.numerator}/{ratio.denominator}"


@dataclass(frozen=True, slots=True)
class Pricing:
    """How a downstream line is priced from a base line: the base's per-seat amount in
    the pricing currency, times ``ratio``; ``unit_price`` the term price it
    shows; ``basis`` which base that is (``COST`` or ``VENDOR_EACH``)."""

    each_minor: int
    ratio: Fraction
    unit_price: Decimal
    basis: str = COST


def mirrored(credited: Mapping[str, Any] | None, vendor: Pricing, cost: Pricing) -> Pricing | None:
    """A credit's pricing from the line of its tier it gives back (module docstring): that
    line's factor on the same basis and its unit price; None when there is no such line or
    it has no factor recorded."""
    if credited is None or not credited["price_ratio"]:
        return None
    basis = VENDOR_EACH if credited["ratio_of"] == VENDOR_EACH else COST
    base = vendor if basis == VENDOR_EACH else cost
    return Pricing(
        base.each_minor, Fraction(credited["price_ratio"]), credited["unit_price"], basis
    )


def downstream_key(vendor_key: str, tier: str) -> str:
    """The line's own key: the vendor line's, with its tier (a digest when too long)."""
    key = f"{tier}:{vendor_key}"
    if len(key) <= KEY_LENGTH:
        return key
    return f"{tier}:sha256:{hashlib.sha256(vendor_key.encode()).hexdigest()}"


def line(
    base: Mapping[str, Any],
    pricing: Pricing,
    *,
    tier: str,
    cost_minor: int,
    seller: uuid.UUID,
    bill_to_org: uuid.UUID | None,
    bill_to_key: str,
    now: datetime,
) -> dict[str, Any]:
    """A downstream row: the vendor line's facts, the new parties and the new price."""
    each = scaled(pricing.each_minor, pricing.ratio)
    billed = fx.billed_each(each, fx.recorded(base))
    row = dict(base)
    row.pop("id", None)
    row.update(
        tier=tier,
        key=downstream_key(base["key"], tier),
        seller_key=str(seller),
        seller_organization_id=seller,
        bill_to_key=bill_to_key,
        bill_to_organization_id=bill_to_org,
        unit_price=pricing.unit_price,
        each_minor=each,
        amount_minor=each * base["quantity"],
        billed_each_minor=billed,
        billed_amount_minor=billed * base["quantity"],
        cost_minor=cost_minor,
        price_ratio=ratio_text(pricing.ratio),
        ratio_of=pricing.basis,
        created_at=now,
    )
    return row


def erp_key(row: Mapping[str, Any]) -> ErpKey:
    return (
        row["market_id"] or "",
        row["product_id"],
        row["sku_id"],
        row["term_duration"],
        row["billing_plan"],
        row["pricing_currency"],
    )


def erp_quantity(quantity: int) -> int:
    """The seats a price row's tier range is matched against (a credit's are its own)."""
    return max(1, abs(quantity))


class Pricer:
    """The rules and ERP rows a period's lines need, read once per seller and SKU."""

    def __init__(self, session: Session, period: date) -> None:
        self.session = session
        self.period = period
        self.rules: dict[uuid.UUID, dict[rules.Scope, Decimal]] = {}
        self.erp: dict[ErpKey, list[PriceRow]] = {}
        self.credited: dict[tuple[str, str], Mapping[str, Any]] = {}
        self.default_markup = settings().reseller_default_markup_percent

    def load(self, batch: Sequence[Mapping[str, Any]]) -> None:
        sellers = set()
        for row in batch:
            sellers.add(row["bill_to_organization_id"])
            if row["reseller_organization_id"] is not None:
                sellers.add(row["reseller_organization_id"])
        self.rules.update(rules.rules_of(self.session, sellers - self.rules.keys()))
        wanted = {erp_key(row) for row in batch} - self.erp.keys()
        self.erp.update(erp_rows(self.session, self.period, wanted))
        self.credited = credited_lines(self.session, batch)

    def credit_of(self, tier: str, row: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The line of ``tier`` that the vendor credit ``row`` gives back, if written."""
        if not row["offsets_key"]:
            return None
        return self.credited.get((tier, downstream_key(row["offsets_key"], tier)))

    def markup(self, seller: uuid.UUID, buyer: str, row: Mapping[str, Any]) -> Decimal | None:
        return rules.resolve(self.rules.get(seller, {}), buyer, row["product_id"], row["sku_id"])

    def provider(self, row: Mapping[str, Any]) -> Pricing:
        """The provider's price to its reseller: as the charge a credit gives back, else its
        rule, else the default markup."""
        vendor = vendor_pricing(row)
        again = mirrored(self.credit_of(PROVIDER_TIER, row), vendor, vendor)
        if again is not None:
            return again
        found = self.markup(
            row["bill_to_organization_id"], str(row["reseller_organization_id"]), row
        )
        ratio, unit = marked_up(row["unit_price"], self.default_markup if found is None else found)
        return Pricing(row["each_minor"], ratio, unit)

    def partner(self, seller: uuid.UUID, row: Mapping[str, Any], cost: Pricing) -> Pricing:
        """A partner's price to its customer: as the charge a credit gives back, else its
        rule on ``cost``, else the ERP share."""
        again = mirrored(self.credit_of(PARTNER_TIER, row), vendor_pricing(row), cost)
        if again is not None:
            return again
        found = self.markup(seller, str(row["customer_id"]), row)
        if found is not None:
            ratio, unit = marked_up(cost.unit_price, found)
            return Pricing(cost.each_minor, ratio, unit)
        erp = self.erp_price(row)
        share = None if erp is None else erp_share(erp, row["unit_price"])
        if erp is None or share is None:
            return cost
        return Pricing(row["each_minor"], share, erp, VENDOR_EACH)

    def erp_price(self, row: Mapping[str, Any]) -> Decimal | None:
        found = pick_row(
            self.erp.get(erp_key(row), []), row["accrued_at"], erp_quantity(row["quantity"])
        )
        return found.erp_price if found is not None else None


def erp_rows(
    session: Session, period: date, wanted: Iterable[ErpKey]
) -> dict[ErpKey, list[PriceRow]]:
    """The price rows of each wanted (market, SKU, term, plan, currency) in the list that
    prices the period: the market's list of that month, else its latest earlier list that
    took effect (``pricing.queries.applicable_list``), in row order. One query for the
    lists, one for the rows."""
    wanted = set(wanted)
    found: dict[ErpKey, list[PriceRow]] = {key: [] for key in wanted}
    markets = {key[0] for key in wanted if key[0]}
    if not markets:
        return found
    lists: dict[str, uuid.UUID] = {}
    for list_id, market, month, status in session.execute(
        select(PriceList.id, PriceList.market_id, PriceList.month, PriceList.status)
        .where(PriceList.market_id.in_(markets), PriceList.month <= period)
        .order_by(PriceList.month.desc())
    ):
        if market not in lists and (month == period or status != ListStatus.PREVIEW.value):
            lists[market] = list_id
    market_of = {list_id: market for market, list_id in lists.items()}
    rows = session.scalars(
        select(PriceRow)
        .where(
            PriceRow.price_list_id.in_(market_of),
            tuple_(PriceRow.product_id, PriceRow.sku_id).in_({(k[1], k[2]) for k in wanted}),
        )
        .order_by(PriceRow.id)
    )
    for price in rows:
        key = (
            market_of[price.price_list_id],
            price.product_id,
            price.sku_id,
            price.term_duration,
            price.billing_plan,
            price.currency,
        )
        if key in found:
            found[key].append(price)
    return found


def vendor_pricing(row: Mapping[str, Any]) -> Pricing:
    """A vendor line as the base of its downstream lines, at factor 1."""
    return Pricing(row["each_minor"], Fraction(1), row["unit_price"])


def credited_lines(
    session: Session, batch: Iterable[Mapping[str, Any]]
) -> dict[tuple[str, str], Mapping[str, Any]]:
    """The provider and partner lines the batch's credits give back (one query)."""
    wanted = {
        (tier, downstream_key(row["offsets_key"], tier))
        for row in batch
        if row["offsets_key"]
        for tier in (PROVIDER_TIER, PARTNER_TIER)
    }
    if not wanted:
        return {}
    c = Charge.__table__.c
    q = select(c.tier, c.key, c.price_ratio, c.ratio_of, c.unit_price).where(
        tuple_(c.tier, c.key).in_(wanted)
    )
    return {(r.tier, r.key): dict(r._mapping) for r in session.execute(q)}


def lines_for(pricer: Pricer, row: Mapping[str, Any], now: datetime) -> list[dict[str, Any]]:
    """The downstream lines of one vendor line (module docstring)."""
    partner_org: uuid.UUID = row["bill_to_organization_id"]
    out: list[dict[str, Any]] = []
    seller, cost, cost_minor = partner_org, vendor_pricing(row), row["billed_amount_minor"]
    reseller = row["reseller_organization_id"]
    if reseller is not None:
        priced = pricer.provider(row)
        provider_line = line(
            row,
            priced,
            tier=PROVIDER_TIER,
            cost_minor=row["billed_amount_minor"],
            seller=partner_org,
            bill_to_org=reseller,
            bill_to_key=str(reseller),
            now=now,
        )
        out.append(provider_line)
        seller = reseller
        cost = Pricing(provider_line["each_minor"], Fraction(1), priced.unit_price)
        cost_minor = provider_line["billed_amount_minor"]
    if row["customer_id"] is not None:
        out.append(
            line(
                row,
                pricer.partner(seller, row, cost),
                tier=PARTNER_TIER,
                cost_minor=cost_minor,
                seller=seller,
                bill_to_org=None,
                bill_to_key=str(row["customer_id"]),
                now=now,
            )
        )
    return out


# --- the Python path ---------------------------------------------------------------------


def _written(session: Session, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    wanted = list(keys)
    if not wanted:
        return set()
    return {
        (tier, key)
        for tier, key in session.execute(
            select(Charge.tier, Charge.key).where(tuple_(Charge.tier, Charge.key).in_(wanted))
        )
    }


def accrue_lines(
    session: Session, period: date, now: datetime, *, where: ColumnElement[bool] | None = None
) -> int:
    """Write the downstream lines not written yet of the period's vendor lines (those
    matching ``where``, else all): the lines that give nothing back first, then the
    credits that do, so the charge a credit gives back is written before it. Returns the
    number written; never commits."""
    offsets = Charge.__table__.c.offsets_key
    return sum(
        _accrue_pass(session, period, now, part if where is None else and_(where, part))
        for part in (offsets.is_(None), offsets.is_not(None))
    )


def _accrue_pass(session: Session, period: date, now: datetime, where: ColumnElement[bool]) -> int:
    """One pass of ``accrue_lines`` in keyset batches of ``BATCH``: one query for the
    batch, one per new seller's rules and SKU's ERP rows, one for the lines its credits
    give back, one for the keys written, one insert."""
    table = Charge.__table__
    pricer = Pricer(session, period)
    written, last_id = 0, 0
    while True:
        q = select(table).where(
            table.c.tier == VENDOR_TIER, table.c.period == period, table.c.id > last_id, where
        )
        batch = [dict(r._mapping) for r in session.execute(q.order_by(table.c.id).limit(BATCH))]
        if not batch:
            return written
        last_id = batch[-1]["id"]
        pricer.load(batch)
        rows = [new for row in batch for new in lines_for(pricer, row, now)]
        done = _written(session, ((r["tier"], r["key"]) for r in rows))
        written += write_rows(session, [r for r in rows if (r["tier"], r["key"]) not in done])
