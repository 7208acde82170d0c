"""Checking and converting the rows of a price-list import (file-formats.md §1): one
``RowConverter`` per import holds the catalog's SKUs, the market of each country code, the
conversions of each distinct date, term and plan, the lists opened so far, the problems
found and the batch of rows waiting for ``bulk_insert``. Every check of a row notes its
problem and carries on, so a rejected file reports every problem at once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from opencsp.catalog import queries as catalog
from opencsp.catalog.models import Sku
from opencsp.catalog.rules import PRICE_LIST_PLAN, TermDuration, billing_plans_for
from opencsp.core import clock
from opencsp.core.config import settings
from opencsp.core.db import bind_converter, bulk_insert, utc_datetime_converter
from opencsp.core.errors import DomainError
from opencsp.markets import queries as markets
from opencsp.pricing import rules
from opencsp.pricing.csvformat import (
    CsvValueError,
    parse_date,
    parse_optional_price,
    parse_price,
    parse_tier,
)
from opencsp.pricing.errors import PriceListLocked, Problem
from opencsp.pricing.fx import USD
from opencsp.pricing.models import PriceList, PriceRow
from opencsp.pricing.queries import price_currencies

ROW_COLUMNS: tuple[str, ...] = (
    "price_list_id",
    "line",
    "product_id",
    "sku_id",
    "term_duration",
    "billing_plan",
    "market_code",
    "currency",
    "unit_price",
    "tier_min",
    "tier_max",
    "effective_start",
    "effective_end",
    "end_of_sale",
    "tags",
    "unit_of_measure",
    "erp_price",
)
"""The ``price_rows`` columns an import writes, in the order of its row tuples."""

PRICE_ROWS = cast(Table, PriceRow.__table__)
BATCH_ROWS = 10_000
TAGS_WIDTH, UNIT_WIDTH = 256, 64
TEXT_LIMITS = (("Tags", 16, TAGS_WIDTH), ("UnitOfMeasure", 6, UNIT_WIDTH))
"""Free-text columns, their index in a record and their stored width."""

_PLANS_BY_SPELLING = {spelling.lower(): plan for plan, spelling in PRICE_LIST_PLAN.items()}

Instant = tuple[datetime, Any]
"""A parsed date and what its column stores on this database."""


@dataclass(slots=True)
class OpenList:
    """A list this import writes: one market's list for the month."""

    market_id: str
    listing: PriceList
    db_id: Any
    currencies: frozenset[str]
    replaced: bool
    rows: int = 0


class RowConverter:
    """One import's state. ``convert`` turns a record into a ``ROW_COLUMNS`` tuple or
    notes why it cannot."""

    def __init__(
        self, session: Session, month: date, source_name: str, imported_by: uuid.UUID | None
    ) -> None:
        self.session = session
        self.imported_by = imported_by
        self.month = month
        self.source_name = source_name
        self.status = rules.status_for(month, clock.now().date())
        self.limit = settings().pricelist_problem_limit
        self.problems: list[Problem] = []
        self.total = 0
        dialect = session.get_bind().dialect
        self.list_id_to_db = bind_converter(dialect, PRICE_ROWS.c.price_list_id.type)
        self.to_db_instant = utc_datetime_converter(dialect)
        self.skus = catalog.known_skus(session)
        self.trials = {
            (product, sku)
            for product, sku in session.execute(select(Sku.product_id, Sku.id).where(Sku.is_trial))
        }
        self.dates: dict[str, Instant] = {}
        self.terms: dict[str, str] = {}
        self.plans: dict[tuple[str, str, bool], str] = {}
        self.markets: dict[str, tuple[OpenList, str] | str] = {}
        self.lists: dict[str, OpenList] = {}
        self.batch: list[tuple[Any, ...]] = []
        self.contexts: dict[
            tuple[str, str, str, str, bool], tuple[OpenList, str, str, str, str]
        ] = {}
        self.spans: dict[tuple[str, str, str], tuple[Any, Any, Any]] = {}

    def problem(self, line: int, column: str, message: str) -> None:
        self.total += 1
        if len(self.problems) < self.limit:
            self.problems.append((line, column, message))

    def add(self, row: tuple[Any, ...]) -> None:
        self.batch.append(row)
        if len(self.batch) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            bulk_insert(
                self.session.connection(), PRICE_ROWS, ROW_COLUMNS, self.batch, batch=BATCH_ROWS
            )
            self.batch = []

    # -- one record --------------------------------------------------------------------

    def convert(
        self, line: int, record: list[str], with_end_of_sale: bool
    ) -> tuple[Any, ...] | None:
        """One record (already of the header's width) → its row, or None after noting
        its problems. Rows whose term, plan, country, currency and dates were all seen
        valid before take a fast path of dictionary look-ups; anything else is checked
        field by field."""
        if with_end_of_sale:
            end_of_sale = record[16]
            tags, erp = record[17], record[18]
        else:
            end_of_sale, tags, erp = "", record[16], record[17]
        key = (record[1], record[2])
        context = self.contexts.get(
            (record[7], record[8], record[9], record[10], key in self.trials)
        )
        span = self.spans.get((record[14], record[15], end_of_sale))
        if (
            context is not None
            and span is not None
            and key in self.skus
            and not (record[12] or record[13])
            and len(tags) <= TAGS_WIDTH
            and len(record[6]) <= UNIT_WIDTH
        ):
            try:
                price, erp_price = parse_price(record[11]), parse_optional_price(erp)
            except CsvValueError:
                pass
            else:
                opened, term, plan, code, currency = context
                return _db_row(
                    opened,
                    line,
                    key,
                    term,
                    plan,
                    code,
                    currency,
                    price,
                    NO_TIERS,
                    span,
                    tags,
                    record[6],
                    erp_price,
                )
        return self.convert_checked(line, record, end_of_sale, tags, erp)

    def convert_checked(
        self, line: int, record: list[str], end_of_sale: str, tags: str, erp: str
    ) -> tuple[Any, ...] | None:
        """The slow path: every field checked, every problem noted; what proves valid
        is cached for the fast path."""
        before = self.total
        key, term, plan = self.offer(line, record[1], record[2], record[7], record[8])
        context_problems = self.total
        place = self.place(line, record[9], record[10])
        if place is not None and self.total == context_problems and term and plan:
            trial = (record[1], record[2]) in self.trials
            self.contexts[(record[7], record[8], record[9], record[10], trial)] = (
                place[0],
                term,
                plan,
                place[1],
                place[2],
            )
        price = self.price(line, "UnitPrice", record[11], required=True)
        erp_price = self.price(line, "ERP Price", erp, required=False)
        tiers = self.tiers(line, record[12], record[13])
        dates = self.effective(line, record[14], record[15], end_of_sale)
        for column, index, size in TEXT_LIMITS:
            if len(record[index] if index < 16 else tags) > size:
                self.problem(line, column, f"longer than {size} characters")
        if self.total != before or place is None or dates is None:
            return None
        opened, code, currency = place
        return _db_row(
            opened,
            line,
            key,
            term,
            plan,
            code,
            currency,
            price,
            tiers,
            dates,
            tags,
            record[6],
            erp_price,
        )

    def offer(
        self, line: int, product: str, sku: str, term: str, plan: str
    ) -> tuple[tuple[str, str], str, str]:
        """The SKU (known to the catalog), the term and a plan allowed for it."""
        key = (product, sku)
        if key not in self.skus:
            key = (product.strip().upper(), sku.strip())
            if key not in self.skus:
                self.problem(line, "SkuId", f"{product}/{sku} is not a SKU of the catalog")
        stored_term = stored_plan = ""
        try:
            stored_term = self.term(term)
            stored_plan = self.plan(plan, stored_term, key in self.trials)
        except CsvValueError as exc:
            self.problem(line, "BillingPlan" if stored_term else "TermDuration", str(exc))
        return key, stored_term, stored_plan

    def place(self, line: int, code: str, currency: str) -> tuple[OpenList, str, str] | None:
        """The list of the country's market, the country as stored, and the currency if
        it is one of that market's price-list currencies (rules.md §4) or USD: Azure,
        reservations and marketplace items are priced in USD in every market and billed
        in the partner's currency (rules.md §11; ``billing.fx``)."""
        try:
            opened, country = self.market(code)
        except CsvValueError as exc:
            self.problem(line, "Market", str(exc))
            return None
        if currency not in opened.currencies:
            self.problem(
                line,
                "Currency",
                f"{currency!r} is not a price-list currency of market {opened.market_id} "
                f"({', '.join(sorted(opened.currencies))})",
            )
        return opened, country, currency

    def price(self, line: int, column: str, text: str, *, required: bool) -> str | None:
        try:
            return parse_price(text) if required else parse_optional_price(text)
        except CsvValueError as exc:
            self.problem(line, column, str(exc))
            return None

    def tiers(self, line: int, low: str, high: str) -> tuple[int | None, int | None]:
        if not (low or high):
            return None, None
        try:
            tier_min, tier_max = parse_tier(low), parse_tier(high, upper=True)
        except CsvValueError as exc:
            self.problem(line, "PricingTierRangeMin", str(exc))
            return None, None
        if tier_min is not None and tier_max is not None and tier_min > tier_max:
            self.problem(
                line, "PricingTierRangeMax", f"the tier maximum {high} is below its minimum {low}"
            )
        return tier_min, tier_max

    def effective(
        self, line: int, start: str, end: str, end_of_sale: str
    ) -> tuple[Any, Any, Any] | None:
        """Start and end as stored, start ≤ end; the end-of-sale instant if given."""
        found: list[Instant | None] = []
        for column, text in (
            ("EffectiveStartDate", start),
            ("EffectiveEndDate", end),
            ("EndofSaleDate", end_of_sale),
        ):
            try:
                found.append(self.instant(text) if text or column != "EndofSaleDate" else None)
            except CsvValueError as exc:
                self.problem(line, column, str(exc))
        if len(found) != 3:
            return None
        began, ended, sale_end = found
        assert began is not None and ended is not None
        if began[0] > ended[0]:
            self.problem(line, "EffectiveEndDate", f"the end {end} is before the start {start}")
            return None
        stored = (began[1], ended[1], None if sale_end is None else sale_end[1])
        self.spans[(start, end, end_of_sale)] = stored
        return stored

    # -- cached conversions ------------------------------------------------------------

    def instant(self, text: str) -> Instant:
        found = self.dates.get(text)
        if found is None:
            moment = parse_date(text)
            found = self.dates[text] = (moment, self.to_db_instant(moment))
        return found

    def term(self, text: str) -> str:
        found = self.terms.get(text)
        if found is None:
            try:
                found = self.terms[text] = TermDuration(text.strip()).value
            except ValueError:
                names = ", ".join(t.value for t in TermDuration)
                raise CsvValueError(f"{text!r} is not a term; use one of {names}") from None
        return found

    def plan(self, text: str, term: str, trial: bool) -> str:
        """The stored plan for a ``BillingPlan`` spelling (any case), if the term may be
        billed so: the term's own length or a shorter standard period (rules.md §9b);
        ``None`` only for a trial SKU."""
        key = (text, term, trial)
        found = self.plans.get(key)
        if found is None:
            plan = _PLANS_BY_SPELLING.get(text.strip().lower())
            if plan is None:
                names = ", ".join(PRICE_LIST_PLAN.values())
                raise CsvValueError(f"{text!r} is not a billing plan; use one of {names}")
            duration = TermDuration(term)
            allowed = billing_plans_for(duration) | (
                billing_plans_for(duration, trial=True) if trial else frozenset()
            )
            if plan not in allowed:
                raise CsvValueError(f"a {term} term cannot be billed {PRICE_LIST_PLAN[plan]}")
            found = self.plans[key] = plan.value
        return found

    def market(self, code: str) -> tuple[OpenList, str]:
        """The open list of the market whose country ``code`` is, with the code as
        stored; the list is opened the first time its market is seen."""
        found = self.markets.get(code)
        if found is None:
            try:
                market_id = markets.market_for(self.session, code).id
            except DomainError as exc:
                found = self.markets[code] = f"{code!r}: {exc.message}"
            else:
                opened = self.lists.get(market_id) or self.open_list(market_id)
                found = self.markets[code] = (opened, code.strip().upper())
        if isinstance(found, str):
            raise CsvValueError(found)
        return found

    def open_list(self, market_id: str) -> OpenList:
        """A new list for the market and month. An existing preview is deleted (replaced
        whole); a list that is or was in effect has priced purchases and is never
        replaced (DESIGN.md §4)."""
        existing = self.session.scalar(
            select(PriceList).where(PriceList.market_id == market_id, PriceList.month == self.month)
        )
        if existing is not None:
            if (
                existing.status != rules.ListStatus.PREVIEW.value
                or self.status is not rules.ListStatus.PREVIEW
            ):
                raise PriceListLocked(
                    month=rules.format_month(self.month), market=market_id, status=existing.status
                )
            self.session.execute(delete(PriceRow).where(PriceRow.price_list_id == existing.id))
            self.session.execute(delete(PriceList).where(PriceList.id == existing.id))
        listing = PriceList(
            id=uuid.uuid4(),
            market_id=market_id,
            month=self.month,
            status=self.status.value,
            row_count=0,
            source_name=self.source_name[:256],
            imported_at=clock.now(),
            imported_by=self.imported_by,
        )
        self.session.add(listing)
        self.session.flush()
        opened = OpenList(
            market_id=market_id,
            listing=listing,
            db_id=self.list_id_to_db(listing.id),
            # and USD in every market: items priced in USD (rules.md §11)
            currencies=frozenset(price_currencies(self.session, market_id)) | {USD.code},
            replaced=existing is not None,
        )
        self.lists[market_id] = opened
        return opened


NO_TIERS: tuple[None, None] = (None, None)


def _db_row(
    opened: Any,
    line: int,
    key: tuple[str, str],
    term: str,
    plan: str,
    code: str,
    currency: str,
    price: Any,
    tiers: tuple[Any, Any],
    dates: tuple[Any, Any, Any],
    tags: str,
    unit_of_measure: str,
    erp_price: Any,
) -> tuple[Any, ...]:
    """A checked record as the ``ROW_COLUMNS`` values, counted in its list."""
    opened.rows += 1
    return (
        opened.db_id,
        line,
        key[0],
        key[1],
        term,
        plan,
        code,
        currency,
        price,
        tiers[0],
        tiers[1],
        dates[0],
        dates[1],
        dates[2],
        tags,
        unit_of_measure,
        erp_price,
    )
