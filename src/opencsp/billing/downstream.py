"""The downstream charges of a period (issue 6, "Downstream billing"), set-based: from the
vendor's lines of the month, the lines a provider bills its resellers and a partner bills
its customers, which ``billing.issue`` then issues as each seller's own documents. The
rules are ``billing.downstream_lines`` (the per-line oracle); this module applies them
to a whole period in a few statements.

1. One survey of the period's vendor lines (a ``GROUP BY``) gives the distinct
   combinations that decide a price and the largest amounts. Prices are resolved once
   per combination, in Python, with the pure rules (``price_rules.resolve``,
   ``downstream_lines.marked_up`` / ``erp_share``, ``pricing.rules.pick_row``), into
   temporary tables as exact fractions ``num / den`` (``billing.downstream_sql``):
   - ``downstream_factors``: the rule (for a provider, else its default markup) per
     seller, product, SKU and cost unit price, for every buyer (``buyer`` NULL) and, where
     a rule of the seller names a buyer, for that buyer — so a rule naming one customer
     costs one row per line of that customer, not one per line of every customer;
   - ``downstream_erp``: the ERP share per market, SKU, term, plan, currency and vendor
     unit price over disjoint cells of accrual instants and seats in which ``pick_row``'s
     answer is constant, so a line matches at most one cell with a plain range join.
2. One ``INSERT … SELECT … ON CONFLICT DO NOTHING`` per tier: provider lines first, then
   partner lines, which take an indirect line's cost from its provider line (by key). A
   seat's price is ``each × num / den`` rounded half-up away from zero in integer
   arithmetic (``downstream_sql.half_up``), so no float ever touches money. The survey's
   largest amounts are checked against 64-bit integers first: where a product could
   overflow, the period is priced on the Python path instead.
3. A vendor line whose key is too long to prefix in SQL is priced on the Python path
   (its key becomes a digest, ``downstream_lines.downstream_key``), and so is a credit
   that names the charge it gives back: it takes that charge's recorded factor
   (``downstream_lines.mirrored``), after the charges are written. So is a line billed
   in another currency than it is priced in (an item priced in USD): its seat is
   converted with the reconciliation file's ``ROUNDDOWN`` at the vendor line's rate
   (``fx.billed_each``), so the SQL statements only ever bill a line in its pricing
   currency, where the billed amount is the priced one.

Keys are ``provider:<vendor key>`` and ``partner:<vendor key>`` under
``uq_charges_tier_key``, so a re-run writes nothing twice. Never commits (the bill run's
unit of work does)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select, true, tuple_
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from opencsp.billing import downstream_sql as sql
from opencsp.billing import price_rules as rules
from opencsp.billing.bulk import COUNTED, unindexed, uuid_text
from opencsp.billing.downstream_lines import (
    COST,
    KEY_LENGTH,
    PARTNER_TIER,
    PROVIDER_TIER,
    VENDOR_EACH,
    VENDOR_TIER,
    accrue_lines,
    erp_rows,
    marked_up,
    ratio_text,
)
from opencsp.billing.downstream_sql import ERP, FACTORS, RULED
from opencsp.billing.models import Charge, PriceRule
from opencsp.core.config import settings

SHORT_KEY = KEY_LENGTH - len(PROVIDER_TIER) - 1
"""The longest vendor key both tiers' prefixes fit in (longer ones take the Python path)."""

Key = tuple[Any, ...]


def _count(session: Session, period: date) -> int:
    q = select(func.count()).where(
        Charge.period == period, Charge.tier.in_((PROVIDER_TIER, PARTNER_TIER))
    )
    return int(session.scalar(q) or 0)


class Run:
    """One period's set-based downstream accrual (module docstring)."""

    def __init__(self, session: Session, period: date, now: datetime) -> None:
        self.session, self.period, self.now = session, period, now
        self.v = aliased(Charge, name="v")
        self.default = settings().reseller_default_markup_percent
        self.rules: dict[uuid.UUID, dict[rules.Scope, Decimal]] = {}
        self.largest, self.seats, self.longest = 0, 0, 0
        self.providers: set[Key] = set()
        self.erp_keys: set[Key] = set()
        self.ids: tuple[int, int] = (0, 0)
        self.converted: set[tuple[str, str]] = set()

    def keys(self, q: Any) -> list[Key]:
        return [tuple(row) for row in self.session.execute(q.distinct())]

    def vendor(self, *, scan: bool = True) -> ColumnElement[bool]:
        """The period's vendor lines with a key short enough for SQL. ``scan``: most of
        them are wanted, read in id order within the period's id range (lines are written
        month by month, so a period's are close together) rather than through the
        period's index, which SQLite would otherwise pick and then visit the table at
        random and sort (``bulk.unindexed``)."""
        v = self.v
        period = unindexed(self.session, v.period) if scan else v.period
        return and_(
            v.tier == VENDOR_TIER,
            period == self.period,
            v.id.between(*self.ids),
            func.length(v.key) <= SHORT_KEY,
            v.offsets_key.is_(None),
            self.priced_as_billed(v),
        )

    def priced_as_billed(self, c: Any) -> ColumnElement[bool]:
        """Lines billed in their pricing currency: not one of the survey's converted
        (pricing, billing) pairs. Named pairs, not ``currency = pricing_currency``, whose
        selectivity PostgreSQL can only guess and then plans the period's joins for far
        fewer lines than it has."""
        if not self.converted:
            return true()
        return tuple_(c.pricing_currency, c.currency).not_in(sorted(self.converted))

    def survey(self) -> bool:
        """One pass over the period's vendor lines: the provider combinations (provider,
        product, SKU, unit price), the ERP combinations of the lines billing a customer,
        the largest seat amount and seat count, the longest key, and the (pricing,
        billing) currency pairs of the lines billed in another currency than they are
        priced in; whether there are any lines."""
        v = self.v
        first, last = self.session.execute(
            select(func.min(Charge.id), func.max(Charge.id)).where(Charge.period == self.period)
        ).one()
        if first is None:
            return False
        self.ids = (int(first), int(last))
        provider = case((v.reseller_organization_id.is_not(None), v.bill_to_organization_id))
        market = case((v.customer_id.is_not(None), v.market_id))
        keys = (
            provider,
            market,
            v.product_id,
            v.sku_id,
            v.term_duration,
            v.billing_plan,
            v.pricing_currency,
            v.unit_price,
            v.currency,
        )
        each = func.max(func.abs(v.each_minor))
        seats, longest = func.max(func.abs(v.quantity)), func.max(func.length(v.key))
        q = select(*keys, each, seats, longest).where(
            v.tier == VENDOR_TIER,
            unindexed(self.session, v.period) == self.period,
            v.id.between(*self.ids),
        )
        for row in self.session.execute(q.group_by(*keys)):
            who, where, product, sku, term, plan, currency, unit, billing, *most = row
            if billing != currency:
                self.converted.add((currency, billing))
            self.largest = max(self.largest, int(most[0]))
            self.seats = max(self.seats, int(most[1]))
            self.longest = max(self.longest, int(most[2]))
            if who is not None:
                self.providers.add((who, product, sku, unit))
            if where is not None:
                self.erp_keys.add((where, product, sku, term, plan, currency, unit))
        return bool(self.longest)

    def load_rules(self) -> bool:
        """Every seller with a rule (buyer NULL) and every buyer a rule names; whether
        there are any."""
        ruled: set[tuple[uuid.UUID, uuid.UUID | None]] = set()
        for seller, buyer in self.session.execute(
            select(PriceRule.seller_organization_id, PriceRule.buyer_key).distinct()
        ):
            ruled.add((seller, None))
            if buyer != rules.ANY:
                ruled.add((seller, uuid.UUID(buyer)))
        self.rules = rules.rules_of(self.session, {seller for seller, _ in ruled})
        sql.fill(self.session, RULED, [{"seller": s, "buyer": b} for s, b in ruled])
        return bool(ruled)

    def resolve(self, key: Key, named: bool) -> Decimal | None:
        seller, buyer = key[0], str(key[1]) if named else rules.ANY
        return rules.resolve(self.rules.get(seller, {}), buyer, key[-3], key[-2])

    def provider_factors(self, any_rules: bool) -> list[dict[str, Any]]:
        """Every provider's factor per product, SKU and unit price, and per reseller its
        rules name: its rule, else the default markup."""
        v, x = self.v, RULED.c
        named: list[Key] = []
        if any_rules and self.providers:
            named = self.keys(
                select(
                    v.bill_to_organization_id,
                    v.reseller_organization_id,
                    v.product_id,
                    v.sku_id,
                    v.unit_price,
                )
                .join(
                    RULED,
                    and_(
                        x.seller == v.bill_to_organization_id,
                        x.buyer == v.reseller_organization_id,
                    ),
                )
                .where(self.vendor(scan=False))
            )
        out = []
        for keys, is_named in ((sorted(self.providers), False), (named, True)):
            for key in keys:
                found = self.resolve(key, is_named)
                ratio, unit = marked_up(key[-1], self.default if found is None else found)
                out.append(sql.factor_row(PROVIDER_TIER, key, is_named, ratio, unit))
        return out

    def insert_providers(self) -> int:
        v = self.v
        f1, f2 = FACTORS.alias("f1"), FACTORS.alias("f2")
        seller, buyer = v.bill_to_organization_id, v.reseller_organization_id
        num, den = func.coalesce(f1.c.num, f2.c.num), func.coalesce(f1.c.den, f2.c.den)
        each = sql.half_up(v.each_minor, num, den)
        cols = sql.copied(v) | {
            "tier": literal(PROVIDER_TIER),
            "key": literal(f"{PROVIDER_TIER}:") + v.key,
            "seller_key": v.bill_to_key,
            "seller_organization_id": seller,
            "bill_to_key": uuid_text(self.session, buyer),
            "bill_to_organization_id": buyer,
            "unit_price": func.coalesce(f1.c.unit_price_out, f2.c.unit_price_out),
            "each_minor": each,
            "amount_minor": each * v.quantity,
            "billed_each_minor": each,
            "billed_amount_minor": each * v.quantity,
            "cost_minor": v.billed_amount_minor,
            "price_ratio": sql.ratio_text(num, den),
            "ratio_of": literal(COST),
            "created_at": literal(self.now, Charge.created_at.type),
        }
        rows = (
            select(v.id)
            .select_from(v)
            .join(f2, sql.rule_on(f2, PROVIDER_TIER, seller, None, v.unit_price, v))
            .outerjoin(f1, sql.rule_on(f1, PROVIDER_TIER, seller, buyer, v.unit_price, v))
            .where(self.vendor(scan=False), buyer.is_not(None))
        )
        return sql.insert_from(self.session, cols, rows, v.id)

    def partner_base(self) -> tuple[Any, Any, Any, Any]:
        """The partner lines' source (the vendor line and, when indirect, its provider
        line), their seller, the provider line and the cost's unit price."""
        v = self.v
        p = aliased(Charge, name="p")
        seller = func.coalesce(v.reseller_organization_id, v.bill_to_organization_id)
        provider_line = and_(
            v.reseller_organization_id.is_not(None),
            p.tier == PROVIDER_TIER,
            p.key == literal(f"{PROVIDER_TIER}:") + v.key,
        )
        rows = (
            select(v.id)
            .select_from(v)
            .outerjoin(p, provider_line)
            .where(
                self.vendor(),
                v.customer_id.is_not(None),
                or_(v.reseller_organization_id.is_(None), p.id.is_not(None)),
            )
        )
        return rows, seller, p, func.coalesce(p.unit_price, v.unit_price)

    def partner_factors(self) -> list[dict[str, Any]]:
        """The sellers' rules per product, SKU and cost unit price (for every customer,
        and per customer a rule names); no row where no rule applies."""
        v, x = self.v, RULED.c
        rows, seller, _, unit = self.partner_base()
        cols = (v.product_id, v.sku_id, unit)
        star = self.keys(
            rows.with_only_columns(seller, *cols).join(
                RULED, and_(x.seller == seller, x.buyer.is_(None))
            )
        )
        named = self.keys(
            rows.with_only_columns(seller, v.customer_id, *cols).join(
                RULED, and_(x.seller == seller, x.buyer == v.customer_id)
            )
        )
        out = []
        for keys, is_named in ((star, False), (named, True)):
            for key in keys:
                found = self.resolve(key, is_named)
                if found is not None:
                    ratio, unit_out = marked_up(key[-1], found)
                    out.append(sql.factor_row(PARTNER_TIER, key, is_named, ratio, unit_out))
        return out

    def erp_cells(self) -> list[dict[str, Any]]:
        """The ERP cells of every (market, SKU, term, plan, currency, unit price) of the
        period's customer lines (``downstream_sql.erp_cells``)."""
        prices = erp_rows(self.session, self.period, {key[:6] for key in self.erp_keys})
        return [
            sql.cell_row(key, cell)
            for key in sorted(self.erp_keys)
            for cell in sql.erp_cells(prices.get(key[:6], []), key[6])
        ]

    def insert_partners(self) -> int:
        v, e = self.v, ERP.c
        rows, seller, p, unit = self.partner_base()
        f1, f2 = FACTORS.alias("f1"), FACTORS.alias("f2")
        num, den = func.coalesce(f1.c.num, f2.c.num), func.coalesce(f1.c.den, f2.c.den)
        seats = case((func.abs(v.quantity) < 1, 1), else_=func.abs(v.quantity))
        ruled, by_erp = num.is_not(None), e.num.is_not(None)

        def priced(vendor_each: Any, cost_each: Any) -> Any:
            return case(
                (ruled, sql.half_up(cost_each, num, den)),
                (by_erp, sql.half_up(vendor_each, e.num, e.den)),
                else_=cost_each,
            )

        each = priced(v.each_minor, func.coalesce(p.each_minor, v.each_minor))
        cols = sql.copied(v) | {
            "tier": literal(PARTNER_TIER),
            "key": literal(f"{PARTNER_TIER}:") + v.key,
            "seller_key": func.coalesce(p.bill_to_key, v.bill_to_key),
            "seller_organization_id": seller,
            "bill_to_key": uuid_text(self.session, v.customer_id),
            "bill_to_organization_id": literal(None, Charge.bill_to_organization_id.type),
            "unit_price": case(
                (ruled, func.coalesce(f1.c.unit_price_out, f2.c.unit_price_out)),
                (by_erp, e.erp_price),
                else_=unit,
            ),
            "each_minor": each,
            "amount_minor": each * v.quantity,
            "billed_each_minor": each,
            "billed_amount_minor": each * v.quantity,
            "cost_minor": func.coalesce(p.billed_amount_minor, v.billed_amount_minor),
            "price_ratio": case(
                (ruled, sql.ratio_text(num, den)),
                (by_erp, sql.ratio_text(e.num, e.den)),
                else_=literal(ratio_text(Fraction(1))),
            ),
            "ratio_of": case((by_erp & ~ruled, literal(VENDOR_EACH)), else_=literal(COST)),
            "created_at": literal(self.now, Charge.created_at.type),
        }
        erp_on = and_(
            e.market_id == v.market_id,
            e.product_id == v.product_id,
            e.sku_id == v.sku_id,
            e.term_duration == v.term_duration,
            e.billing_plan == v.billing_plan,
            e.currency == v.pricing_currency,
            e.unit_price == v.unit_price,
            e.at_from <= v.accrued_at,
            or_(e.at_to.is_(None), v.accrued_at < e.at_to),
            e.seats_from <= seats,
            or_(e.seats_to.is_(None), seats <= e.seats_to),
        )
        rows = (
            rows.outerjoin(f1, sql.rule_on(f1, PARTNER_TIER, seller, v.customer_id, unit, v))
            .outerjoin(f2, sql.rule_on(f2, PARTNER_TIER, seller, None, unit, v))
            .outerjoin(ERP, erp_on)
        )
        return sql.insert_from(self.session, cols, rows, v.id)

    def run(self) -> int:
        """Both tiers in SQL, or the Python path where amounts could overflow 64-bit
        integers; the rows written (negative when the driver cannot tell)."""
        if not self.survey():
            return 0
        any_rules = self.load_rules()
        providers = self.provider_factors(any_rules)
        ratios = [Fraction(r["num"], r["den"]) for r in providers]
        if not sql.fits(self.largest, self.seats, [Fraction(1), *ratios]):
            return accrue_lines(self.session, self.period, self.now)
        sql.fill(self.session, FACTORS, providers)
        written = self.insert_providers() if providers else 0
        cost = max(
            [self.largest, *(self.largest * r.numerator // r.denominator + 1 for r in ratios)]
        )
        partners = self.partner_factors() if any_rules else []
        cells = self.erp_cells()
        if not (
            sql.fits(cost, self.seats, (Fraction(r["num"], r["den"]) for r in partners))
            and sql.fits(self.largest, self.seats, (Fraction(c["num"], c["den"]) for c in cells))
        ):
            return written + accrue_lines(self.session, self.period, self.now)
        sql.fill(self.session, FACTORS, partners)
        sql.fill(self.session, ERP, cells)
        partner_lines = self.insert_partners()
        if min(written, partner_lines) < 0:
            return -1
        rest = or_(Charge.offsets_key.is_not(None), ~self.priced_as_billed(Charge))
        if self.longest > SHORT_KEY:
            rest = or_(rest, func.length(Charge.key) > SHORT_KEY)
        written += accrue_lines(self.session, self.period, self.now, where=rest)
        return written + partner_lines


def accrue_downstream(session: Session, period: date, now: datetime) -> int:
    """Write the period's provider and partner lines not written yet; the number written
    (module docstring; counted before and after where the driver's rowcount of an
    ``INSERT … SELECT … ON CONFLICT`` cannot tell). Never commits."""
    counted = session.get_bind().dialect.name in COUNTED
    before = 0 if counted else _count(session, period)
    sql.create(session)
    try:
        written = Run(session, period, now).run()
    finally:
        sql.drop(session)
    if counted and written < 0:
        raise RuntimeError("the database driver reported no rowcount for INSERT … SELECT")
    return written if counted else _count(session, period) - before
